#pragma once
/// @file
/// The teaching track: neurons, layers and an MLP made of 0-d Values, one number per node —
/// every multiply and add of the network is a node of the graph you can draw.

#include <xgrad/nn/activation.hpp>
#include <xgrad/random.hpp>
#include <xgrad/value.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace xgrad::nn::scalar {

/// Anything with scalar parameters.
class Module {
 public:
  virtual ~Module() = default;
  virtual std::vector<Value> parameters() const = 0;
  /// Zeroes every parameter's gradient.
  void zero_grad() const;
};

/// act(Σᵢ wᵢxᵢ + b) with weights drawn from U(−1, 1) and b = 0.
class Neuron : public Module {
 public:
  Neuron(std::size_t inputs, Generator& gen, Activation activation = Activation::tanh);
  /// Throws shape_error if `x` does not hold one 0-d value per weight.
  Value operator()(const std::vector<Value>& x) const;
  std::vector<Value> parameters() const override;

 private:
  std::vector<Value> weights_;
  Value bias_;
  Activation activation_;
};

/// `outputs` neurons reading the same inputs.
class Layer : public Module {
 public:
  Layer(std::size_t inputs, std::size_t outputs, Generator& gen, Activation activation = Activation::tanh);
  std::vector<Value> operator()(const std::vector<Value>& x) const;
  std::vector<Value> parameters() const override;

 private:
  std::vector<Neuron> neurons_;
};

/// Layers of the given sizes: `hidden` after each hidden layer, `output` after the last.
class MLP : public Module {
 public:
  /// sizes = {inputs, hidden…, outputs}; throws value_error for fewer than two sizes or a zero.
  MLP(const std::vector<std::size_t>& sizes, Generator& gen, Activation hidden = Activation::tanh,
      Activation output = Activation::sigmoid);
  std::vector<Value> operator()(const std::vector<Value>& x) const;
  std::vector<Value> parameters() const override;

 private:
  std::vector<Layer> layers_;
};

/// `activation` applied to one value (Identity for none).
Value activate(const Value& x, Activation activation);

}  // namespace xgrad::nn::scalar
