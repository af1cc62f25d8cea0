// Learning-rate schedules: the lab's "halve at half the epochs" and exponential decay.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include <cmath>
#include <vector>

using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

std::vector<Value> one_parameter() { return {Value(Tensor{1.0, 2.0}).set_requires_grad()}; }

}  // namespace

TEST_CASE("StepLR halves the rate at half the epochs, as the lab does") {
  nn::SGD sgd(one_parameter(), {.lr = 0.1});
  const std::size_t epochs = 10;
  nn::StepLR schedule(sgd, epochs / 2);
  std::vector<double> seen;
  for (std::size_t e = 0; e < epochs; ++e) {
    seen.push_back(sgd.lr());  // the rate used during epoch e
    sgd.step();
    schedule.step();
  }
  CHECK(schedule.epoch() == epochs);
  CHECK(seen == std::vector<double>{0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05});
  CHECK(sgd.lr() == 0.025);  // after the tenth epoch: two halvings
}

TEST_CASE("StepLR with another gamma and step size") {
  nn::Adam adam(one_parameter(), {.lr = 1.0});
  nn::StepLR schedule(adam, 3, 0.1);
  std::vector<double> seen;
  for (int e = 0; e < 7; ++e) {
    schedule.step();
    seen.push_back(adam.lr());
  }
  CHECK(seen == std::vector<double>{1.0, 1.0, 0.1, 0.1, 0.1, std::pow(0.1, 2.0), std::pow(0.1, 2.0)});
}

TEST_CASE("ExponentialLR multiplies by gamma every epoch, computed from the base rate") {
  nn::SGD sgd(one_parameter(), {.lr = 0.2});
  nn::ExponentialLR schedule(sgd, 0.9);
  for (int e = 1; e <= 50; ++e) {
    schedule.step();
    CHECK(sgd.lr() == 0.2 * std::pow(0.9, static_cast<double>(e)));
  }
  CHECK(schedule.epoch() == 50);
}

TEST_CASE("schedules reject a bad gamma or step size") {
  nn::SGD sgd(one_parameter());
  CHECK_THROWS_WITH_AS(nn::StepLR(sgd, 0), doctest::Contains("StepLR"), xgrad::value_error);
  for (double gamma : {0.0, -0.5, static_cast<double>(NAN), static_cast<double>(INFINITY)}) {
    CAPTURE(gamma);
    CHECK_THROWS_WITH_AS(nn::StepLR(sgd, 5, gamma), doctest::Contains("gamma"), xgrad::value_error);
    CHECK_THROWS_WITH_AS(nn::ExponentialLR(sgd, gamma), doctest::Contains("ExponentialLR"), xgrad::value_error);
  }
  CHECK(sgd.lr() == 0.1);  // untouched
}
