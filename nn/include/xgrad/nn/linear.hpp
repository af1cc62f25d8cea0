#pragma once
/// @file
/// `Linear`: y = x·W + b, the fully connected layer.

#include <xgrad/nn/init.hpp>
#include <xgrad/nn/module.hpp>
#include <xgrad/random.hpp>

#include <cstddef>
#include <string>

namespace xgrad::nn {

/// Options of a Linear layer.
struct LinearOptions {
  bool bias = true;                  ///< add a bias vector b
  Init init = Init::xavier_uniform;  ///< how W starts
  Init bias_init = Init::zeros;      ///< how b starts
};

/// y = x·W + b with W of shape (in, out) and b of shape (out): x of shape (n, in) gives (n, out),
/// and a single sample x of shape (in) gives (out). W is laid out (in, out), as in the lab's
/// derivations, so that ∂L/∂W = xᵀ·∂L/∂y. Recorded as one `linear` op (`matmul` alone without
/// a bias).
class Linear : public Module {
 public:
  /// Throws value_error unless both sizes are positive.
  Linear(std::size_t in, std::size_t out, Generator& gen, LinearOptions options = {});

  /// Throws shape_error, naming the layer, if x's last dimension is not `in`.
  Value forward(const Value& x) override;
  /// σ(forward(x)): with a bias, one `linear_sigmoid` op — the same values and gradients as
  /// the Linear and Sigmoid modules in turn, with one node fewer and without keeping x·W + b
  /// for the backward pass. nn::Sequential (and so nn::MLP) calls it for a Linear that a
  /// Sigmoid follows.
  Value forward_sigmoid(const Value& x);
  std::string describe() const override;

  const Value& weight() const { return weight_; }
  /// The bias; throws value_error for a layer built without one.
  const Value& bias() const;
  bool has_bias() const { return has_bias_; }
  std::size_t in_features() const { return in_; }
  std::size_t out_features() const { return out_; }

 private:
  // Throws shape_error, naming the layer, unless x is (n, in) or (in).
  void check_input(const Value& x) const;

  std::size_t in_;
  std::size_t out_;
  bool has_bias_;
  Value weight_;
  Value bias_;
};

}  // namespace xgrad::nn
