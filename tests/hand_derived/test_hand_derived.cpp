// Autograd must reproduce the lab's hand-derived gradients (report 001's deltas) to rounding,
// for every parameter, on both datasets, and along a whole training run.
#include <doctest/doctest.h>

#include "hand_backprop.hpp"

#include <xgrad/nn.hpp>

#include <cmath>
#include <string>

namespace nn = xgrad::nn;
using xgrad::Tensor;
using xgrad::Value;

namespace {

lab::Network copy_of(const nn::MLP& model) {
  return {model.linear(0).weight().data(), model.linear(0).bias().data(),   model.linear(1).weight().data(),
          model.linear(1).bias().data(),   model.linear(2).weight().data(), model.linear(2).bias().data()};
}

// Largest |hand − autograd| over every gradient entry, after one backward of ½·MSE.
double worst_difference(nn::MLP& model, const nn::Dataset& data, double& loss_difference) {
  const lab::Gradients hand = lab::backprop(copy_of(model), data.inputs, data.labels);
  model.zero_grad();
  const Value loss = nn::half_mse_loss(model(Value(data.inputs)), Value(data.labels));
  loss.backward();
  loss_difference = std::abs(loss.item() - hand.loss);
  const Tensor* by_hand[] = {&hand.w1, &hand.b1, &hand.w2, &hand.b2, &hand.w3, &hand.b3};
  double worst = 0.0;
  std::size_t k = 0;
  for (const nn::NamedParameter& p : model.named_parameters()) {
    REQUIRE(by_hand[k]->shape() == p.value.grad().shape());
    worst = std::max(worst, double(xt::amax(xt::abs(*by_hand[k++] - p.value.grad()))()));
  }
  return worst;
}

nn::Dataset dataset(const std::string& name) {
  xgrad::Generator gen(11);
  return name == "xor" ? nn::xor_easy() : nn::linear(100, gen);
}

}  // namespace

TEST_CASE("autograd equals the hand-derived deltas for every parameter") {
  for (const std::string name : {"xor", "linear"}) {
    for (nn::Init init : {nn::Init::normal, nn::Init::uniform, nn::Init::xavier_uniform}) {
      CAPTURE(name);
      CAPTURE(nn::to_string(init));
      xgrad::Generator gen(3);
      nn::MLP model({2, 10, 10, 1}, gen, {.init = init, .bias_init = nn::Init::normal});
      double loss_difference = 0.0;
      CHECK(worst_difference(model, dataset(name), loss_difference) < 1e-10);
      CHECK(loss_difference < 1e-12);
    }
  }
}

TEST_CASE("training by hand and by autograd follow the same path") {
  for (const std::string name : {"xor", "linear"}) {
    CAPTURE(name);
    const nn::Dataset data = dataset(name);
    xgrad::Generator gen(5);
    nn::MLP model({2, 8, 4, 1}, gen, {.init = nn::Init::normal});
    lab::Network net = copy_of(model);
    nn::SGD sgd(model.parameters(), {.lr = 0.5});
    for (int epoch = 0; epoch < 200; ++epoch) {
      lab::sgd_step(net, lab::backprop(net, data.inputs, data.labels), 0.5);
      sgd.zero_grad();
      nn::half_mse_loss(model(Value(data.inputs)), Value(data.labels)).backward();
      sgd.step();
    }
    double loss_difference = 0.0;
    CHECK(worst_difference(model, data, loss_difference) < 1e-10);
    CHECK(double(xt::amax(xt::abs(net.w1 - model.linear(0).weight().data()))()) < 1e-10);
  }
}
