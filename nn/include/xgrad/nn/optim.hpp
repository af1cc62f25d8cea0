#pragma once
/// @file
/// Optimizers: they read each parameter's gradient and update its data in place, under no-grad.

#include <xgrad/tensor.hpp>
#include <xgrad/value.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace xgrad::nn {

/// The state an optimizer carries between steps, by name (for checkpoints).
struct OptimizerState {
  std::uint64_t steps = 0;
  std::vector<Tensor> buffers;  ///< per parameter: momentum for SGD, first then second moments for Adam
};

/// The common interface: step(), zero_grad(), the learning rate and the saved state.
class Optimizer {
 public:
  explicit Optimizer(std::vector<Value> params, double lr, const char* name);
  virtual ~Optimizer() = default;

  /// One update of every parameter from its current gradient.
  virtual void step() = 0;
  /// Clears every parameter's gradient (Value::clear_grad): it reads as zeros, and the next
  /// backward pass stores each gradient as it arrives rather than adding it to zeros.
  void zero_grad() const;

  double lr() const { return lr_; }
  /// Throws value_error for a negative or non-finite rate.
  void set_lr(double lr);
  const std::vector<Value>& parameters() const { return params_; }
  /// "SGD" or "Adam": checkpoints record it and refuse a mismatch.
  const char* name() const { return name_; }

  virtual OptimizerState state() const = 0;
  /// Restores a state from `state()`; throws value_error if it does not fit these parameters.
  virtual void load_state(const OptimizerState& state) = 0;

 protected:
  // Checks that `buffers` holds `per_param` tensors per parameter with the parameters' shapes.
  void check_state(const OptimizerState& state, std::size_t per_param) const;

  std::vector<Value> params_;

 private:
  double lr_;
  const char* name_;
};

/// Options of SGD. Validated by the constructor.
struct SGDOptions {
  double lr = 0.1;
  double momentum = 0.0;      ///< in [0, 1); the velocity v ← μ·v + g
  bool nesterov = false;      ///< step along g + μ·v instead of v (needs momentum > 0)
  double weight_decay = 0.0;  ///< adds λ·θ to each gradient (L2 penalty)
};

/// Stochastic gradient descent: θ ← θ − lr·d, with d = g, or the velocity with momentum.
class SGD : public Optimizer {
 public:
  SGD(std::vector<Value> params, SGDOptions options = {});
  void step() override;
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

 private:
  SGDOptions options_;
  std::vector<Tensor> velocity_;
  std::uint64_t steps_ = 0;
};

/// Options of Adam. Validated by the constructor.
struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  ///< adds λ·θ to each gradient (L2 penalty, as in the original Adam)
};

/// Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·m̂/(√v̂ + ε) with the bias
/// corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
class Adam : public Optimizer {
 public:
  Adam(std::vector<Value> params, AdamOptions options = {});
  void step() override;
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

 private:
  AdamOptions options_;
  std::vector<Tensor> m_;
  std::vector<Tensor> v_;
  std::uint64_t steps_ = 0;
};

}  // namespace xgrad::nn
