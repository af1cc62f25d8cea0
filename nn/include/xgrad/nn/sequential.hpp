#pragma once
/// @file
/// `Sequential`: modules applied one after another.

#include <xgrad/nn/module.hpp>

#include <memory>
#include <string>
#include <vector>

namespace xgrad::nn {

/// Feeds its input through each module in turn; submodule i is named "i".
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);

  /// Appends a module and returns it.
  template <class M>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    modules_.push_back(module);
    return register_module(std::to_string(modules_.size() - 1), std::move(module));
  }

  Value forward(const Value& x) override;
  std::string describe() const override;

  std::size_t size() const { return modules_.size(); }
  Module& operator[](std::size_t i) const { return *modules_.at(i); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace xgrad::nn
