#pragma once
/// @file
/// `Sequential`: modules applied one after another.

#include <xgrad/nn/module.hpp>

#include <memory>
#include <string>
#include <vector>

namespace xgrad::nn {

class Linear;

/// Feeds its input through each module in turn; submodule i is named "i".
///
/// A `Linear` followed by a `Sigmoid` (both exactly those classes, not subclasses) runs as one
/// op, `Linear::forward_sigmoid`: the same values and gradients, bit for bit, with one node
/// fewer and without keeping x·W + b for the backward pass. Every other module runs its own
/// `forward`.
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);

  /// Appends a module and returns it.
  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    modules_.push_back(module);
    plan_appended();
    return register_module(std::to_string(modules_.size() - 1), std::move(module));
  }

  Value forward(const Value& x) override;
  std::string describe() const override;

  std::size_t size() const { return modules_.size(); }
  Module& operator[](std::size_t i) const { return *modules_.at(i); }

 private:
  // Records whether the module just appended is a Sigmoid that follows a Linear.
  void plan_appended();

  std::vector<std::shared_ptr<Module>> modules_;
  // Parallel to modules_: the Linear at i when a Sigmoid follows it (forward runs the two as
  // one op), null elsewhere. Decided once per module as it is appended.
  std::vector<Linear*> fused_;
};

}  // namespace xgrad::nn
