#include <xgrad/nn/mlp.hpp>

namespace xgrad::nn {

MLP::MLP(const std::vector<std::size_t>& sizes, Generator& gen, MLPOptions options)
    : sizes_(sizes), options_(options), layers_(std::make_shared<Sequential>()) {
  if (sizes.size() < 2) {
    throw value_error("MLP: needs at least an input and an output size, got " + std::to_string(sizes.size()) +
                      " size(s)");
  }
  for (std::size_t s : sizes) {
    if (s == 0) {
      throw value_error("MLP: every layer size must be positive, got " + describe());
    }
  }
  register_module("layers", layers_);
  const LinearOptions linear_options{.bias = options.bias, .init = options.init, .bias_init = options.bias_init};
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    linears_.push_back(layers_->push_back(std::make_shared<Linear>(sizes[i], sizes[i + 1], gen, linear_options)));
    const bool last = i + 2 == sizes.size();
    layers_->push_back(make_activation(last ? options.output : options.activation));
  }
}

Value MLP::forward(const Value& x) {
  return layers_->forward(x);  // each Linear and its Sigmoid as one op (Sequential)
}

std::string MLP::describe() const {
  std::string shape;
  for (std::size_t s : sizes_) {
    if (!shape.empty()) {
      shape += '-';
    }
    shape += std::to_string(s);
  }
  return "MLP(" + shape + ", " + to_string(options_.activation) + ", output " + to_string(options_.output) + ")";
}

}  // namespace xgrad::nn
