#include <xgrad/nn/sequential.hpp>

#include <xgrad/nn/activation.hpp>
#include <xgrad/nn/linear.hpp>

#include <typeinfo>

namespace xgrad::nn {

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& m : modules) {
    push_back(std::move(m));
  }
}

void Sequential::plan_appended() {
  fused_.push_back(nullptr);
  const std::size_t n = modules_.size();
  // Exact types only: a subclass may override forward, and then it must run.
  if (n >= 2 && typeid(*modules_[n - 1]) == typeid(Sigmoid) && typeid(*modules_[n - 2]) == typeid(Linear)) {
    fused_[n - 2] = static_cast<Linear*>(modules_[n - 2].get());
  }
}

Value Sequential::forward(const Value& x) {
  Value y = x;
  for (std::size_t i = 0; i < modules_.size(); ++i) {
    if (fused_[i] != nullptr) {
      y = fused_[i]->forward_sigmoid(y);
      ++i;  // the Sigmoid, already applied
    } else {
      y = modules_[i]->forward(y);
    }
  }
  return y;
}

std::string Sequential::describe() const { return "Sequential(" + std::to_string(modules_.size()) + " modules)"; }

}  // namespace xgrad::nn
