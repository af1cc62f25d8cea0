// Bad options given to the API, beyond those test_optim, test_schedule and test_module check:
// each is a value_error whose message names the class and the value, and nothing is built.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <cmath>
#include <string>
#include <vector>

using nn_test::contains;
using nn_test::message_of;
using xgrad::Generator;
using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

std::vector<Value> one_parameter() { return {Value(Tensor{1.0}).set_requires_grad()}; }

// The value_error `f` throws must name `who` and contain `part`.
template <class F>
void expect_value_error(F&& f, const std::string& who, const std::string& part) {
  const std::string m = message_of<xgrad::value_error>(std::forward<F>(f));
  CAPTURE(m);
  CHECK(contains(m, who));
  CHECK(contains(m, part));
}

}  // namespace

TEST_CASE("optimizer rates and factors outside their ranges, including NaN and infinity") {
  const std::vector<Value> p = one_parameter();
  const double nan = std::nan("");
  const double inf = INFINITY;
  expect_value_error([&] { nn::SGD(p, {.lr = inf}); },
                     "SGD: ", "learning rate must be finite and non-negative, got inf");
  expect_value_error([&] { nn::SGD(p, {.lr = -inf}); }, "SGD: ", "got -inf");
  expect_value_error([&] { nn::SGD(p, {.momentum = 1.5}); }, "SGD: ", "momentum must be in [0, 1), got 1.5");
  expect_value_error([&] { nn::SGD(p, {.momentum = nan}); }, "SGD: ", "momentum must be in [0, 1), got nan");
  expect_value_error([&] { nn::SGD(p, {.weight_decay = nan}); }, "SGD: ", "weight decay");
  expect_value_error([&] { nn::SGD(p, {.weight_decay = inf}); }, "SGD: ", "weight decay");
  expect_value_error([&] { nn::Adam(p, {.lr = nan}); },
                     "Adam: ", "learning rate must be finite and non-negative, got nan");
  expect_value_error([&] { nn::Adam(p, {.beta1 = nan}); }, "Adam: ", "beta1 must be in [0, 1), got nan");
  expect_value_error([&] { nn::Adam(p, {.beta2 = 1.0}); }, "Adam: ", "beta2 must be in [0, 1), got 1");
  expect_value_error([&] { nn::Adam(p, {.beta2 = -0.001}); }, "Adam: ", "beta2 must be in [0, 1), got -0.001");
  expect_value_error([&] { nn::Adam(p, {.eps = nan}); }, "Adam: ", "eps must be positive and finite, got nan");
  nn::SGD sgd(p, {.lr = 0.5});
  expect_value_error([&] { sgd.set_lr(nan); }, "SGD: ", "got nan");
  CHECK(sgd.lr() == 0.5);
  nn::SGD zero(p, {.lr = 0.0});  // a zero rate is allowed: the parameters simply stay put
  CHECK(zero.lr() == 0.0);
}

TEST_CASE("schedules: step size 0 and a gamma of NaN, zero or infinity") {
  nn::SGD sgd(one_parameter());
  expect_value_error([&] { nn::StepLR(sgd, 0, 0.5); }, "StepLR: ", "step_size must be positive");
  expect_value_error([&] { nn::StepLR(sgd, 3, std::nan("")); },
                     "StepLR: ", "gamma must be positive and finite, got nan");
  expect_value_error([&] { nn::ExponentialLR(sgd, 0.0); }, "ExponentialLR: ", "got 0");
  expect_value_error([&] { nn::ExponentialLR(sgd, -INFINITY); }, "ExponentialLR: ", "got -inf");
}

TEST_CASE("layers and networks with a zero size") {
  Generator gen(1);
  expect_value_error([&] { nn::Linear(0, 4, gen); }, "Linear: ", "sizes must be positive, got 0 → 4");
  expect_value_error([&] { nn::Linear(4, 0, gen, {.bias = false}); }, "Linear: ", "got 4 → 0");
  expect_value_error([&] { nn::MLP({0, 3, 1}, gen); }, "MLP: ", "0-3-1");
  expect_value_error([&] { nn::MLP({2, 3, 0}, gen); }, "MLP: ", "2-3-0");
  expect_value_error([&] { nn::MLP({2, 10, 0, 10, 1}, gen); }, "MLP: ", "2-10-0-10-1");
  expect_value_error([&] { nn::MLP({5}, gen); }, "MLP: ", "at least an input and an output size");
}

TEST_CASE("a batch size larger than the data is one batch of every row, not an error") {
  nn::Dataset d{Tensor::from_shape({5, 2}), Tensor::from_shape({5, 1})};
  for (std::size_t i = 0; i < 5; ++i) {
    d.inputs(i, 0) = static_cast<double>(i);
    d.inputs(i, 1) = -static_cast<double>(i);
    d.labels(i, 0) = static_cast<double>(i % 2);
  }
  for (std::size_t size : {5U, 6U, 1000U}) {
    CAPTURE(size);
    const std::vector<nn::Dataset> b = nn::batches(d, size);
    REQUIRE(b.size() == 1);
    CHECK(b[0].inputs == d.inputs);
    CHECK(b[0].labels == d.labels);
  }
}
