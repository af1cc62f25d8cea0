#include <xgrad/nn/scalar.hpp>

#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/unary.hpp>

namespace xgrad::nn::scalar {

namespace {

// The parameters of every part, in order.
template <class Part>
std::vector<Value> gather(const std::vector<Part>& parts) {
  std::vector<Value> p;
  for (const Part& part : parts) {
    const std::vector<Value> q = part.parameters();
    p.insert(p.end(), q.begin(), q.end());
  }
  return p;
}

}  // namespace

void Module::zero_grad() const {
  for (const Value& p : parameters()) {
    p.zero_grad();
  }
}

Value activate(const Value& x, Activation activation) {
  switch (activation) {
    case Activation::sigmoid:
      return sigmoid(x);
    case Activation::tanh:
      return tanh(x);
    case Activation::relu:
      return relu(x);
    case Activation::leaky_relu:
      return leaky_relu(x);
    case Activation::none:
      return x;
  }
  throw value_error("activate: unknown activation");
}

Neuron::Neuron(std::size_t inputs, Generator& gen, Activation activation)
    : bias_(Value(0.0).set_requires_grad()), activation_(activation) {
  for (std::size_t i = 0; i < inputs; ++i) {
    weights_.push_back(Value(gen.uniform(-1.0, 1.0)).set_requires_grad());
  }
}

Value Neuron::operator()(const std::vector<Value>& x) const {
  if (x.size() != weights_.size()) {
    throw shape_error("Neuron: got " + std::to_string(x.size()) + " inputs, expected " +
                      std::to_string(weights_.size()));
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].dim() != 0) {  // a tensor here would broadcast silently into a tensor "neuron"
      throw shape_error("Neuron: input " + std::to_string(i) + " has shape " + shape_str(x[i].shape()) +
                        ", expected a 0-d value");
    }
  }
  Value sum = bias_;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sum = sum + weights_[i] * x[i];
  }
  return activate(sum, activation_);
}

std::vector<Value> Neuron::parameters() const {
  std::vector<Value> p = weights_;
  p.push_back(bias_);
  return p;
}

Layer::Layer(std::size_t inputs, std::size_t outputs, Generator& gen, Activation activation) {
  for (std::size_t i = 0; i < outputs; ++i) {
    neurons_.emplace_back(inputs, gen, activation);
  }
}

std::vector<Value> Layer::operator()(const std::vector<Value>& x) const {
  std::vector<Value> out;
  out.reserve(neurons_.size());
  for (const Neuron& n : neurons_) {
    out.push_back(n(x));
  }
  return out;
}

std::vector<Value> Layer::parameters() const { return gather(neurons_); }

MLP::MLP(const std::vector<std::size_t>& sizes, Generator& gen, Activation hidden, Activation output) {
  if (sizes.size() < 2) {
    throw value_error("scalar::MLP: needs at least an input and an output size");
  }
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    if (sizes[i] == 0 || sizes[i + 1] == 0) {
      throw value_error("scalar::MLP: every layer size must be positive");
    }
    layers_.emplace_back(sizes[i], sizes[i + 1], gen, i + 2 == sizes.size() ? output : hidden);
  }
}

std::vector<Value> MLP::operator()(const std::vector<Value>& x) const {
  std::vector<Value> y = layers_.front()(x);
  for (std::size_t i = 1; i < layers_.size(); ++i) {
    y = layers_[i](y);
  }
  return y;
}

std::vector<Value> MLP::parameters() const { return gather(layers_); }

}  // namespace xgrad::nn::scalar
