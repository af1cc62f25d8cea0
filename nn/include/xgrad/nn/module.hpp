#pragma once
/// @file
/// `Module`: the base of every layer and network — named parameters, submodules, modes.

#include <xgrad/value.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace xgrad::nn {

/// A parameter and its dotted path in the module tree, e.g. "layers.0.weight".
struct NamedParameter {
  std::string name;
  Value value;
};

/// A layer or network: a function of one value with named parameters and submodules.
///
/// Parameters are Values that require grad; the module holds handles to them, so an optimizer
/// given `parameters()` updates the very tensors the module computes with. Modules are not
/// copyable (a copy would alias the parameters); share them with `std::shared_ptr`.
class Module {
 public:
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  virtual ~Module() = default;

  /// The module's computation, recorded in the graph like any op.
  virtual Value forward(const Value& x) = 0;
  Value operator()(const Value& x) { return forward(x); }

  /// A one-line description, e.g. "Linear(2 → 10, bias)".
  virtual std::string describe() const = 0;

  /// Every parameter of this module and its submodules, depth first, in registration order.
  std::vector<Value> parameters() const;
  /// The same, with dotted names.
  std::vector<NamedParameter> named_parameters() const;
  /// Total number of parameter elements.
  std::size_t parameter_count() const;
  /// Zeroes every parameter's gradient.
  void zero_grad() const;

  /// Training mode (the default) or evaluation mode, for this module and all submodules.
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  /// A table of the module tree: one line per module with its parameters' shapes, and the total.
  std::string summary() const;

 protected:
  /// Makes `value` a parameter named `name` (marks it as requiring grad) and returns it.
  Value register_parameter(std::string name, Value value);
  /// Makes `module` a submodule named `name` and returns it.
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    children_.emplace_back(std::move(name), module);
    return module;
  }

 private:
  void collect(const std::string& prefix, std::vector<NamedParameter>& out) const;
  void describe_tree(const std::string& prefix, std::size_t depth, std::string& out) const;

  std::vector<NamedParameter> parameters_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace xgrad::nn
