// Losses: values against direct formulas, reductions, shapes, gradients, extreme inputs.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <xtensor/xmath.hpp>

#include <cmath>
#include <string>

using nn_test::column;
using nn_test::contains;
using nn_test::message_of;
using xgrad::Tensor;
using xgrad::Value;
namespace nn = xgrad::nn;

namespace {

Value param(const Tensor& t) { return Value(t).set_requires_grad(); }

const Tensor pred = column({0.9, 0.2, 0.6, 0.35});
const Tensor target = column({1.0, 0.0, 0.0, 1.0});
const Tensor logits = column({2.5, -1.0, 0.3, -4.0});

double sigma(double z) { return 1.0 / (1.0 + std::exp(-z)); }

}  // namespace

TEST_CASE("mse_loss and half_mse_loss match their formulas, with their gradients") {
  double squares = 0.0;
  for (std::size_t i = 0; i < 4; ++i) {
    squares += (pred(i, 0) - target(i, 0)) * (pred(i, 0) - target(i, 0));
  }
  const Value p = param(pred);
  const Value mean = nn::mse_loss(p, Value(target));
  CHECK(mean.dim() == 0);
  CHECK(mean.item() == doctest::Approx(squares / 4.0).epsilon(1e-15));
  CHECK(nn::mse_loss(p, Value(target), nn::Reduction::sum).item() == doctest::Approx(squares).epsilon(1e-15));
  mean.backward();
  CHECK(xt::allclose(p.grad(), 2.0 * (pred - target) / 4.0, 1e-15, 0.0));  // ∂/∂p = 2(p − y)/n

  const Value q = param(pred);
  const Value half = nn::half_mse_loss(q, Value(target));
  CHECK(half.item() == doctest::Approx(0.5 * squares / 4.0).epsilon(1e-15));
  half.backward();
  CHECK(xt::allclose(q.grad(), (pred - target) / 4.0, 1e-15, 0.0));  // the lab's (ŷ − y)/n
}

TEST_CASE("binary_cross_entropy matches −[y ln p + (1 − y) ln(1 − p)], with its gradient") {
  double total = 0.0;
  Tensor grad = Tensor::from_shape({4, 1});
  for (std::size_t i = 0; i < 4; ++i) {
    const double p = pred(i, 0);
    const double y = target(i, 0);
    total += -(y * std::log(p) + (1.0 - y) * std::log(1.0 - p));
    grad(i, 0) = (p - y) / (p * (1.0 - p)) / 4.0;
  }
  const Value p = param(pred);
  const Value loss = nn::binary_cross_entropy(p, Value(target));
  CHECK(loss.item() == doctest::Approx(total / 4.0).epsilon(1e-15));
  CHECK(nn::binary_cross_entropy(p, Value(target), nn::Reduction::sum).item() == doctest::Approx(total).epsilon(1e-15));
  loss.backward();
  CHECK(xt::allclose(p.grad(), grad, 1e-14, 0.0));
}

TEST_CASE("binary_cross_entropy_with_logits equals BCE of σ(z), with gradient σ(z) − y") {
  double total = 0.0;
  Tensor grad = Tensor::from_shape({4, 1});
  for (std::size_t i = 0; i < 4; ++i) {
    const double s = sigma(logits(i, 0));
    const double y = target(i, 0);
    total += -(y * std::log(s) + (1.0 - y) * std::log(1.0 - s));
    grad(i, 0) = (s - y) / 4.0;
  }
  const Value z = param(logits);
  const Value loss = nn::binary_cross_entropy_with_logits(z, Value(target));
  CHECK(loss.item() == doctest::Approx(total / 4.0).epsilon(1e-14));
  CHECK(nn::binary_cross_entropy_with_logits(z, Value(target), nn::Reduction::sum).item() ==
        doctest::Approx(total).epsilon(1e-14));
  loss.backward();
  CHECK(xt::allclose(z.grad(), grad, 1e-14, 0.0));
}

TEST_CASE("losses pass gradcheck with respect to prediction and target") {
  using Fn = Value (*)(const Value&, const Value&, nn::Reduction);
  for (Fn fn : {Fn(nn::mse_loss), Fn(nn::binary_cross_entropy), Fn(nn::binary_cross_entropy_with_logits)}) {
    for (nn::Reduction r : {nn::Reduction::mean, nn::Reduction::sum}) {
      const Tensor first = fn == Fn(nn::binary_cross_entropy_with_logits) ? logits : pred;
      const Tensor soft_target = column({0.7, 0.1, 0.4, 0.95});  // y in (0, 1): its gradient is checked too
      const auto report =
          xgrad::gradcheck([&](const std::vector<Value>& in) { return fn(in[0], in[1], r); }, {first, soft_target});
      CHECK_MESSAGE(report.ok, report);
    }
  }
  const auto half =
      xgrad::gradcheck([](const std::vector<Value>& in) { return nn::half_mse_loss(in[0], in[1]); }, {pred, target});
  CHECK_MESSAGE(half.ok, half);
}

