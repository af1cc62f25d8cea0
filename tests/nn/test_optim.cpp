// Optimizers against a hand computation of their update rules, options validation, no-grad
// updates, and saved state.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <xtensor/xmath.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

using nn_test::contains;
using nn_test::message_of;
using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

// f(θ) = ½ Σ aᵢ(θᵢ − cᵢ)² over two parameters, a vector and a matrix: ∇f = a ⊙ (θ − c).
struct Quadratic {
  std::vector<Tensor> a{Tensor{1.0, 3.0, 0.5}, Tensor{{2.0, 0.25}, {1.5, 4.0}}};
  std::vector<Tensor> c{Tensor{0.5, -1.0, 2.0}, Tensor{{-0.5, 1.0}, {0.0, 3.0}}};
  std::vector<Tensor> start{Tensor{2.0, 1.0, -1.0}, Tensor{{1.0, -2.0}, {0.5, 0.75}}};

  std::vector<Value> parameters() const {
    return {Value(start[0]).set_requires_grad(), Value(start[1]).set_requires_grad()};
  }
  // Zeroes the gradients, then backpropagates f through autograd.
  void backward(const std::vector<Value>& theta) const {
    Value f(0.0);
    for (std::size_t i = 0; i < theta.size(); ++i) {
      theta[i].zero_grad();
      const Value d = theta[i] - Value(c[i]);
      f = f + 0.5 * xgrad::sum(Value(a[i]) * d * d);
    }
    f.backward();
  }
  Tensor gradient(std::size_t i, const Tensor& theta) const { return a[i] * (theta - c[i]); }
};

// The update rules in plain doubles, element by element.
using Rule = std::function<void(std::size_t step, double g, double& theta, double& s1, double& s2)>;

std::vector<Tensor> reference(const Quadratic& q, int steps, const Rule& rule) {
  std::vector<Tensor> theta = q.start;
  std::vector<Tensor> s1{xt::zeros_like(theta[0]), xt::zeros_like(theta[1])};
  std::vector<Tensor> s2 = s1;
  for (int t = 1; t <= steps; ++t) {
    for (std::size_t i = 0; i < theta.size(); ++i) {
      const Tensor g = q.gradient(i, theta[i]);
      for (std::size_t k = 0; k < g.size(); ++k) {
        rule(static_cast<std::size_t>(t), g.data()[k], theta[i].data()[k], s1[i].data()[k], s2[i].data()[k]);
      }
    }
  }
  return theta;
}

void run(const Quadratic& q, nn::Optimizer& opt, int steps) {
  for (int t = 0; t < steps; ++t) {
    q.backward(opt.parameters());
    opt.step();
  }
}

bool near(const std::vector<Value>& got, const std::vector<Tensor>& want) {
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Tensor diff = xt::abs(got[i].data() - want[i]);
    if (!xt::all(diff <= 1e-14 * xt::maximum(1.0, xt::abs(want[i])))) {
      return false;
    }
  }
  return true;
}

Rule sgd_rule(nn::SGDOptions o) {
  return [o](std::size_t, double g, double& theta, double& v, double&) {
    g += o.weight_decay * theta;
    if (o.momentum == 0.0) {
      theta -= o.lr * g;
      return;
    }
    v = o.momentum * v + g;
    theta -= o.lr * (o.nesterov ? g + o.momentum * v : v);
  };
}

Rule adam_rule(nn::AdamOptions o) {
  return [o](std::size_t t, double g, double& theta, double& m, double& v) {
    g += o.weight_decay * theta;
    m = o.beta1 * m + (1.0 - o.beta1) * g;
    v = o.beta2 * v + (1.0 - o.beta2) * g * g;
    const double m_hat = m / (1.0 - std::pow(o.beta1, static_cast<double>(t)));
    const double v_hat = v / (1.0 - std::pow(o.beta2, static_cast<double>(t)));
    theta -= o.lr * m_hat / (std::sqrt(v_hat) + o.eps);
  };
}

}  // namespace

