// The op registry: one row per differentiable op. Each row calls the op through xgrad, computes
// the same forward value directly (std math on each element, plain loops), and lists the shapes
// to try and where inputs may be drawn. This file holds the elementwise rows and the registry's
// functions; op_registry_shape.cpp the rows of ops that change shape.
#include "op_registry.hpp"

#include <xgrad/ops/compare.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/unary.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>

namespace xgrad::tests {

namespace {

using Values = std::vector<Value>;
using Tensors = std::vector<Tensor>;
using UnaryFn = std::function<Value(const Value&)>;
using BinaryFn = std::function<Value(const Value&, const Value&)>;

// Every elementwise op runs on 0-d, one element, 1-d, 2-d, 3-d and empty inputs; binary ones
// also on broadcast pairs (a stretched axis on each side, a missing leading axis, a 0-d side).
const std::vector<ShapeSet> kUnaryShapes = {{Shape{}}, {{1}}, {{5}}, {{3, 4}}, {{2, 3, 4}}, {{0, 3}}};
const std::vector<ShapeSet> kBinaryShapes = {{Shape{}, Shape{}},     {{1}, {1}},       {{5}, {5}},    {{3, 4}, {3, 4}},
                                             {{2, 3, 4}, {2, 3, 4}}, {{3, 1}, {1, 4}}, {{3, 4}, {4}}, {Shape{}, {2, 3}},
                                             {{2, 3, 4}, {3, 1}},    {{0, 3}, {0, 3}}, {{0, 3}, {3}}};

const Domain kAwayFromZero{.kinks = {0.0}, .margin = 0.5};
const Domain kPositive{.lo = 0.5, .hi = 2.0};
const Domain kKinkAtZero{.kinks = {0.0}};

OpSpec unary_op(std::string name, UnaryFn f, ReferenceFunction ref, Domain domain = {},
                std::vector<ShapeSet> samples = kUnaryShapes) {
  OpSpec s;
  s.name = std::move(name);
  s.arity = 1;
  s.fn = [f = std::move(f)](const Values& in) { return f(in[0]); };
  s.reference = std::move(ref);
  s.samples = std::move(samples);
  s.domains = {std::move(domain)};
  return s;
}

OpSpec binary_op(std::string name, BinaryFn f, ReferenceFunction ref, std::vector<Domain> domains = {Domain{}},
                 std::vector<ShapeSet> samples = kBinaryShapes) {
  OpSpec s;
  s.name = std::move(name);
  s.arity = 2;
  s.fn = [f = std::move(f)](const Values& in) { return f(in[0], in[1]); };
  s.reference = std::move(ref);
  s.samples = std::move(samples);
  s.domains = std::move(domains);
  return s;
}

// A reference applying `f` to each element.
template <class F>
ReferenceFunction each(F f) {
  return [f](const Tensors& t) {
    Tensor out = t[0];
    std::transform(out.begin(), out.end(), out.begin(), f);
    return out;
  };
}

// The shape numpy broadcasting gives `a` and `b` (the registry only pairs shapes that fit).
Shape common_shape(const Shape& a, const Shape& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n, 1);
  for (std::size_t k = 0; k < n; ++k) {  // k counts axes from the last
    const std::size_t da = k < a.size() ? a[a.size() - 1 - k] : 1;
    const std::size_t db = k < b.size() ? b[b.size() - 1 - k] : 1;
    out[n - 1 - k] = da == 1 ? db : da;
  }
  return out;
}

// `t` repeated along its size-1 and missing leading axes to fill `shape`.
Tensor stretch(const Tensor& t, const Shape& shape) {
  Tensor out = Tensor::from_shape(shape);
  const std::size_t lead = shape.size() - t.dimension();
  for (std::size_t flat = 0; flat < out.size(); ++flat) {
    std::size_t rest = flat;
    std::size_t src = 0;
    std::size_t stride = 1;
    for (std::size_t k = shape.size(); k-- > lead;) {
      const std::size_t index = rest % shape[k];
      rest /= shape[k];
      const std::size_t size = t.shape()[k - lead];
      src += (size == 1 ? 0 : index) * stride;
      stride *= size;
    }
    out.data()[flat] = t.data()[src];
  }
  return out;
}

std::pair<Tensor, Tensor> broadcast_pair(const Tensor& a, const Tensor& b) {
  const Shape shape = common_shape(a.shape(), b.shape());
  return {stretch(a, shape), stretch(b, shape)};
}

// A reference applying `f` to each pair of broadcast elements.
template <class F>
ReferenceFunction each_pair(F f) {
  return [f](const Tensors& t) {
    auto [a, b] = broadcast_pair(t[0], t[1]);
    std::transform(a.begin(), a.end(), b.begin(), a.begin(), f);
    return a;
  };
}

// The mask `where` selects by: over the broadcast shape, false at every third element.
Tensor where_mask(const Shape& a, const Shape& b) {
  Tensor mask = Tensor::from_shape(common_shape(a, b));
  for (std::size_t k = 0; k < mask.size(); ++k) {
    mask.data()[k] = k % 3 == 1 ? 0.0 : 1.0;
  }
  return mask;
}

Tensor where_reference(const Tensors& t) {
  auto [a, b] = broadcast_pair(t[0], t[1]);
  const Tensor mask = where_mask(t[0].shape(), t[1].shape());
  for (std::size_t k = 0; k < a.size(); ++k) {
    a.data()[k] = mask.data()[k] != 0.0 ? a.data()[k] : b.data()[k];
  }
  return a;
}

void add_arithmetic(std::vector<OpSpec>& t) {
  t.push_back(binary_op(
      "add", [](const Value& a, const Value& b) { return xgrad::add(a, b); }, each_pair(std::plus<>())));
  t.push_back(binary_op(
      "sub", [](const Value& a, const Value& b) { return xgrad::sub(a, b); }, each_pair(std::minus<>())));
  t.push_back(binary_op(
      "mul", [](const Value& a, const Value& b) { return xgrad::mul(a, b); }, each_pair(std::multiplies<>())));
  t.push_back(binary_op("div", [](const Value& a, const Value& b) { return xgrad::div(a, b); },
                        each_pair(std::divides<>()), {Domain{}, kAwayFromZero}));
  t.push_back(binary_op("pow(a, b)", [](const Value& a, const Value& b) { return xgrad::pow(a, b); },
                        each_pair([](double a, double b) { return std::pow(a, b); }), {kPositive, Domain{}}));
  t.push_back(binary_op("squared_difference", xgrad::squared_difference,
                        each_pair([](double a, double b) { return (a - b) * (a - b); })));
  OpSpec maximum = binary_op("maximum", xgrad::maximum, each_pair([](double a, double b) { return std::max(a, b); }),
                             {Domain{.lo = -3.0, .hi = 3.0}});
  maximum.min_gap = 0.02;
  t.push_back(maximum);
  OpSpec minimum = binary_op("minimum", xgrad::minimum, each_pair([](double a, double b) { return std::min(a, b); }),
                             {Domain{.lo = -3.0, .hi = 3.0}});
  minimum.min_gap = 0.02;
  t.push_back(minimum);
  t.push_back(binary_op(
      "where", [](const Value& a, const Value& b) { return xgrad::where(where_mask(a.shape(), b.shape()), a, b); },
      where_reference));
  t.push_back(unary_op("neg", xgrad::neg, each(std::negate<>())));
  t.push_back(unary_op("square", xgrad::square, each([](double a) { return a * a; })));
  for (const char* p : {"2", "3", "0", "0.5", "-1.5"}) {
    const double e = std::stod(p);
    const Domain domain = e == std::floor(e) ? Domain{} : kPositive;  // fractional powers need a > 0
    t.push_back(unary_op(
        std::string("pow(a, ") + p + ")", [e](const Value& a) { return xgrad::pow(a, e); },
        each([e](double a) { return std::pow(a, e); }), domain));
  }
}

void add_scalar_operators(std::vector<OpSpec>& t) {
  t.push_back(unary_op(
      "a + 2.0", [](const Value& a) { return a + 2.0; }, each([](double a) { return a + 2.0; })));
  t.push_back(unary_op(
      "2.0 + a", [](const Value& a) { return 2.0 + a; }, each([](double a) { return 2.0 + a; })));
  t.push_back(unary_op(
      "a - 2.0", [](const Value& a) { return a - 2.0; }, each([](double a) { return a - 2.0; })));
  t.push_back(unary_op(
      "2.0 - a", [](const Value& a) { return 2.0 - a; }, each([](double a) { return 2.0 - a; })));
  t.push_back(unary_op(
      "a * 3.0", [](const Value& a) { return a * 3.0; }, each([](double a) { return a * 3.0; })));
  t.push_back(unary_op(
      "3.0 * a", [](const Value& a) { return 3.0 * a; }, each([](double a) { return 3.0 * a; })));
  t.push_back(unary_op(
      "a / 4.0", [](const Value& a) { return a / 4.0; }, each([](double a) { return a / 4.0; })));
  t.push_back(unary_op(
      "1.0 / a", [](const Value& a) { return 1.0 / a; }, each([](double a) { return 1.0 / a; }), kAwayFromZero));
}

void add_unary(std::vector<OpSpec>& t) {
  t.push_back(unary_op("exp", xgrad::exp, each([](double x) { return std::exp(x); })));
  t.push_back(unary_op("log", xgrad::log, each([](double x) { return std::log(x); }), kPositive));
  t.push_back(
      unary_op("log1p", xgrad::log1p, each([](double x) { return std::log1p(x); }), Domain{.lo = -0.5, .hi = 2.0}));
  t.push_back(unary_op("sqrt", xgrad::sqrt, each([](double x) { return std::sqrt(x); }), kPositive));
  t.push_back(unary_op("abs", xgrad::abs, each([](double x) { return std::abs(x); }), kKinkAtZero));
  t.push_back(unary_op("tanh", xgrad::tanh, each([](double x) { return std::tanh(x); })));
  t.push_back(unary_op("sigmoid", xgrad::sigmoid, each([](double x) { return 1.0 / (1.0 + std::exp(-x)); })));
  t.push_back(unary_op("relu", xgrad::relu, each([](double x) { return x > 0.0 ? x : 0.0; }), kKinkAtZero));
  t.push_back(unary_op(
      "leaky_relu", [](const Value& x) { return xgrad::leaky_relu(x); },
      each([](double x) { return x > 0.0 ? x : 0.01 * x; }), kKinkAtZero));
  t.push_back(unary_op(
      "leaky_relu(0.2)", [](const Value& x) { return xgrad::leaky_relu(x, 0.2); },
      each([](double x) { return x > 0.0 ? x : 0.2 * x; }), kKinkAtZero));
  t.push_back(unary_op("softplus", xgrad::softplus, each([](double x) { return std::log1p(std::exp(x)); })));
  t.push_back(unary_op("log_sigmoid", xgrad::log_sigmoid, each([](double x) { return -std::log1p(std::exp(-x)); })));
  t.push_back(unary_op(
      "clamp(-0.5, 0.8)", [](const Value& x) { return xgrad::clamp(x, -0.5, 0.8); },
      each([](double x) { return std::min(std::max(x, -0.5), 0.8); }), Domain{.kinks = {-0.5, 0.8}}));
}

bool near_any(double x, const std::vector<double>& points, double distance) {
  return std::any_of(points.begin(), points.end(), [&](double p) { return std::abs(x - p) < distance; });
}

// One element inside `domain`, at least `gap` away from every element in `drawn` (when gap > 0).
double draw_element(const Domain& domain, double gap, const std::vector<double>& drawn, Generator& gen) {
  for (int attempt = 0; attempt < 100000; ++attempt) {
    const double x = gen.uniform(domain.lo, domain.hi);
    if (!near_any(x, domain.kinks, domain.margin) && !(gap > 0.0 && near_any(x, drawn, gap))) {
      return x;
    }
  }
  throw std::logic_error("draw_inputs: the domain leaves no room for another element");
}

}  // namespace

