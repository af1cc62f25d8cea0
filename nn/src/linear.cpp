#include <xgrad/nn/linear.hpp>

#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/linalg.hpp>
#include <xgrad/ops/unary.hpp>

namespace xgrad::nn {

Linear::Linear(std::size_t in, std::size_t out, Generator& gen, LinearOptions options)
    : in_(in), out_(out), has_bias_(options.bias) {
  if (in == 0 || out == 0) {
    throw value_error("Linear: sizes must be positive, got " + std::to_string(in) + " → " + std::to_string(out));
  }
  weight_ = register_parameter("weight", Value(initial_tensor(options.init, {in, out}, in, out, gen)));
  if (has_bias_) {
    bias_ = register_parameter("bias", Value(initial_tensor(options.bias_init, {out}, in, out, gen)));
  }
}

void Linear::check_input(const Value& x) const {
  if (x.dim() == 0 || x.dim() > 2 || x.shape().back() != in_) {
    throw shape_error(describe() + ": input has shape " + shape_str(x.shape()) + ", expected (n," +
                      std::to_string(in_) + ") or (" + std::to_string(in_) + ")");
  }
}

Value Linear::forward(const Value& x) {
  check_input(x);
  return has_bias_ ? xgrad::linear(x, weight_, bias_) : xgrad::matmul(x, weight_);
}

Value Linear::forward_sigmoid(const Value& x) {
  check_input(x);
  return has_bias_ ? xgrad::linear_sigmoid(x, weight_, bias_) : xgrad::sigmoid(xgrad::matmul(x, weight_));
}

std::string Linear::describe() const {
  return "Linear(" + std::to_string(in_) + " → " + std::to_string(out_) + (has_bias_ ? ", bias)" : ", no bias)");
}

const Value& Linear::bias() const {
  if (!has_bias_) {
    throw value_error(describe() + ": this layer has no bias");
  }
  return bias_;
}

}  // namespace xgrad::nn
