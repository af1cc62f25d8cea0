// Elementwise arithmetic. Each primitive: check shapes → compute → backward right below → record.
#include <xgrad/ops/elementwise.hpp>

#include <xgrad/op.hpp>

#include "ops/broadcast.hpp"
#include "ops/record.hpp"

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include <cmath>
#include <functional>
#include <optional>
#include <type_traits>

namespace xgrad {

using detail::broadcast_shapes;
using detail::check_broadcast;
using detail::map;
using detail::record_map;
using detail::record_zip;
using detail::sum_to;
using detail::zip;
using detail::zip_into;

Value add(const Value& a, const Value& b) {
  return record_zip(
      "add", a, b, std::plus<>{},
      [](Tensor&& g, const Tensor&, Inputs in) -> Grads {
        // ∂/∂a = 1, ∂/∂b = 1: b's share first, then a's takes over g's buffer
        std::optional<Tensor> gb = grad_for(in[1], [&] { return sum_to(g, in[1].shape()); });
        return {grad_for(in[0], [&] { return sum_to(std::move(g), in[0].shape()); }), std::move(gb)};
      },
      [](double g, double, Inputs) -> ScalarGrads<2> {
        return {g, g};
      });
}

Value sub(const Value& a, const Value& b) {
  return record_zip(
      "sub", a, b, std::minus<>{},
      [](Tensor&& g, const Tensor&, Inputs in) -> Grads {
        // ∂/∂a = 1, ∂/∂b = −1: b's share first, then a's takes over g's buffer
        std::optional<Tensor> gb = grad_for(in[1], [&] { return sum_to(-g, in[1].shape()); });
        return {grad_for(in[0], [&] { return sum_to(std::move(g), in[0].shape()); }), std::move(gb)};
      },
      [](double g, double, Inputs) -> ScalarGrads<2> {
        return {g, -g};
      });
}

Value mul(const Value& a, const Value& b) {
  return record_zip(
      "mul", a, b, std::multiplies<>{},
      [](Tensor&& g, const Tensor&, Inputs in) -> Grads {
        const Tensor& x = in[0].data();
        const Tensor& y = in[1].data();
        std::optional<Tensor> gb =
            grad_for(in[1], [&] { return sum_to(zip(g, x, std::multiplies<>{}), y.shape()); });  // ∂/∂b = a
        return {grad_for(in[0],
                         [&] {  // ∂/∂a = b, in g's buffer
                           zip_into(g, y, std::multiplies<>{});
                           return sum_to(std::move(g), x.shape());
                         }),
                std::move(gb)};
      },
      [](double g, double, Inputs in) -> ScalarGrads<2> {
        return {g * scalar_of(in[1]), g * scalar_of(in[0])};
      });
}

Value div(const Value& a, const Value& b) {
  return record_zip(
      "div", a, b, std::divides<>{},
      [](Tensor&& g, const Tensor& out, Inputs in) -> Grads {
        const Tensor& y = in[1].data();
        std::optional<Tensor> gb = grad_for(in[1], [&] { return sum_to(-g * out / y, y.shape()); });  // −(a/b)/b
        return {grad_for(in[0],
                         [&] {  // ∂/∂a = 1/b, in g's buffer
                           zip_into(g, y, std::divides<>{});
                           return sum_to(std::move(g), in[0].shape());
                         }),
                std::move(gb)};
      },
      [](double g, double out, Inputs in) -> ScalarGrads<2> {
        const double y = scalar_of(in[1]);
        return {g / y, -g * out / y};
      });
}

Value neg(const Value& a) {
  return record_map(
      "neg", a, [](double x) { return -x; },
      [](Tensor&& g, const Tensor&, Inputs) -> Grads {
        g *= -1.0;  // ∂(−a)/∂a = −1 (a scalar factor is applied in place)
        return {std::move(g)};
      },
      [](double g, double, Inputs) -> ScalarGrads<1> { return {-g}; });
}

Value square(const Value& a) {
  return record_map(
      "square", a, [](double x) { return x * x; },
      [](Tensor&& g, const Tensor&, Inputs in) -> Grads {
        zip_into(g, in[0].data(), [](const auto& gi, const auto& x) { return gi * 2.0 * x; });  // ∂a²/∂a = 2a
        return {std::move(g)};
      },
      [](double g, double, Inputs in) -> ScalarGrads<1> { return {g * 2.0 * scalar_of(in[0])}; });
}

Value squared_difference(const Value& a, const Value& b) {
  return record_zip(
      "squared_difference", a, b, [](const auto& x, const auto& y) { return (x - y) * (x - y); },
      [](Tensor&& g, const Tensor&, Inputs in) -> Grads {
        // ∂/∂a = 2(a − b), ∂/∂b = −2(a − b): g·2(a − b) in g's buffer, then b's share is its negation
        const Tensor& x = in[0].data();
        const Tensor& y = in[1].data();
        if (x.shape() == y.shape()) {  // g has their shape too: one pass, no temporary
          double* gi = g.data();
          const double* xi = x.data();
          const double* yi = y.data();
          for (std::size_t i = 0, n = g.size(); i < n; ++i) {
            gi[i] *= 2.0 * (xi[i] - yi[i]);
          }
        } else {
          zip_into(g, zip(x, y, std::minus<>{}), std::multiplies<>{});
          g *= 2.0;
        }
        std::optional<Tensor> gb = grad_for(in[1], [&] { return sum_to(-g, y.shape()); });
        return {grad_for(in[0], [&] { return sum_to(std::move(g), x.shape()); }), std::move(gb)};
      },
      [](double g, double, Inputs in) -> ScalarGrads<2> {
        const double d = g * 2.0 * (scalar_of(in[0]) - scalar_of(in[1]));
        return {d, -d};
      });
}

// A double operand stays a number inside the op's backward step rather than becoming a constant
// leaf: a node, a 0-d tensor and a discarded gradient fewer per use. On the scalar graph, where
// `y - label` and `loss * 0.5` are a large share of the ops, that is measured in benchmarks.md.

namespace {

// The 0-d step `step` of an op whose number operand is `c`, on `side`: the node keeps the
// number with the step, for the graph picture.
enum class Side : std::int8_t { left = -1, right = 1 };
template <class S>
detail::NumberedStep<S> with_number(S step, double c, Side side) {
  return {std::move(step), {c, static_cast<std::int8_t>(side)}};
}

// Records `f` of `a`, where f involves the number `c` on `side` and has the constant derivative
// `slope`: the step scales the incoming gradient in place (and leaves it as it is for a slope
// of 1).
template <class F>
Value with_slope(const char* name, const Value& a, F f, double c, Side side, double slope) {
  return record_map(
      name, a, f,
      [slope](Tensor&& g, const Tensor&, Inputs) -> Grads {
        if (slope != 1.0) {
          g *= slope;
        }
        return {std::move(g)};
      },
      with_number([slope](double g, double, Inputs) -> ScalarGrads<1> { return {g * slope}; }, c, side));
}

}  // namespace

Value add(const Value& a, double c) {
  return with_slope(
      "add", a, [c](double x) { return x + c; }, c, Side::right, 1.0);  // ∂/∂a = 1
}

Value sub(const Value& a, double c) {
  return with_slope(
      "sub", a, [c](double x) { return x - c; }, c, Side::right, 1.0);  // ∂/∂a = 1
}

Value sub(double c, const Value& a) {
  return with_slope(
      "sub", a, [c](double x) { return c - x; }, c, Side::left,
      -1.0);  // ∂(c − a)/∂a = −1
}

Value mul(const Value& a, double c) {
  return with_slope(
      "mul", a, [c](double x) { return x * c; }, c, Side::right, c);  // ∂(a·c)/∂a = c
}

Value div(const Value& a, double c) {
  return record_map(
      "div", a, [c](double x) { return x / c; },
      [c](Tensor&& g, const Tensor&, Inputs) -> Grads {
        g /= c;  // ∂(a/c)/∂a = 1/c
        return {std::move(g)};
      },
      with_number([c](double g, double, Inputs) -> ScalarGrads<1> { return {g / c}; }, c, Side::right));
}

Value div(double c, const Value& a) {
  return record_map(
      "div", a, [c](double x) { return c / x; },
      [](Tensor&& g, const Tensor& out, Inputs in) -> Grads {
        // ∂(c/a)/∂a = −c/a² = −(c/a)/a
        const double* x = in[0].data().data();
        const double* y = out.data();
        double* d = g.data();
        for (std::size_t i = 0, n = g.size(); i < n; ++i) {
          d[i] = -d[i] * y[i] / x[i];
        }
        return {std::move(g)};
      },
      with_number([](double g, double out, Inputs in) -> ScalarGrads<1> { return {-g * out / scalar_of(in[0])}; }, c,
                  Side::left));
}

namespace {

// xᵖ element by element with std::pow: xtensor's vectorised pow returns 0 for a zero base
// whatever the exponent (0⁰, 0⁻¹), so pow goes through the C library.
Tensor pow_each(const Tensor& base, const Tensor& exponent, const Shape& shape) {
  const Tensor x = detail::expand_to(base, shape);
  const Tensor y = detail::expand_to(exponent, shape);
  Tensor out = detail::empty_tensor(shape);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out.data()[i] = std::pow(x.data()[i], y.data()[i]);
  }
  return out;
}

Tensor pow_each(const Tensor& base, double p) { return pow_each(base, Tensor(p), base.shape()); }

}  // namespace

