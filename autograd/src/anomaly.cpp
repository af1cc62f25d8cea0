#include <xgrad/anomaly.hpp>

#include <xtensor/xmath.hpp>

#include <string>

namespace xgrad {

namespace {

std::string input_shapes(std::span<const Value> inputs) {
  std::string s;
  for (const Value& v : inputs) {
    if (!s.empty()) {
      s += ", ";
    }
    s += shape_str(v.shape());
  }
  return s;
}

bool finite(const Tensor& t) {
  for (double x : t) {
    if (!std::isfinite(x)) {
      return false;
    }
  }
  return true;
}

[[noreturn]] void throw_forward(const char* name, const Shape& shape, std::span<const Value> inputs) {
  throw anomaly_error(std::string(name) + ": forward produced NaN or infinity in its result of shape " +
                      shape_str(shape) + " (input shapes " + input_shapes(inputs) + ")");
}

}  // namespace

constinit thread_local bool detail::anomaly_mode = false;

DetectAnomalyGuard::DetectAnomalyGuard() noexcept : previous_(detail::anomaly_mode) { detail::anomaly_mode = true; }

DetectAnomalyGuard::~DetectAnomalyGuard() { detail::anomaly_mode = previous_; }

namespace detail {

void check_forward(const char* name, const Tensor& out, std::span<const Value> inputs) {
  if (!finite(out)) {
    throw_forward(name, out.shape(), inputs);
  }
}

void check_forward(const char* name, double out, std::span<const Value> inputs) {
  if (!std::isfinite(out)) {
    throw_forward(name, Shape{}, inputs);
  }
}

void check_backward(const char* name, const Tensor& grad, std::size_t index, std::span<const Value> inputs) {
  if (!finite(grad)) {
    throw anomaly_error(std::string(name) + ": backward produced NaN or infinity in the gradient of input " +
                        std::to_string(index) + " (input shapes " + input_shapes(inputs) + ")");
  }
}

}  // namespace detail

}  // namespace xgrad
