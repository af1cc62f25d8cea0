#pragma once
/// @file
/// `MLP`: the lab's network — Linear layers with an activation between them.

#include <xgrad/nn/activation.hpp>
#include <xgrad/nn/init.hpp>
#include <xgrad/nn/linear.hpp>
#include <xgrad/nn/sequential.hpp>
#include <xgrad/random.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace xgrad::nn {

/// Options of an MLP.
struct MLPOptions {
  Activation activation = Activation::sigmoid;  ///< after every hidden layer
  Activation output = Activation::sigmoid;      ///< after the last layer: sigmoid gives a probability
  bool bias = true;
  Init init = Init::xavier_uniform;
  Init bias_init = Init::zeros;
};

/// Sizes {2, h1, h2, 1} give the lab's two-hidden-layer network: Linear(2→h1), activation,
/// Linear(h1→h2), activation, Linear(h2→1), output activation.
class MLP : public Module {
 public:
  /// Throws value_error for fewer than two sizes or a zero size.
  MLP(const std::vector<std::size_t>& sizes, Generator& gen, MLPOptions options = {});

  /// The layers in turn, as nn::Sequential runs them: a Linear layer followed by a sigmoid
  /// runs as one op (Linear::forward_sigmoid), with the same values and gradients as the
  /// modules one by one.
  Value forward(const Value& x) override;
  std::string describe() const override;

  /// The i-th Linear layer (0 = first).
  const Linear& linear(std::size_t i) const { return *linears_.at(i); }
  std::size_t depth() const { return linears_.size(); }
  const MLPOptions& options() const { return options_; }

 private:
  std::vector<std::size_t> sizes_;
  MLPOptions options_;
  std::shared_ptr<Sequential> layers_;
  std::vector<std::shared_ptr<Linear>> linears_;
};

}  // namespace xgrad::nn
