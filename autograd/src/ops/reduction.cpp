// Reductions. An axis reduction views the tensor as (outer, n, inner) in row-major order and
// loops over it directly: one pass, no index arithmetic per element.
#include <xgrad/ops/reduction.hpp>

#include <xgrad/op.hpp>
#include <xgrad/ops/elementwise.hpp>

#include "ops/broadcast.hpp"

#include <xtensor/xmath.hpp>

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>

namespace xgrad {

namespace {

// The (outer, n, inner) view of a reduction of `shape` along `axis`.
struct AxisView {
  std::size_t outer, n, inner;
};

AxisView axis_view(const Shape& shape, std::size_t axis) {
  return {detail::extent(shape, 0, axis), shape[axis], detail::extent(shape, axis + 1, shape.size())};
}

// The output shape of reducing `shape` along `axis`.
Shape reduced_shape(const Shape& shape, std::size_t axis, bool keepdims) {
  Shape out = shape;
  if (keepdims) {
    out[axis] = 1;
  } else {
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(axis));
  }
  return out;
}

// Spreads g (one value per (outer, inner) pair) over the reduced axis, times `weight` per element.
template <class Weight>
Tensor spread(const Tensor& g, const Shape& shape, AxisView v, Weight weight) {
  Tensor out = detail::empty_tensor(shape);
  for (std::size_t o = 0; o < v.outer; ++o) {
    for (std::size_t k = 0; k < v.n; ++k) {
      for (std::size_t i = 0; i < v.inner; ++i) {
        const std::size_t at = (o * v.n + k) * v.inner + i;
        out.data()[at] = g.data()[o * v.inner + i] * weight(at, o * v.inner + i);
      }
    }
  }
  return out;
}

void require_nonempty(const char* op, const Shape& shape, std::size_t n) {
  if (n == 0) {
    throw value_error(std::string(op) + ": cannot reduce an empty extent of shape " + shape_str(shape));
  }
}

}  // namespace

Value sum(const Value& x) {
  // A plain loop, in index order: xtensor's reducer costs more to set up than a small sum.
  const double* v = x.data().data();
  const double total = std::accumulate(v, v + x.size(), 0.0);
  return record_op("sum", detail::scalar_tensor(total), {x}, [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
    Tensor gx = detail::empty_tensor(in[0].shape());  // ∂Σx/∂xᵢ = 1: g in every element
    std::fill(gx.data(), gx.data() + gx.size(), g());
    return {std::move(gx)};
  });
}

Value sum(const Value& x, std::ptrdiff_t axis, bool keepdims) {
  const std::size_t ax = detail::normalize_axis("sum", axis, x.dim());
  const AxisView v = axis_view(x.shape(), ax);
  Tensor out = xt::zeros<double>(reduced_shape(x.shape(), ax, keepdims));
  const double* src = x.data().data();
  for (std::size_t o = 0; o < v.outer; ++o) {
    for (std::size_t k = 0; k < v.n; ++k) {
      for (std::size_t i = 0; i < v.inner; ++i) {
        out.data()[o * v.inner + i] += src[(o * v.n + k) * v.inner + i];
      }
    }
  }
  return record_op("sum", std::move(out), {x}, [v](const Tensor& g, const Tensor&, Inputs in) -> Grads {
    return {spread(g, in[0].shape(), v, [](std::size_t, std::size_t) { return 1.0; })};  // ∂Σₖx/∂xₖ = 1
  });
}

Value mean(const Value& x) {
  require_nonempty("mean", x.shape(), x.size());
  return sum(x) * (1.0 / static_cast<double>(x.size()));
}

Value mean(const Value& x, std::ptrdiff_t axis, bool keepdims) {
  const std::size_t ax = detail::normalize_axis("mean", axis, x.dim());
  require_nonempty("mean", x.shape(), x.shape()[ax]);
  return sum(x, axis, keepdims) * (1.0 / static_cast<double>(x.shape()[ax]));
}

Value max(const Value& x) {
  require_nonempty("max", x.shape(), x.size());
  const double m = xt::amax(x.data())();
  return record_op("max", detail::scalar_tensor(m), {x}, [](const Tensor& g, const Tensor& out, Inputs in) -> Grads {
    const Tensor& v = in[0].data();
    Tensor is_max = xt::where(xt::equal(v, out()), 1.0, 0.0);
    const double ties = xt::sum(is_max)();
    return {is_max * (g() / ties)};  // ∂max/∂xᵢ = [xᵢ = max] / #ties
  });
}

Value max(const Value& x, std::ptrdiff_t axis, bool keepdims) {
  const std::size_t ax = detail::normalize_axis("max", axis, x.dim());
  require_nonempty("max", x.shape(), x.shape()[ax]);
  const AxisView v = axis_view(x.shape(), ax);
  Tensor out = detail::empty_tensor(reduced_shape(x.shape(), ax, keepdims));
  std::fill(out.begin(), out.end(), -std::numeric_limits<double>::infinity());
  const double* src = x.data().data();
  for (std::size_t o = 0; o < v.outer; ++o) {
    for (std::size_t k = 0; k < v.n; ++k) {
      for (std::size_t i = 0; i < v.inner; ++i) {
        double& m = out.data()[o * v.inner + i];
        m = std::max(m, src[(o * v.n + k) * v.inner + i]);
      }
    }
  }
  return record_op("max", std::move(out), {x}, [v](const Tensor& g, const Tensor& out, Inputs in) -> Grads {
    const double* src = in[0].data().data();
    Tensor ties = xt::zeros<double>({v.outer * v.inner});
    for (std::size_t o = 0; o < v.outer; ++o) {
      for (std::size_t k = 0; k < v.n; ++k) {
        for (std::size_t i = 0; i < v.inner; ++i) {
          ties(o * v.inner + i) += src[(o * v.n + k) * v.inner + i] == out.data()[o * v.inner + i] ? 1.0 : 0.0;
        }
      }
    }
    // ∂maxₖ/∂xₖ = [xₖ = max] / #ties
    return {spread(g, in[0].shape(), v,
                   [&](std::size_t at, std::size_t r) { return src[at] == out.data()[r] ? 1.0 / ties(r) : 0.0; })};
  });
}

}  // namespace xgrad
