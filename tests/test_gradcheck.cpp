// gradcheck itself: it passes correct ops, catches wrong backward steps (naming the input and the
// element), prints readably and rejects bad options. And a primitive defined outside xgrad with
// record_op runs through the engine and gradcheck exactly like a built-in op.
#include <doctest/doctest.h>

#include <xgrad/grad_mode.hpp>
#include <xgrad/gradcheck.hpp>
#include <xgrad/op.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/reduction.hpp>
#include <xgrad/ops/unary.hpp>

#include <xtensor/xmath.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace {

using xgrad::GradcheckOptions;
using xgrad::GradcheckReport;
using xgrad::Grads;
using xgrad::Inputs;
using xgrad::Tensor;
using xgrad::Value;
using Values = std::vector<Value>;

// x³, a primitive defined the way a user would: forward, then its backward right below.
Value cube(const Value& x) {
  return xgrad::record_op("cube", xt::pow(x.data(), 3.0), {x}, [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
    return {g * 3.0 * xt::square(in[0].data())};  // d(x³)/dx = 3x²
  });
}

// a·b, with b's gradient wrong in sign at one flat element `bad` (a and b of one shape).
Value mul_wrong_at(const Value& a, const Value& b, std::size_t bad) {
  return xgrad::record_op("mul_wrong_at", a.data() * b.data(), {a, b},
                          [bad](const Tensor& g, const Tensor&, Inputs in) -> Grads {
                            Tensor gb = g * in[0].data();      // ∂(a·b)/∂b = a …
                            gb.data()[bad] = -gb.data()[bad];  // … but not at `bad`
                            return {g * in[1].data(), gb};     // ∂(a·b)/∂a = b
                          });
}

// x − mean(x), whose backward forgets everything: g − mean(g) is right, zero is returned. Under
// a seed of ones both are zero, so a check that reduces the output with a plain sum misses it.
Value centre_wrong(const Value& x) {
  return xgrad::record_op("centre_wrong", x.data() - xt::mean(x.data())(), {x},
                          [](const Tensor& g, const Tensor&, Inputs) -> Grads { return {xt::zeros_like(g)}; });
}

// x², with a gradient 0.05% too large.
Value square_off(const Value& x) {
  return xgrad::record_op(
      "square_off", xt::square(x.data()), {x},
      [](const Tensor& g, const Tensor&, Inputs in) -> Grads { return {g * 2.0 * in[0].data() * (1.0 + 5e-4)}; });
}

const Tensor kA{{1.0, -2.0, 3.0}, {0.5, 1.5, -2.5}};
const Tensor kB{{0.7, 1.1, -0.4}, {2.0, -1.3, 0.9}};

TEST_CASE("gradcheck: passes correct ops and checks every element of every input") {
  const auto product = [](const Values& in) { return xgrad::tanh(in[0] * in[1]) + xgrad::exp(in[0]); };
  const GradcheckReport report = xgrad::gradcheck(product, {kA, kB});
  CHECK(report.ok);
  CHECK(static_cast<bool>(report));
  CHECK(report.elements_checked == 12);
  CHECK(report.problem.empty());
  CHECK(report.error <= report.allowed);
  // An input the function ignores has gradient zero both ways.
  const auto ignores_b = [](const Values& in) { return in[0] * 2.0; };
  CHECK(xgrad::gradcheck(ignores_b, {kA, kB}).ok);
}

TEST_CASE("gradcheck: fails on a wrong backward, naming the input and the element") {
  const auto wrong = [](const Values& in) { return mul_wrong_at(in[0], in[1], 5); };
  const GradcheckReport report = xgrad::gradcheck(wrong, {kA, kB});
  INFO(report);
  CHECK_FALSE(report.ok);
  CHECK_FALSE(static_cast<bool>(report));
  CHECK(report.input == 1);
  CHECK(report.index == xgrad::Shape{1, 2});
  CHECK(report.numeric != 0.0);
  CHECK(report.analytic == doctest::Approx(-report.numeric).epsilon(1e-6));  // the sign flip, found
  CHECK(report.error == doctest::Approx(std::abs(report.analytic - report.numeric)));
  CHECK(report.allowed == doctest::Approx(1e-5 + 1e-3 * std::abs(report.numeric)));
  CHECK(report.error > report.allowed);
  // With the operands swapped, the wrong gradient belongs to input 0.
  const auto right_side = [](const Values& in) { return mul_wrong_at(in[1], in[0], 5); };
  const GradcheckReport swapped = xgrad::gradcheck(right_side, {kA, kB});
  CHECK(swapped.input == 0);
  CHECK(swapped.index == xgrad::Shape{1, 2});
}

TEST_CASE("gradcheck: random output weights catch what a plain sum hides") {
  const auto centred = [](const Values& in) { return centre_wrong(in[0]); };
  const auto summed = [](const Values& in) { return xgrad::sum(centre_wrong(in[0])); };
  CHECK(xgrad::gradcheck(summed, {kA}).ok);  // Σ(x − mean x) = 0: the bug is invisible
  const GradcheckReport report = xgrad::gradcheck(centred, {kA});
  INFO(report);
  CHECK_FALSE(report.ok);
  CHECK(report.analytic == 0.0);
}

