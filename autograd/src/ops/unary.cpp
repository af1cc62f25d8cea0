// Elementwise functions of one value. Backward steps reuse the saved output where the derivative
// is a function of it (exp, sqrt, tanh, sigmoid), saving a second transcendental evaluation.
#include <xgrad/ops/unary.hpp>

#include <xgrad/kernels.hpp>
#include <xgrad/op.hpp>

#include "ops/broadcast.hpp"
#include "ops/record.hpp"
#include "ops/sigmoid.hpp"

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include <cmath>
#include <functional>
#include <string>

namespace xgrad {

Value exp(const Value& x) {
  return detail::record_unary(
      "exp", x,
      [](double v) {
        double e = 0.0;
        vexp(&v, &e, 1);
        return e;
      },
      [](const Tensor& t) {
        Tensor out = detail::empty_tensor(t.shape());
        vexp(t.data(), out.data(), t.size());
        return out;
      },
      [](Tensor&& g, const Tensor& out, Inputs) -> Grads {
        xt::noalias(g) *= out;  // ∂eˣ/∂x = eˣ
        return {std::move(g)};
      },
      [](double g, double out, Inputs) -> ScalarGrads<1> { return {g * out}; });
}

Value log(const Value& x) {
  return detail::record_unary(
      "log", x, [](double v) { return std::log(v); }, [](const Tensor& t) -> Tensor { return xt::log(t); },
      [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        return {g / in[0].data()};  // ∂ln x/∂x = 1/x
      },
      [](double g, double, Inputs in) -> ScalarGrads<1> { return {g / scalar_of(in[0])}; });
}

Value log1p(const Value& x) {
  return detail::record_unary(
      "log1p", x, [](double v) { return std::log1p(v); }, [](const Tensor& t) -> Tensor { return xt::log1p(t); },
      [](Tensor&& g, const Tensor&, Inputs in) -> Grads {
        xt::noalias(g) /= 1.0 + in[0].data();  // ∂ln(1 + x)/∂x = 1/(1 + x)
        return {std::move(g)};
      },
      [](double g, double, Inputs in) -> ScalarGrads<1> { return {g / (1.0 + scalar_of(in[0]))}; });
}

Value sqrt(const Value& x) {
  return detail::record_unary(
      "sqrt", x, [](double v) { return std::sqrt(v); }, [](const Tensor& t) -> Tensor { return xt::sqrt(t); },
      [](const Tensor& g, const Tensor& out, Inputs) -> Grads {
        return {g * 0.5 / out};  // ∂√x/∂x = 1/(2√x)
      },
      [](double g, double out, Inputs) -> ScalarGrads<1> { return {g * 0.5 / out}; });
}

Value abs(const Value& x) {
  return detail::record_unary(
      "abs", x, [](double v) { return std::abs(v); }, [](const Tensor& t) -> Tensor { return xt::abs(t); },
      [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        return {g * xt::sign(in[0].data())};  // ∂|x|/∂x = sign(x), 0 at 0
      },
      [](double g, double, Inputs in) -> ScalarGrads<1> {
        const double x = scalar_of(in[0]);
        return {x > 0.0 ? g : x < 0.0 ? -g : 0.0};
      });
}

Value tanh(const Value& x) {
  return detail::record_unary(
      "tanh", x, [](double v) { return std::tanh(v); }, [](const Tensor& t) -> Tensor { return xt::tanh(t); },
      [](Tensor&& g, const Tensor&, Inputs in) -> Grads {
        // ∂tanh/∂x = 1 − tanh² = 4e/(1 + e)² with e = e^−2|x|: the second form keeps full precision
        // in the tails, where 1 − tanh² cancels to 0.
        Tensor e = -2.0 * xt::abs(in[0].data());
        vexp(e.data(), e.data(), e.size());
        xt::noalias(g) *= 4.0 * e / xt::square(1.0 + e);
        return {std::move(g)};
      },
      [](double g, double, Inputs in) -> ScalarGrads<1> {
        const double e = std::exp(-2.0 * std::abs(scalar_of(in[0])));
        return {g * 4.0 * e / ((1.0 + e) * (1.0 + e))};
      });
}

namespace detail {

SigmoidParts sigmoid_parts(const Tensor& z, bool with_derivative) {
  SigmoidParts parts{empty_tensor(z.shape()), empty_tensor(with_derivative ? z.shape() : Shape{0})};
  if (with_derivative) {
    vsigmoid(z.data(), parts.value.data(), parts.derivative.data(), z.size());
  } else {
    vsigmoid(z.data(), parts.value.data(), z.size());
  }
  return parts;
}

}  // namespace detail

namespace {

// σ(z) for one number, by the kernel the tensor forms use.
double sigmoid_of(double z) {
  double s = 0.0;
  vsigmoid(&z, &s, 1);
  return s;
}

}  // namespace

Value sigmoid(const Value& x) {
  // The derivative is written in the forward pass when the result is recorded: the backward
  // step is one multiplication, with no exponential and no temporaries of its own; it costs one
  // tensor kept until the backward sweep — or, for a 0-d value (a scalar graph's neuron), one
  // number, so that the node keeps no tensor besides its result.
  if (x.dim() == 0) {
    double s = 0.0;
    double d = 0.0;
    const double z = scalar_of(x);
    const detail::Borrowed<1> inputs(x);
    if (will_record(inputs)) {
      vsigmoid(&z, &s, &d, 1);
    } else {
      s = sigmoid_of(z);
    }
    return detail::record<true>(
        "sigmoid", s, inputs,
        [d](Tensor&& g, const Tensor&, Inputs) -> Grads {
          g *= d;  // ∂σ/∂x = σ(x)·σ(−x), from the forward pass
          return {std::move(g)};
        },
        [d](double g, double, Inputs) -> ScalarGrads<1> { return {g * d}; });
  }
  detail::SigmoidParts parts = detail::sigmoid_parts(x.data(), will_record({x}));
  return record_op("sigmoid", std::move(parts.value), {x},
                   [ds = std::move(parts.derivative)](Tensor&& g, const Tensor&, Inputs) -> Grads {
                     detail::zip_into(g, ds, std::multiplies<>{});  // a plain loop: g and ds have x's shape
                     return {std::move(g)};
                   });
}

Value relu(const Value& x) {
  return detail::record_unary(
      "relu", x, [](double v) { return v > 0.0 ? v : 0.0; },  // as xtensor's maximum(x, 0) selects
      [](const Tensor& t) -> Tensor { return xt::maximum(t, 0.0); },
      [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        return {xt::where(in[0].data() > 0.0, g, 0.0)};  // ∂relu/∂x = [x > 0]
      },
      [](double g, double, Inputs in) -> ScalarGrads<1> { return {scalar_of(in[0]) > 0.0 ? g : 0.0}; });
}

Value leaky_relu(const Value& x, double slope) {
  return detail::record_map(
      "leaky_relu", x, [slope](double v) { return v > 0.0 ? v : slope * v; },
      [slope](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        return {xt::where(in[0].data() > 0.0, g, slope * g)};  // [x > 0] + slope·[x ≤ 0]
      },
      [slope](double g, double, Inputs in) -> ScalarGrads<1> { return {scalar_of(in[0]) > 0.0 ? g : slope * g}; });
}

Value softplus(const Value& x) {
  return detail::record_unary(
      "softplus", x,
      [](double v) { return (v > 0.0 ? v : 0.0) + std::log1p(std::exp(-std::abs(v))); },  // as xt::maximum selects
      [](const Tensor& v) -> Tensor { return xt::maximum(v, 0.0) + xt::log1p(xt::exp(-xt::abs(v))); },
      [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        return {g * detail::sigmoid_parts(in[0].data(), false).value};  // ∂softplus/∂x = σ(x)
      },
      [](double g, double, Inputs in) -> ScalarGrads<1> { return {g * sigmoid_of(scalar_of(in[0]))}; });
}

Value log_sigmoid(const Value& x) {
  return detail::record_unary(
      "log_sigmoid", x,
      [](double v) { return (v < 0.0 ? v : 0.0) - std::log1p(std::exp(-std::abs(v))); },  // as xt::minimum selects
      [](const Tensor& v) -> Tensor { return xt::minimum(v, 0.0) - xt::log1p(xt::exp(-xt::abs(v))); },
      [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        return {g * detail::sigmoid_parts(-in[0].data(), false).value};  // ∂lnσ/∂x = 1 − σ(x) = σ(−x)
      },
      [](double g, double, Inputs in) -> ScalarGrads<1> { return {g * sigmoid_of(-scalar_of(in[0]))}; });
}

Value clamp(const Value& x, double lo, double hi) {
  if (!(lo <= hi)) {
    throw value_error("clamp: lower bound " + std::to_string(lo) + " is above upper bound " + std::to_string(hi));
  }
  return detail::record_unary(
      "clamp", x, [lo, hi](double v) { return v < lo   ? lo
                                              : hi < v ? hi
                                                       : v; },  // as xtensor's clip
      [lo, hi](const Tensor& t) -> Tensor { return xt::clip(t, lo, hi); },
      [lo, hi](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        const Tensor& v = in[0].data();
        return {xt::where(v >= lo && v <= hi, g, 0.0)};  // ∂clamp/∂x = [lo ≤ x ≤ hi]
      },
      [lo, hi](double g, double, Inputs in) -> ScalarGrads<1> {
        const double x = scalar_of(in[0]);
        return {x >= lo && x <= hi ? g : 0.0};
      });
}

}  // namespace xgrad
