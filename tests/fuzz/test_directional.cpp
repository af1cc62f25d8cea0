// Directional checks on tensors too large for a full Jacobian. For random directions u (one per
// input) and v (the output's shape), reverse mode gives ⟨u, Jᵀv⟩ from one backward pass seeded
// with v; central differences along u give ⟨Ju, v⟩ ≈ ⟨f(x + h·u) − f(x − h·u), v⟩ / 2h from two
// forward passes. The two must agree to 1e-6 relative, for three direction pairs per case.
#include <doctest/doctest.h>

#include <xgrad/grad_mode.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/linalg.hpp>
#include <xgrad/ops/reduction.hpp>
#include <xgrad/ops/shape.hpp>
#include <xgrad/ops/unary.hpp>
#include <xgrad/random.hpp>

#include <xtensor/xmath.hpp>

#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <vector>

namespace {

using xgrad::Generator;
using xgrad::Shape;
using xgrad::Tensor;
using xgrad::Value;
using Fn = std::function<Value(const std::vector<Value>&)>;

constexpr double kStep = 1e-5;       // h
constexpr double kAgreement = 1e-6;  // relative

Tensor normal(const Shape& shape, Generator& gen, double scale = 1.0) {
  Tensor t = Tensor::from_shape(shape);
  for (double& x : t) x = scale * gen.normal();
  return t;
}

// The values start, start + step, … in a random order: far apart, so that no perturbation of
// size h·|u| can change which element a max selects.
Tensor shuffled_grid(const Shape& shape, Generator& gen, double start, double step) {
  Tensor t = Tensor::from_shape(shape);
  std::vector<double> values(t.size());
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = start + step * static_cast<double>(k);
  for (std::size_t k = values.size(); k > 1; --k) std::swap(values[k - 1], values[gen.below(k)]);
  std::copy(values.begin(), values.end(), t.begin());
  return t;
}

double dot(const Tensor& a, const Tensor& b) { return std::inner_product(a.begin(), a.end(), b.begin(), 0.0); }

struct Directional {
  double analytic = 0.0;  // ⟨u, Jᵀv⟩
  double numeric = 0.0;   // ⟨Ju, v⟩ by central differences
};

Directional directional(const Fn& f, const std::vector<Tensor>& x, Generator& gen) {
  std::vector<Tensor> u;
  std::vector<Value> leaves;
  for (const Tensor& t : x) {
    u.push_back(normal(t.shape(), gen));
    leaves.push_back(Value(t).set_requires_grad());
  }
  const Value y = f(leaves);
  const Tensor v = normal(y.shape(), gen);
  y.backward(v);
  Directional d;
  for (std::size_t i = 0; i < x.size(); ++i) d.analytic += dot(u[i], leaves[i].grad());
  xgrad::NoGradGuard no_grad;
  std::vector<Value> plus;
  std::vector<Value> minus;
  for (std::size_t i = 0; i < x.size(); ++i) {
    plus.emplace_back(Tensor(x[i] + kStep * u[i]));
    minus.emplace_back(Tensor(x[i] - kStep * u[i]));
  }
  const Tensor diff = f(plus).data() - f(minus).data();
  d.numeric = dot(diff, v) / (2.0 * kStep);
  return d;
}

void check_directions(const Fn& f, const std::vector<Tensor>& x, std::uint64_t seed) {
  Generator gen(seed);
  for (int pair = 0; pair < 3; ++pair) {
    const Directional d = directional(f, x, gen);
    const double relative = std::abs(d.analytic - d.numeric) / std::abs(d.numeric);
    INFO("direction pair ", pair, ": reverse ", d.analytic, ", central difference ", d.numeric, ", relative gap ",
         relative);
    CHECK(std::isfinite(d.analytic));
    CHECK(std::abs(d.analytic - d.numeric) <= kAgreement * std::abs(d.numeric));
  }
}

Fn unary(Value (*op)(const Value&)) {
  return [op](const std::vector<Value>& in) { return op(in[0]); };
}

}  // namespace

