#pragma once
/// @file
/// Learning-rate schedules: call `step()` once per epoch, after the optimizer's step.

#include <xgrad/nn/optim.hpp>

#include <cstddef>

namespace xgrad::nn {

/// Sets the optimizer's rate to base·factor(epoch) after each epoch; the rate is computed from
/// the base each time, so it never drifts by accumulated rounding.
class LRSchedule {
 public:
  explicit LRSchedule(Optimizer& optimizer) : optimizer_(optimizer), base_lr_(optimizer.lr()) {}
  virtual ~LRSchedule() = default;

  /// Ends an epoch: advances the count and updates the rate.
  void step();
  std::size_t epoch() const { return epoch_; }

 protected:
  /// The multiplier of the base rate after `epoch` completed epochs.
  virtual double factor(std::size_t epoch) const = 0;

 private:
  Optimizer& optimizer_;
  double base_lr_;
  std::size_t epoch_ = 0;
};

/// lr = base·γ^⌊epoch/step_size⌋. With step_size = epochs/2 and γ = ½ this is the lab's
/// "halve the learning rate at half the epochs".
class StepLR : public LRSchedule {
 public:
  /// Throws value_error unless step_size > 0 and γ > 0.
  StepLR(Optimizer& optimizer, std::size_t step_size, double gamma = 0.5);

 protected:
  double factor(std::size_t epoch) const override;

 private:
  std::size_t step_size_;
  double gamma_;
};

/// lr = base·γ^epoch.
class ExponentialLR : public LRSchedule {
 public:
  /// Throws value_error unless γ > 0.
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  double factor(std::size_t epoch) const override;

 private:
  double gamma_;
};

}  // namespace xgrad::nn
