#include <xgrad/nn/module.hpp>

namespace xgrad::nn {

Value Module::register_parameter(std::string name, Value value) {
  value.set_requires_grad();
  parameters_.push_back({std::move(name), value});
  return value;
}

void Module::collect(const std::string& prefix, std::vector<NamedParameter>& out) const {
  for (const NamedParameter& p : parameters_) {
    out.push_back({prefix + p.name, p.value});
  }
  for (const auto& [name, child] : children_) {
    child->collect(prefix + name + ".", out);
  }
}

std::vector<NamedParameter> Module::named_parameters() const {
  std::vector<NamedParameter> out;
  collect("", out);
  return out;
}

std::vector<Value> Module::parameters() const {
  std::vector<Value> out;
  for (NamedParameter& p : named_parameters()) {
    out.push_back(std::move(p.value));
  }
  return out;
}

std::size_t Module::parameter_count() const {
  std::size_t n = 0;
  for (const NamedParameter& p : named_parameters()) {
    n += p.value.size();
  }
  return n;
}

void Module::zero_grad() const {
  for (const NamedParameter& p : named_parameters()) {
    p.value.zero_grad();
  }
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& child : children_) {
    child.second->train(on);
  }
}

void Module::describe_tree(const std::string& prefix, std::size_t depth, std::string& out) const {
  out += std::string(2 * depth, ' ') + (prefix.empty() ? "" : prefix + ": ") + describe();
  for (const NamedParameter& p : parameters_) {
    out += "  " + p.name + " " + shape_str(p.value.shape());
  }
  out += '\n';
  for (const auto& [name, child] : children_) {
    child->describe_tree(name, depth + 1, out);
  }
}

std::string Module::summary() const {
  std::string out;
  describe_tree("", 0, out);
  return out + "parameters: " + std::to_string(parameter_count()) + "\n";
}

}  // namespace xgrad::nn
