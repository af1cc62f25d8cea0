#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include <cmath>
#include <thread>

using xgrad::Value;

TEST_CASE("anomaly mode is off by default: IEEE results pass through") {
  CHECK_FALSE(xgrad::anomaly_detection_enabled());
  CHECK(std::isnan(xgrad::log(Value(-1.0)).item()));
  CHECK(std::isinf(xgrad::exp(Value(1000.0)).item()));
}

TEST_CASE("anomaly mode: the first op whose forward is not finite throws, naming op and shapes") {
  xgrad::DetectAnomalyGuard guard;
  const Value x = Value(xgrad::Tensor{1.0, -1.0, 2.0}).set_requires_grad();
  CHECK_THROWS_WITH_AS(xgrad::log(x),
                       "log: forward produced NaN or infinity in its result of shape (3) (input shapes (3))",
                       xgrad::anomaly_error);
  const Value big = xgrad::full({2, 2}, 800.0);
  CHECK_THROWS_WITH_AS(xgrad::exp(big) * 2.0,
                       "exp: forward produced NaN or infinity in its result of shape (2,2) (input shapes (2,2))",
                       xgrad::anomaly_error);
  // A 0-d op on 0-d values, whose result is recorded as a number, is checked the same way.
  const Value s = Value(-1.0).set_requires_grad();
  CHECK_THROWS_WITH_AS(xgrad::sqrt(s) + 1.0,
                       "sqrt: forward produced NaN or infinity in its result of shape () (input shapes ())",
                       xgrad::anomaly_error);
  CHECK_THROWS_WITH_AS(s / Value(0.0),
                       "div: forward produced NaN or infinity in its result of shape () (input shapes (), ())",
                       xgrad::anomaly_error);
  // Finite work is untouched.
  CHECK(xgrad::sum(xgrad::exp(x)).item() == doctest::Approx(std::exp(1.0) + std::exp(-1.0) + std::exp(2.0)));
}

TEST_CASE("anomaly mode: a backward step that produces NaN or infinity throws") {
  const Value x = Value(xgrad::Tensor{0.0, 4.0}).set_requires_grad();
  const Value y = xgrad::sum(xgrad::sqrt(x));  // finite forward; d√x/dx = ∞ at 0
  {
    xgrad::DetectAnomalyGuard guard;
    CHECK_THROWS_WITH_AS(y.backward(xgrad::Tensor(1.0), {.retain_graph = true}),
                         "sqrt: backward produced NaN or infinity in the gradient of input 0 (input shapes (2))",
                         xgrad::anomaly_error);
  }
  y.backward();  // without the guard the infinity is simply propagated
  CHECK(std::isinf(x.grad()(0)));
}

TEST_CASE("anomaly guards nest and are per thread") {
  {
    xgrad::DetectAnomalyGuard outer;
    {
      xgrad::DetectAnomalyGuard inner;
      CHECK(xgrad::anomaly_detection_enabled());
    }
    CHECK(xgrad::anomaly_detection_enabled());
    bool other_thread = true;
    std::thread([&] { other_thread = xgrad::anomaly_detection_enabled(); }).join();
    CHECK_FALSE(other_thread);
  }
  CHECK_FALSE(xgrad::anomaly_detection_enabled());
}
