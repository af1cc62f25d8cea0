// Factories of leaf values and the seeded Generator behind the random ones.
#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include <xtensor/xmath.hpp>
#include "tensor_string.hpp"

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using xgrad::Generator;
using xgrad::Shape;
using xgrad::Tensor;
using xgrad::Value;

namespace {

struct Moments {
  double mean = 0.0;
  double variance = 0.0;
};

Moments moments(const Tensor& t) {
  double sum = 0.0;
  for (double x : t) {
    sum += x;
  }
  const double mean = sum / static_cast<double>(t.size());
  double squares = 0.0;
  for (double x : t) {
    squares += (x - mean) * (x - mean);
  }
  return {mean, squares / static_cast<double>(t.size())};
}

bool all_in(const Tensor& t, double lo, double hi) {
  for (double x : t) {
    if (!(x >= lo && x < hi)) {
      return false;
    }
  }
  return true;
}

constexpr std::size_t kDraws = 100'000;
const double kRootN = std::sqrt(static_cast<double>(kDraws));

}  // namespace

TEST_CASE("zeros, ones and full make leaves of the given shape that do not require grad") {
  const Value z = xgrad::zeros({2, 3});
  CHECK(z.shape() == Shape{2, 3});
  CHECK(z.data() == Tensor{{0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}});
  CHECK(z.is_leaf());
  CHECK_FALSE(z.requires_grad());
  CHECK(xgrad::ones({3}).data() == Tensor{1.0, 1.0, 1.0});
  const Value f = xgrad::full({2, 1}, 7.5);
  CHECK(f.shape() == Shape{2, 1});
  CHECK(f.data()(0, 0) == 7.5);
  CHECK(f.data()(1, 0) == 7.5);
  CHECK(xgrad::zeros({}).dim() == 0);
  CHECK(xgrad::full({}, -2.0).item() == -2.0);
  CHECK(xgrad::ones({4, 0}).size() == 0);
  CHECK(xgrad::ones({4, 0}).shape() == Shape{4, 0});
}

TEST_CASE("arange follows numpy: start, start + step, … below stop") {
  CHECK(xgrad::arange(0.0, 5.0).data() == Tensor{0.0, 1.0, 2.0, 3.0, 4.0});
  CHECK(xgrad::arange(1.0, 2.0, 0.25).data() == Tensor{1.0, 1.25, 1.5, 1.75});
  CHECK(xgrad::arange(5.0, 0.0, -2.0).data() == Tensor{5.0, 3.0, 1.0});
  CHECK(xgrad::arange(0.0, 1.0, 0.3).shape() == Shape{4});  // 0, 0.3, 0.6, 0.9
  CHECK(xgrad::arange(3.0, 3.0).shape() == Shape{0});
  CHECK(xgrad::arange(3.0, 0.0).shape() == Shape{0});  // a positive step never reaches a lower stop
  CHECK_FALSE(xgrad::arange(0.0, 3.0).requires_grad());
}

TEST_CASE("linspace spaces n points evenly, both ends included") {
  CHECK(xgrad::linspace(0.0, 1.0, 5).data() == Tensor{0.0, 0.25, 0.5, 0.75, 1.0});
  CHECK(xgrad::linspace(2.0, -2.0, 3).data() == Tensor{2.0, 0.0, -2.0});
  const Value v = xgrad::linspace(0.1, 0.7, 7);
  CHECK(v.data()(0) == 0.1);
  CHECK(v.data()(6) == 0.7);  // exactly the stop, whatever the rounding of the steps
  CHECK(v.data()(3) == doctest::Approx(0.4));
  CHECK(xgrad::linspace(2.0, 3.0, 1).data() == Tensor{2.0});  // numpy: the start
  CHECK(xgrad::linspace(2.0, 3.0, 0).shape() == Shape{0});
}

TEST_CASE("uniform and normal have the requested shape and range") {
  Generator gen(7);
  const Value u = xgrad::uniform({3, 4}, gen, -2.0, 3.0);
  CHECK(u.shape() == Shape{3, 4});
  CHECK(all_in(u.data(), -2.0, 3.0));
  CHECK_FALSE(u.requires_grad());
  CHECK(all_in(xgrad::uniform({50}, gen).data(), 0.0, 1.0));
  CHECK(xgrad::uniform({2}, gen, 4.0, 4.0).data() == Tensor{4.0, 4.0});
  const Value n = xgrad::normal({2, 5, 3}, gen, 1.0, 0.5);
  CHECK(n.shape() == Shape{2, 5, 3});
  CHECK(xgrad::normal({3}, gen, 1.5, 0.0).data() == Tensor{1.5, 1.5, 1.5});
  CHECK(xgrad::normal({}, gen).dim() == 0);
}

