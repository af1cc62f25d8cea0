#include <xgrad/nn/sequential.hpp>

namespace xgrad::nn {

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& m : modules) {
    push_back(std::move(m));
  }
}

Value Sequential::forward(const Value& x) {
  Value y = x;
  for (const auto& m : modules_) {
    y = m->forward(y);
  }
  return y;
}

std::string Sequential::describe() const { return "Sequential(" + std::to_string(modules_.size()) + " modules)"; }

}  // namespace xgrad::nn