TEST_CASE("directional: matmul (200,300) by (300,100)") {
  Generator gen(11);
  const Tensor a = normal({200, 300}, gen);
  const Tensor b = normal({300, 100}, gen);
  check_directions([](const std::vector<Value>& in) { return xgrad::matmul(in[0], in[1]); }, {a, b}, 12);
  check_directions([](const std::vector<Value>& in) { return xgrad::matmul(in[0], in[1]); }, {normal({300}, gen), b},
                   13);  // a 1-d left operand
}

TEST_CASE("directional: elementwise functions on 10^5 elements") {
  Generator gen(21);
  const Tensor x = normal({400, 250}, gen, 3.0);
  check_directions(unary(xgrad::sigmoid), {x}, 22);
  check_directions(unary(xgrad::tanh), {x}, 23);
  check_directions(unary(xgrad::softplus), {x}, 24);
  check_directions(unary(xgrad::log_sigmoid), {x}, 25);
  check_directions(unary(xgrad::exp), {x}, 26);
  check_directions(unary(xgrad::log), {Tensor(xt::abs(x) + 0.5)}, 27);
}

TEST_CASE("directional: sums, means and maxima along axes of 10^5 elements") {
  Generator gen(31);
  const Tensor x = normal({400, 250}, gen);
  const Tensor grid = shuffled_grid({400, 250}, gen, -50.0, 1e-3);  // elements 1e-3 apart
  check_directions([](const std::vector<Value>& in) { return xgrad::sum(in[0], 0); }, {x}, 32);
  check_directions([](const std::vector<Value>& in) { return xgrad::sum(in[0], 1, true); }, {x}, 33);
  check_directions([](const std::vector<Value>& in) { return xgrad::mean(in[0], -1); }, {x}, 34);
  check_directions([](const std::vector<Value>& in) { return xgrad::max(in[0], 0); }, {grid}, 35);
  check_directions([](const std::vector<Value>& in) { return xgrad::max(in[0], -1, true); }, {grid}, 36);
  check_directions([](const std::vector<Value>& in) { return xgrad::max(in[0]); }, {grid}, 37);
}

TEST_CASE("directional: concat and stack of large blocks") {
  Generator gen(41);
  const std::vector<Tensor> rows = {normal({300, 200}, gen), normal({100, 200}, gen), normal({50, 200}, gen)};
  check_directions([](const std::vector<Value>& in) { return xgrad::concat(in, 0); }, rows, 42);
  const std::vector<Tensor> cols = {normal({300, 150}, gen), normal({300, 250}, gen)};
  check_directions([](const std::vector<Value>& in) { return xgrad::concat(in, -1); }, cols, 43);
  check_directions([](const std::vector<Value>& in) { return xgrad::stack(in, 0); },
                   {normal({300, 200}, gen), normal({300, 200}, gen)}, 44);
}

TEST_CASE("directional: broadcasting arithmetic on large operands") {
  Generator gen(51);
  const Tensor col = normal({300, 1}, gen);
  const Tensor row = normal({1, 400}, gen);
  check_directions([](const std::vector<Value>& in) { return in[0] + in[1]; }, {col, row}, 52);
  check_directions([](const std::vector<Value>& in) { return in[0] * in[1]; },
                   {normal({500, 200}, gen), normal({200}, gen)}, 53);
  check_directions([](const std::vector<Value>& in) { return in[0] - in[1]; }, {Tensor(1.5), normal({300, 300}, gen)},
                   54);
  check_directions([](const std::vector<Value>& in) { return in[0] / in[1]; },
                   {normal({400, 250}, gen), Tensor(xt::abs(normal({250}, gen)) + 0.5)}, 55);
}

TEST_CASE("directional: a layer, tanh(XW + b) summed over the batch") {
  Generator gen(61);
  const Tensor x = normal({256, 128}, gen);
  const Tensor w = normal({128, 64}, gen, 0.1);
  const Tensor b = normal({64}, gen);
  check_directions(
      [](const std::vector<Value>& in) { return xgrad::sum(xgrad::tanh(xgrad::matmul(in[0], in[1]) + in[2]), 0); },
      {x, w, b}, 62);
}