TEST_CASE("gradcheck: the tolerances decide, relative to the numeric derivative") {
  const auto off = [](const Values& in) { return square_off(in[0]); };
  CHECK(xgrad::gradcheck(off, {kA}).ok);  // 0.05% is within rtol = 1e-3
  const GradcheckReport tight = xgrad::gradcheck(off, {kA}, {.atol = 1e-9, .rtol = 1e-4});
  CHECK_FALSE(tight.ok);
  CHECK(tight.error == doctest::Approx(5e-4 * std::abs(tight.numeric)).epsilon(1e-3));
}

TEST_CASE("gradcheck: a graph cut by detach fails") {
  const auto detached = [](const Values& in) { return in[0].detach() * in[0]; };
  const GradcheckReport report = xgrad::gradcheck(detached, {kA});
  CHECK_FALSE(report.ok);  // the analytic gradient misses the detached factor
}

TEST_CASE("gradcheck: the report prints as one readable line") {
  const auto wrong = [](const Values& in) { return mul_wrong_at(in[0], in[1], 5); };
  const GradcheckReport failed = xgrad::gradcheck(wrong, {kA, kB});
  const std::string line = xgrad::to_string(failed);
  CHECK(line.rfind("gradcheck FAILED: input 1 at (1,2): analytic ", 0) == 0);
  CHECK(line.find(" vs numeric ") != std::string::npos);
  CHECK(line.find("among 12 elements") != std::string::npos);
  CHECK(line.find('\n') == std::string::npos);
  std::ostringstream os;
  os << failed;
  CHECK(os.str() == line);
  CHECK(std::string(doctest::toString(failed).c_str()) == line);  // what INFO(report) shows

  const auto square = [](const Values& in) { return in[0] * in[0]; };
  const std::string passed = xgrad::to_string(xgrad::gradcheck(square, {kA}));
  CHECK(passed.rfind("gradcheck passed: 6 elements; worst input 0 at (", 0) == 0);

  const auto log_of = [](const Values& in) { return xgrad::log(in[0]); };
  const GradcheckReport nan = xgrad::gradcheck(log_of, {Tensor{1.0, -1.0}});
  CHECK_FALSE(nan.ok);
  CHECK(xgrad::to_string(nan) == "gradcheck FAILED: the output is not finite at the given inputs");
}

TEST_CASE("gradcheck: rejects options it cannot check with") {
  const auto square = [](const Values& in) { return in[0] * in[0]; };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const GradcheckOptions& bad :
       {GradcheckOptions{.eps = 0.0}, GradcheckOptions{.eps = -1e-6}, GradcheckOptions{.eps = nan},
        GradcheckOptions{.eps = inf}, GradcheckOptions{.atol = -1e-5}, GradcheckOptions{.atol = nan},
        GradcheckOptions{.rtol = -1e-3}, GradcheckOptions{.rtol = inf}, GradcheckOptions{.atol = 0.0, .rtol = 0.0}}) {
    INFO("eps ", bad.eps, ", atol ", bad.atol, ", rtol ", bad.rtol);
    CHECK_THROWS_WITH_AS(xgrad::gradcheck(square, {kA}, bad), doctest::Contains("gradcheck:"), xgrad::value_error);
  }
  CHECK(xgrad::gradcheck(square, {kA}, {.atol = 0.0}).ok);  // a purely relative check is fine
}

TEST_CASE("user-defined primitive: runs through the engine like a built-in op") {
  const Value x = Value(Tensor{1.0, -2.0, 0.5}).set_requires_grad();
  const Value y = Value(Tensor{2.0, 3.0, -1.0}).set_requires_grad();
  const Value c = cube(x);
  CHECK(std::string(c.op()) == "cube");
  CHECK_FALSE(c.is_leaf());
  REQUIRE(c.inputs().size() == 1);
  CHECK(c.inputs()[0].is_same(x));
  const Value z = xgrad::sum(c * y + xgrad::exp(x));
  z.backward({.retain_graph = true});
  const Tensor dx = 3.0 * xt::square(x.data()) * y.data() + xt::exp(x.data());
  CHECK(xt::allclose(x.grad(), dx));
  CHECK(xt::allclose(y.grad(), xt::pow(x.data(), 3.0)));
  z.backward();  // through the retained graph again: gradients accumulate
  CHECK(xt::allclose(x.grad(), 2.0 * dx));
  CHECK_THROWS_AS(z.backward(), xgrad::graph_error);  // the second pass freed it
  {
    const xgrad::NoGradGuard no_grad;
    const Value plain = cube(x);
    CHECK(plain.is_leaf());
    CHECK_FALSE(plain.requires_grad());
  }
  CHECK_FALSE(cube(Value(2.0)).requires_grad());
  CHECK(cube(Value(2.0)).item() == 8.0);
}

TEST_CASE("user-defined primitive: gradcheck treats it like a built-in op") {
  const auto cubed = [](const Values& in) { return cube(in[0]); };
  for (const Tensor& x : {Tensor(0.7), Tensor{1.0, -2.0, 0.5}, Tensor(kA)}) {
    INFO("shape ", xgrad::shape_str(x.shape()));
    const GradcheckReport report = xgrad::gradcheck(cubed, {x});
    INFO(report);
    CHECK(report.ok);
  }
  const auto mixed = [](const Values& in) {
    return xgrad::sum(cube(in[0] * in[1]), 1) / xgrad::sum(cube(in[1] + 3.0));
  };
  const GradcheckReport report = xgrad::gradcheck(mixed, {kA, Tensor{0.5, 1.0, -1.5}});
  INFO(report);
  CHECK(report.ok);
}

}  // namespace