TEST_CASE("a prediction and a target of different shapes are an error, never a broadcast") {
  const Value p(pred);
  const Value flat(Tensor{1.0, 0.0, 0.0, 1.0});
  const std::string m = message_of<xgrad::shape_error>([&] { nn::mse_loss(p, flat); });
  CHECK(contains(m, "mse_loss"));
  CHECK(contains(m, "(4,1)"));
  CHECK(contains(m, "(4)"));
  CHECK_THROWS_WITH_AS(nn::half_mse_loss(p, flat), doctest::Contains("half_mse_loss"), xgrad::shape_error);
  CHECK_THROWS_WITH_AS(nn::binary_cross_entropy(p, flat), doctest::Contains("binary_cross_entropy"),
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(nn::binary_cross_entropy_with_logits(p, flat),
                       doctest::Contains("binary_cross_entropy_with_logits"), xgrad::shape_error);
}

TEST_CASE("BCE at probabilities exactly 0 and 1: finite, at most 100 per element") {
  const Value p = param(Tensor{0.0, 1.0, 0.0, 1.0});
  const Value y(Tensor{0.0, 1.0, 1.0, 0.0});
  const Value per = nn::binary_cross_entropy(p, y, nn::Reduction::sum);
  CHECK(per.item() == 200.0);  // 0 + 0 + 100 + 100: ln 0 is clamped at −100
  per.backward();
  REQUIRE(xt::all(xt::isfinite(p.grad())));
  // Right answers have the usual gradient ∓1/p; where the clamp holds the loss is flat.
  CHECK(p.grad() == Tensor{1.0, -1.0, 0.0, 0.0});
  for (double prob : {0.0, 1e-300, 1e-50}) {  // all below e^−100: the clamp applies
    CHECK(nn::binary_cross_entropy(Value(prob), Value(1.0)).item() == 100.0);
    CHECK(nn::binary_cross_entropy(Value(1.0 - prob), Value(0.0)).item() == 100.0);
  }
  // Above the clamp the loss is the exact −ln p.
  CHECK(nn::binary_cross_entropy(Value(1e-30), Value(1.0)).item() ==
        doctest::Approx(30.0 * std::log(10.0)).epsilon(1e-15));
  CHECK(nn::binary_cross_entropy(Value(0.5), Value(0.0)).item() == doctest::Approx(std::log(2.0)).epsilon(1e-15));
}

TEST_CASE("BCE with logits at ±1000: finite and exact, gradient σ(z) − y") {
  const Value z = param(Tensor{1000.0, -1000.0, 1000.0, -1000.0});
  const Value y(Tensor{0.0, 1.0, 1.0, 0.0});
  const Value sum = nn::binary_cross_entropy_with_logits(z, y, nn::Reduction::sum);
  CHECK(sum.item() == 2000.0);
  sum.backward();
  CHECK(z.grad() == Tensor{1.0, -1.0, 0.0, 0.0});
  CHECK(nn::binary_cross_entropy_with_logits(Value(1000.0), Value(0.0)).item() == 1000.0);
  CHECK(nn::binary_cross_entropy_with_logits(Value(-1000.0), Value(1.0)).item() == 1000.0);
  CHECK(nn::binary_cross_entropy_with_logits(Value(1000.0), Value(1.0)).item() == 0.0);
  CHECK(nn::binary_cross_entropy_with_logits(Value(-1000.0), Value(0.0)).item() == 0.0);
  // Far from zero the loss still resolves e^−|z|: softplus(−30) = ln(1 + e^−30).
  CHECK(nn::binary_cross_entropy_with_logits(Value(-30.0), Value(0.0)).item() ==
        doctest::Approx(std::log1p(std::exp(-30.0))).epsilon(1e-15));
}

TEST_CASE("mean is the sum divided by the number of elements") {
  const Tensor p2{{0.1, 0.8, 0.3}, {0.6, 0.4, 0.9}};
  const Tensor y2{{0.0, 1.0, 0.0}, {1.0, 1.0, 0.0}};
  const Value p(p2);
  const Value y(y2);
  CHECK(nn::mse_loss(p, y).item() ==
        doctest::Approx(nn::mse_loss(p, y, nn::Reduction::sum).item() / 6.0).epsilon(1e-15));
  CHECK(nn::binary_cross_entropy(p, y).item() ==
        doctest::Approx(nn::binary_cross_entropy(p, y, nn::Reduction::sum).item() / 6.0).epsilon(1e-15));
  CHECK(nn::binary_cross_entropy_with_logits(p, y).item() ==
        doctest::Approx(nn::binary_cross_entropy_with_logits(p, y, nn::Reduction::sum).item() / 6.0).epsilon(1e-15));
}
