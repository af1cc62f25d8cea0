#pragma once
/// @file
/// Activation layers: parameter-free modules wrapping the autograd ops.

#include <xgrad/nn/module.hpp>

#include <memory>
#include <string>

namespace xgrad::nn {

/// σ(x), elementwise.
class Sigmoid : public Module {
 public:
  Value forward(const Value& x) override;
  std::string describe() const override { return "Sigmoid"; }
};

/// tanh(x), elementwise.
class Tanh : public Module {
 public:
  Value forward(const Value& x) override;
  std::string describe() const override { return "Tanh"; }
};

/// max(x, 0), elementwise.
class ReLU : public Module {
 public:
  Value forward(const Value& x) override;
  std::string describe() const override { return "ReLU"; }
};

/// x for x > 0, slope·x otherwise.
class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double slope = 0.01) : slope_(slope) {}
  Value forward(const Value& x) override;
  std::string describe() const override;

 private:
  double slope_;
};

/// x unchanged: the lab's "without activation" experiment.
class Identity : public Module {
 public:
  Value forward(const Value& x) override { return x; }
  std::string describe() const override { return "Identity"; }
};

/// The activations by name, for options and command lines.
enum class Activation { sigmoid, tanh, relu, leaky_relu, none };

/// A new layer computing `activation` (`none` gives Identity).
std::shared_ptr<Module> make_activation(Activation activation);
/// "sigmoid", "tanh", "relu", "leaky_relu", "none".
std::string to_string(Activation activation);
/// The inverse of to_string; throws value_error naming the accepted names.
Activation parse_activation(const std::string& name);

}  // namespace xgrad::nn