// Rows of the ops that change shape (op_registry_shape.cpp).
void add_reductions(std::vector<OpSpec>& table);
void add_linalg(std::vector<OpSpec>& table);
void add_shape_ops(std::vector<OpSpec>& table);

const std::vector<OpSpec>& op_registry() {
  static const std::vector<OpSpec> table = [] {
    std::vector<OpSpec> t;
    add_arithmetic(t);
    add_scalar_operators(t);
    add_unary(t);
    add_reductions(t);
    add_linalg(t);
    add_shape_ops(t);
    return t;
  }();
  return table;
}

const OpSpec* find_op(const std::string& name) {
  const auto& table = op_registry();
  const auto it = std::find_if(table.begin(), table.end(), [&](const OpSpec& s) { return s.name == name; });
  return it == table.end() ? nullptr : &*it;
}

std::vector<Tensor> draw_inputs(const OpSpec& spec, const ShapeSet& shapes, Generator& gen) {
  if (shapes.size() != spec.arity) {
    throw std::logic_error("draw_inputs: " + spec.name + " takes " + std::to_string(spec.arity) + " inputs, got " +
                           std::to_string(shapes.size()) + " shapes");
  }
  std::vector<double> drawn;  // every element of this call so far, to keep them min_gap apart
  std::vector<Tensor> inputs;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    Tensor t = Tensor::from_shape(shapes[i]);
    for (double& x : t) {
      x = draw_element(spec.domain(i), spec.min_gap, drawn, gen);
      drawn.push_back(x);
    }
    inputs.push_back(std::move(t));
  }
  return inputs;
}

std::string shapes_str(const ShapeSet& shapes) {
  std::string out;
  for (const Shape& s : shapes) {
    out += (out.empty() ? "" : " x ") + shape_str(s);
  }
  return out;
}

}  // namespace xgrad::tests
