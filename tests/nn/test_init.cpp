// Initialisers: bounds and moments of each kind, seeded reproducibility, names.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <xtensor/xmath.hpp>

#include <cmath>
#include <string>

using nn_test::contains;
using nn_test::message_of;
using xgrad::Generator;
using xgrad::Tensor;
namespace nn = xgrad::nn;

namespace {

struct Moments {
  double mean;
  double stddev;
};

Moments moments(const Tensor& t) {
  const double n = static_cast<double>(t.size());
  const double mean = xt::sum(t)() / n;
  return {mean, std::sqrt(xt::sum(xt::square(t - mean))() / n)};
}

constexpr std::size_t fan_in = 300;
constexpr std::size_t fan_out = 100;
const xgrad::Shape shape{fan_in, fan_out};  // 30,000 draws: the standard error of a mean is σ/173

}  // namespace

TEST_CASE("uniform kinds stay inside their bounds and fill them evenly") {
  struct Case {
    nn::Init init;
    double lo;
    double hi;
  };
  const double xavier = std::sqrt(6.0 / (fan_in + fan_out));
  const double kaiming = std::sqrt(6.0 / fan_in);
  for (const Case& c : {Case{nn::Init::uniform, 0.0, 1.0}, Case{nn::Init::xavier_uniform, -xavier, xavier},
                        Case{nn::Init::kaiming_uniform, -kaiming, kaiming}}) {
    CAPTURE(nn::to_string(c.init));
    Generator gen(21);
    const Tensor t = nn::initial_tensor(c.init, shape, fan_in, fan_out, gen);
    REQUIRE(t.shape() == shape);
    CHECK(xt::amin(t)() >= c.lo);
    CHECK(xt::amax(t)() < c.hi);
    CHECK(xt::amin(t)() < c.lo + 0.001 * (c.hi - c.lo));  // the whole range is used
    CHECK(xt::amax(t)() > c.hi - 0.001 * (c.hi - c.lo));
    const Moments m = moments(t);
    const double width = c.hi - c.lo;
    CHECK(std::abs(m.mean - (c.lo + c.hi) / 2.0) < 4.0 * width / std::sqrt(12.0) / std::sqrt(30000.0));
    CHECK(m.stddev == doctest::Approx(width / std::sqrt(12.0)).epsilon(0.02));
  }
}

TEST_CASE("normal kinds have mean 0 and their standard deviation") {
  struct Case {
    nn::Init init;
    double stddev;
  };
  for (const Case& c : {Case{nn::Init::normal, 1.0}, Case{nn::Init::xavier_normal, std::sqrt(2.0 / (fan_in + fan_out))},
                        Case{nn::Init::kaiming_normal, std::sqrt(2.0 / fan_in)}}) {
    CAPTURE(nn::to_string(c.init));
    Generator gen(22);
    const Tensor t = nn::initial_tensor(c.init, shape, fan_in, fan_out, gen);
    const Moments m = moments(t);
    CHECK(std::abs(m.mean) < 4.0 * c.stddev / std::sqrt(30000.0));
    CHECK(m.stddev == doctest::Approx(c.stddev).epsilon(0.02));
    CHECK(xt::amax(xt::abs(t))() > 3.0 * c.stddev);  // tails, not a bounded distribution
    CHECK(xt::amin(t)() < 0.0);
  }
}

TEST_CASE("zeros are zeros and draw nothing") {
  Generator gen(23);
  Generator untouched(23);
  CHECK(nn::initial_tensor(nn::Init::zeros, {3, 2}, 3, 2, gen) == Tensor(xt::zeros<double>({3, 2})));
  CHECK(gen.next() == untouched.next());
}

TEST_CASE("the same seed reproduces every kind bit for bit — the stream moves on") {
  for (nn::Init init : {nn::Init::uniform, nn::Init::normal, nn::Init::xavier_uniform, nn::Init::xavier_normal,
                        nn::Init::kaiming_uniform, nn::Init::kaiming_normal}) {
    CAPTURE(nn::to_string(init));
    Generator a(99);
    Generator b(99);
    const Tensor first = nn::initial_tensor(init, {4, 5}, 4, 5, a);
    CHECK(nn_test::same_bits(first, nn::initial_tensor(init, {4, 5}, 4, 5, b)));
    CHECK_FALSE(nn_test::same_bits(first, nn::initial_tensor(init, {4, 5}, 4, 5, a)));
  }
}

TEST_CASE("init names round trip — an unknown name lists the known ones") {
  for (nn::Init init : {nn::Init::zeros, nn::Init::uniform, nn::Init::normal, nn::Init::xavier_uniform,
                        nn::Init::xavier_normal, nn::Init::kaiming_uniform, nn::Init::kaiming_normal}) {
    CHECK(nn::parse_init(nn::to_string(init)) == init);
  }
  CHECK(nn::to_string(nn::Init::kaiming_normal) == "kaiming_normal");
  const std::string m = message_of<xgrad::value_error>([] { nn::parse_init("glorot"); });
  CHECK(contains(m, "'glorot'"));
  CHECK(contains(m, "zeros, uniform, normal, xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal"));
}

TEST_CASE("a fan of zero is an error for the kinds that divide by it") {
  Generator gen(24);
  CHECK_THROWS_AS(nn::initial_tensor(nn::Init::kaiming_uniform, {0, 3}, 0, 3, gen), xgrad::value_error);
  CHECK_THROWS_AS(nn::initial_tensor(nn::Init::kaiming_normal, {0, 3}, 0, 3, gen), xgrad::value_error);
  CHECK_THROWS_AS(nn::initial_tensor(nn::Init::xavier_uniform, {0}, 0, 0, gen), xgrad::value_error);
  CHECK(nn::initial_tensor(nn::Init::uniform, {0, 3}, 0, 3, gen).size() == 0);
}