TEST_CASE("the same seed gives bit-identical numbers, different seeds differ") {
  Generator g1(42);
  Generator g2(42);
  Generator g3(43);
  const Tensor u1 = xgrad::uniform({100}, g1).data();
  const Tensor u2 = xgrad::uniform({100}, g2).data();
  const Tensor u3 = xgrad::uniform({100}, g3).data();
  CHECK(u1 == u2);  // exact equality, element by element
  CHECK(xt::sum(xt::equal(u1, u3))() == 0);
  const Tensor n1 = xgrad::normal({100}, g1).data();
  const Tensor n2 = xgrad::normal({100}, g2).data();
  const Tensor n3 = xgrad::normal({100}, g3).data();
  CHECK(n1 == n2);
  CHECK(xt::sum(xt::equal(n1, n3))() == 0);
  CHECK(g1.below(1000) == g2.below(1000));
}

TEST_CASE("Generator is the standard 64-bit Mersenne Twister, with 53-bit uniforms") {
  Generator gen(5489);  // std::mt19937_64's default seed
  for (int i = 1; i < 10000; ++i) {
    gen.next();
  }
  CHECK(gen.next() == 9981545732273789042ULL);  // the 10000th output the C++ standard requires
  Generator g(123);
  std::mt19937_64 reference(123);
  CHECK(g.uniform() == std::ldexp(static_cast<double>(reference() >> 11), -53));
}

TEST_CASE("Generator statistics: 100k draws have the expected mean and variance") {
  Generator gen(2024);
  // Every check allows five standard errors: mean SE = σ/√n; variance SE = √(μ₄ − σ⁴)/√n.
  SUBCASE("uniform [0, 1): mean 1/2, variance 1/12, fourth central moment 1/80") {
    const Moments m = moments(xgrad::uniform({kDraws}, gen).data());
    CHECK(std::abs(m.mean - 0.5) < 5.0 * std::sqrt(1.0 / 12.0) / kRootN);
    CHECK(std::abs(m.variance - 1.0 / 12.0) < 5.0 * std::sqrt(1.0 / 80.0 - 1.0 / 144.0) / kRootN);
  }
  SUBCASE("uniform [-3, 5): mean 1, variance 64/12") {
    const Moments m = moments(xgrad::uniform({kDraws}, gen, -3.0, 5.0).data());
    CHECK(std::abs(m.mean - 1.0) < 5.0 * std::sqrt(64.0 / 12.0) / kRootN);
    CHECK(std::abs(m.variance - 64.0 / 12.0) < 5.0 * 64.0 * std::sqrt(1.0 / 80.0 - 1.0 / 144.0) / kRootN);
  }
  SUBCASE("standard normal: mean 0, variance 1, fourth central moment 3") {
    const Moments m = moments(xgrad::normal({kDraws}, gen).data());
    CHECK(std::abs(m.mean) < 5.0 / kRootN);
    CHECK(std::abs(m.variance - 1.0) < 5.0 * std::sqrt(2.0) / kRootN);
  }
  SUBCASE("normal with mean 3 and standard deviation 2") {
    const Moments m = moments(xgrad::normal({kDraws}, gen, 3.0, 2.0).data());
    CHECK(std::abs(m.mean - 3.0) < 5.0 * 2.0 / kRootN);
    CHECK(std::abs(m.variance - 4.0) < 5.0 * 4.0 * std::sqrt(2.0) / kRootN);
  }
}

TEST_CASE("Generator::below(6): every face about equally often, never out of range") {
  Generator gen(2024);
  std::vector<double> counts(6, 0.0);
  bool in_range = true;
  for (std::size_t i = 0; i < kDraws; ++i) {
    const std::uint64_t k = gen.below(6);
    in_range = in_range && k < 6;
    counts[in_range ? k : 0] += 1.0;
  }
  CHECK(in_range);
  const double expected = static_cast<double>(kDraws) / 6.0;
  const double se = std::sqrt(static_cast<double>(kDraws) * (1.0 / 6.0) * (5.0 / 6.0));
  for (double c : counts) {
    CHECK(std::abs(c - expected) < 5.0 * se);
  }
  CHECK(gen.below(1) == 0);
}