Value pow(const Value& a, double p) {
  return record_map(
      "pow", a, [p](double x) { return std::pow(x, p); },
      [p](Tensor&& g, const Tensor&, Inputs in) -> Grads {
        if (p == 0.0) {
          return {xt::zeros<double>(g.shape())};  // a⁰ = 1 is constant, even at a = 0
        }
        xt::noalias(g) *= p * pow_each(in[0].data(), p - 1.0);  // ∂aᵖ/∂a = p·aᵖ⁻¹
        return {std::move(g)};
      },
      with_number([p](double g, double, Inputs in)
                      -> ScalarGrads<1> { return {p == 0.0 ? 0.0 : g * p * std::pow(scalar_of(in[0]), p - 1.0)}; },
                  p, Side::right));
}

Value pow(const Value& a, const Value& b) {
  const Shape shape = broadcast_shapes("pow", a.shape(), b.shape());
  return record_op(
      "pow", pow_each(a.data(), b.data(), shape), {a, b}, [](Tensor&& g, const Tensor& out, Inputs in) -> Grads {
        const Tensor& x = in[0].data();
        const Tensor& y = in[1].data();
        // At a = 0 the formulas multiply 0 by ∞ (b·0⁻¹ where b = 0, 0ᵇ·ln 0 where b > 0); both
        // derivatives are 0 there, not NaN: a⁰ = 1 is constant, and 0ᵇ stays 0 as b grows.
        return {// ∂aᵇ/∂a = b·aᵇ⁻¹, 0 where b = 0
                grad_for(in[0],
                         [&] {
                           const Tensor power = pow_each(x, Tensor(y - 1.0), g.shape());
                           return sum_to(g * xt::where(xt::equal(y, 0.0), 0.0, y * power), x.shape());
                         }),
                // ∂aᵇ/∂b = aᵇ·ln a, 0 where a = 0 and b ≥ 0
                grad_for(in[1], [&] {
                  return sum_to(g * xt::where(xt::equal(x, 0.0) && y >= 0.0, 0.0, out * xt::log(x)), y.shape());
                })};
      });
}

