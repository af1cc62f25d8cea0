#include <xgrad/nn/activation.hpp>

#include <xgrad/ops/unary.hpp>

#include "names.hpp"

#include <array>
#include <utility>

namespace xgrad::nn {

namespace {

constexpr detail::NameTable<Activation, 5> activation_names{{
    {Activation::sigmoid, "sigmoid"},
    {Activation::tanh, "tanh"},
    {Activation::relu, "relu"},
    {Activation::leaky_relu, "leaky_relu"},
    {Activation::none, "none"},
}};

}  // namespace

Value Sigmoid::forward(const Value& x) { return sigmoid(x); }
Value Tanh::forward(const Value& x) { return tanh(x); }
Value ReLU::forward(const Value& x) { return relu(x); }
Value LeakyReLU::forward(const Value& x) { return leaky_relu(x, slope_); }
std::string LeakyReLU::describe() const { return "LeakyReLU(" + detail::number(slope_) + ")"; }

std::shared_ptr<Module> make_activation(Activation activation) {
  switch (activation) {
    case Activation::sigmoid:
      return std::make_shared<Sigmoid>();
    case Activation::tanh:
      return std::make_shared<Tanh>();
    case Activation::relu:
      return std::make_shared<ReLU>();
    case Activation::leaky_relu:
      return std::make_shared<LeakyReLU>();
    case Activation::none:
      return std::make_shared<Identity>();
  }
  throw value_error("make_activation: unknown activation");
}

std::string to_string(Activation activation) { return detail::name_of(activation_names, activation); }

Activation parse_activation(const std::string& name) {
  return detail::parse_name(activation_names, "activation", name);
}

}  // namespace xgrad::nn