TEST_CASE("SGD: ten steps equal the hand-computed update rule") {
  const Quadratic q;
  for (const nn::SGDOptions& o :
       {nn::SGDOptions{.lr = 0.1}, nn::SGDOptions{.lr = 0.05, .momentum = 0.9},
        nn::SGDOptions{.lr = 0.05, .momentum = 0.8, .nesterov = true}, nn::SGDOptions{.lr = 0.1, .weight_decay = 0.3},
        nn::SGDOptions{.lr = 0.05, .momentum = 0.5, .nesterov = true, .weight_decay = 0.1}}) {
    CAPTURE(o.momentum);
    CAPTURE(o.nesterov);
    CAPTURE(o.weight_decay);
    nn::SGD sgd(q.parameters(), o);
    run(q, sgd, 10);
    const std::vector<Tensor> want = reference(q, 10, sgd_rule(o));
    CHECK(near(sgd.parameters(), want));
    CHECK_FALSE(nn_test::same_bits(want[0], q.start[0]));  // the parameters did move
    CHECK(sgd.state().steps == 10);
  }
}

TEST_CASE("Adam: ten steps equal the hand-computed update rule") {
  const Quadratic q;
  for (const nn::AdamOptions& o : {nn::AdamOptions{.lr = 0.1}, nn::AdamOptions{.lr = 0.05, .beta1 = 0.8, .beta2 = 0.99},
                                   nn::AdamOptions{.lr = 0.1, .weight_decay = 0.2},
                                   nn::AdamOptions{.lr = 0.02, .eps = 1e-3, .weight_decay = 0.05}}) {
    CAPTURE(o.lr);
    CAPTURE(o.weight_decay);
    nn::Adam adam(q.parameters(), o);
    run(q, adam, 10);
    CHECK(near(adam.parameters(), reference(q, 10, adam_rule(o))));
    CHECK(adam.state().steps == 10);
  }
}

TEST_CASE("step() updates in place under no-grad: no graph node is recorded") {
  const Quadratic q;
  for (int kind = 0; kind < 2; ++kind) {
    const std::vector<Value> theta = q.parameters();
    std::unique_ptr<nn::Optimizer> opt;
    if (kind == 0) {
      opt = std::make_unique<nn::SGD>(theta, nn::SGDOptions{.momentum = 0.9, .nesterov = true});
    } else {
      opt = std::make_unique<nn::Adam>(theta);
    }
    q.backward(theta);
    const std::size_t before = xgrad::live_nodes();
    opt->step();
    CHECK(xgrad::live_nodes() == before);
    CHECK(xgrad::grad_enabled());
    for (const Value& p : theta) {
      CHECK(p.is_leaf());
      CHECK(p.requires_grad());
    }
    CHECK(theta[0].is_same(opt->parameters()[0]));
    CHECK_FALSE(nn_test::same_bits(theta[0].data(), q.start[0]));
    opt->zero_grad();
    CHECK_FALSE(theta[0].has_grad());  // cleared, not zero-filled: the next pass stores its own
    CHECK(xt::all(xt::equal(theta[1].grad(), 0.0)));
  }
}