namespace {

// maximum (`larger`) and minimum. a is selected where u > v — (u, v) = (a, b) for maximum,
// (b, a) for minimum — b where u < v, each half on a tie: ∂/∂a = [a selected], ∂/∂b = 1 − ∂/∂a.
Value select(const char* name, const Value& a, const Value& b, bool larger) {
  // One functor for numbers and tensors, as record_zip takes it; on numbers it selects the way
  // xtensor's maximum and minimum do (the first operand only when strictly larger or smaller).
  const auto pick = [larger](const auto& x, const auto& y) {
    if constexpr (std::is_same_v<std::decay_t<decltype(x)>, double>) {
      return larger ? (x > y ? x : y) : (x < y ? x : y);
    } else {
      return larger ? Tensor(xt::maximum(x, y)) : Tensor(xt::minimum(x, y));
    }
  };
  return record_zip(
      name, a, b, pick,
      [larger](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        const Tensor& u = in[larger ? 0 : 1].data();
        const Tensor& v = in[larger ? 1 : 0].data();
        const Tensor a_wins = xt::where(xt::equal(u, v), 0.5, xt::where(u > v, 1.0, 0.0));
        return {sum_to(g * a_wins, in[0].shape()), sum_to(g * (1.0 - a_wins), in[1].shape())};
      },
      [larger](double g, double, Inputs in) -> ScalarGrads<2> {
        const double u = scalar_of(in[larger ? 0 : 1]);
        const double v = scalar_of(in[larger ? 1 : 0]);
        const double a_wins = u == v ? 0.5 : u > v ? 1.0 : 0.0;
        return {g * a_wins, g * (1.0 - a_wins)};
      });
}

}  // namespace

Value maximum(const Value& a, const Value& b) { return select("maximum", a, b, true); }

Value minimum(const Value& a, const Value& b) { return select("minimum", a, b, false); }

Value operator+(const Value& a, const Value& b) { return add(a, b); }
Value operator-(const Value& a, const Value& b) { return sub(a, b); }
Value operator*(const Value& a, const Value& b) { return mul(a, b); }
Value operator/(const Value& a, const Value& b) { return div(a, b); }
Value operator-(const Value& a) { return neg(a); }
Value operator+(const Value& a, double b) { return add(a, b); }
Value operator+(double a, const Value& b) { return add(b, a); }
Value operator-(const Value& a, double b) { return sub(a, b); }
Value operator-(double a, const Value& b) { return sub(a, b); }
Value operator*(const Value& a, double b) { return mul(a, b); }
Value operator*(double a, const Value& b) { return mul(b, a); }
Value operator/(const Value& a, double b) { return div(a, b); }
Value operator/(double a, const Value& b) { return div(a, b); }
Value& operator+=(Value& a, const Value& b) { return a = add(a, b); }
Value& operator-=(Value& a, const Value& b) { return a = sub(a, b); }
Value& operator*=(Value& a, const Value& b) { return a = mul(a, b); }
Value& operator/=(Value& a, const Value& b) { return a = div(a, b); }

}  // namespace xgrad