TEST_CASE("options are validated: the message names the optimizer and the value") {
  const Quadratic q;
  auto sgd_error = [&](nn::SGDOptions o) {
    return message_of<xgrad::value_error>([&] { nn::SGD(q.parameters(), o); });
  };
  auto adam_error = [&](nn::AdamOptions o) {
    return message_of<xgrad::value_error>([&] { nn::Adam(q.parameters(), o); });
  };
  const std::vector<std::pair<std::string, std::string>> cases{
      {sgd_error({.lr = -0.1}), "-0.1"},
      {sgd_error({.lr = NAN}), "nan"},
      {sgd_error({.momentum = 1.0}), "1"},
      {sgd_error({.momentum = -0.5}), "-0.5"},
      {sgd_error({.momentum = 0.0, .nesterov = true}), "nesterov"},
      {sgd_error({.weight_decay = -1e-4}), "-1e-04"},
      {adam_error({.lr = -1e-3}), "-0.001"},
      {adam_error({.beta1 = 1.0}), "beta1"},
      {adam_error({.beta1 = -0.25}), "-0.25"},
      {adam_error({.beta2 = 1.5}), "1.5"},
      {adam_error({.eps = 0.0}), "eps"},
      {adam_error({.eps = -1e-9}), "-1e-09"},
      {adam_error({.eps = INFINITY}), "inf"},
      {adam_error({.weight_decay = -0.5}), "-0.5"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [message, value] = cases[i];
    CAPTURE(i);
    CAPTURE(message);
    CHECK(contains(message, i < 6 ? "SGD: " : "Adam: "));
    CHECK(contains(message, value));
  }
}

TEST_CASE("set_lr and the parameters are validated too") {
  const Quadratic q;
  nn::SGD sgd(q.parameters());
  sgd.set_lr(0.25);
  CHECK(sgd.lr() == 0.25);
  CHECK_THROWS_WITH_AS(sgd.set_lr(-1.0), doctest::Contains("SGD"), xgrad::value_error);
  CHECK_THROWS_AS(sgd.set_lr(INFINITY), xgrad::value_error);
  CHECK(sgd.lr() == 0.25);
  const Value not_param(Tensor{1.0, 2.0});
  CHECK_THROWS_WITH_AS(nn::Adam({not_param}), doctest::Contains("Adam"), xgrad::value_error);
  const Value p = Value(Tensor{1.0}).set_requires_grad();
  const Value op_result = p * 2.0;
  CHECK_THROWS_AS(nn::SGD({op_result}), xgrad::value_error);
}

TEST_CASE("state() and load_state() resume an optimizer exactly") {
  const Quadratic q;
  nn::Adam first(q.parameters(), {.lr = 0.05});
  run(q, first, 4);
  const nn::OptimizerState saved = first.state();
  CHECK(saved.steps == 4);
  CHECK(saved.buffers.size() == 4);  // m then v for each of two parameters
  std::vector<Value> copies;
  for (const Value& p : first.parameters()) {
    copies.push_back(p.detach().set_requires_grad());
  }
  nn::Adam second(copies, {.lr = 0.05});
  second.load_state(saved);
  run(q, first, 3);
  run(q, second, 3);
  for (std::size_t i = 0; i < copies.size(); ++i) {
    CHECK(nn_test::same_bits(first.parameters()[i].data(), copies[i].data()));
  }

  nn::SGD sgd(q.parameters(), {.momentum = 0.9});
  run(q, sgd, 2);
  nn::SGD sgd2(q.parameters(), {.momentum = 0.9});
  sgd2.load_state(sgd.state());
  CHECK(sgd2.state().steps == 2);
  CHECK(nn_test::same_bits(sgd2.state().buffers[1], sgd.state().buffers[1]));
}

TEST_CASE("a state that does not fit is a value_error") {
  const Quadratic q;
  nn::Adam adam(q.parameters());
  nn::SGD sgd(q.parameters(), {.momentum = 0.5});
  CHECK_THROWS_WITH_AS(adam.load_state(sgd.state()), doctest::Contains("Adam"), xgrad::value_error);  // 2 ≠ 4 buffers
  nn::OptimizerState wrong = sgd.state();
  wrong.buffers[1] = xt::zeros<double>({2, 3});
  const std::string m = message_of<xgrad::value_error>([&] { sgd.load_state(wrong); });
  CHECK(contains(m, "SGD"));
  CHECK(contains(m, "(2,3)"));
  CHECK(contains(m, "(2,2)"));
  std::swap(wrong.buffers[0], wrong.buffers[1]);
  CHECK_THROWS_AS(sgd.load_state(wrong), xgrad::value_error);
  CHECK(sgd.state().buffers[0] == Tensor(xt::zeros<double>({3})));  // nothing was loaded
}
