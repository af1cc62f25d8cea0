#pragma once
// Internal helpers shared by the op families: numpy broadcasting and its adjoint, axis checks.

#include <xgrad/tensor.hpp>

#include <xtensor/xnoalias.hpp>

#include <cstddef>

namespace xgrad::detail {

// A tensor of `shape` with its elements left uninitialised, like Tensor::from_shape, built
// from its parts: the strides computed here in one pass, then the shape, strides and storage
// moved in. (from_shape goes through xtensor's general resize, which copies the shape, resizes
// the strides twice and reconsiders the layout: about 200 instructions, more than building a
// gradient of a small layer costs otherwise. Every op's output and most gradients are made here.)
inline Tensor empty_tensor(Shape shape) {
  Tensor::inner_strides_type strides(shape.size());
  std::ptrdiff_t size = 1;
  for (std::size_t k = shape.size(); k-- > 0;) {
    strides[k] = size;  // the constructor zeroes the stride of an axis of extent 1, as xtensor does
    size *= static_cast<std::ptrdiff_t>(shape[k]);
  }
  return Tensor(Tensor::storage_type(static_cast<std::size_t>(size)), std::move(shape), std::move(strides));
}

// A 0-d tensor holding `v`: xtensor's default tensor is 0-d with one element and needs no
// strides computed, about 50 instructions fewer than empty_tensor(Shape{}) (and Tensor(v) takes
// xtensor's general path). A scalar graph makes one for every op it records.
inline Tensor scalar_tensor(double v) {
  Tensor t;
  *t.data() = v;
  return t;
}

// The broadcast shape of `a` and `b` under numpy's rules; shape_error naming `op` otherwise.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// Throws shape_error naming `op` unless `a` and `b` broadcast together. Equal shapes — every
// pair of 0-d values — pass without a call.
inline void check_broadcast(const char* op, const Shape& a, const Shape& b) {
  if (a != b) {
    broadcast_shapes(op, a, b);
  }
}

// The adjoint of broadcasting: sums `g` over the axes that broadcasting added or stretched, so
// the result has `shape`. Every broadcasting op's backward calls it for each input.
Tensor sum_to(const Tensor& g, const Shape& shape);
// The same, reusing g's buffer when no reduction is needed.
Tensor sum_to(Tensor&& g, const Shape& shape);

// f(a, b) element by element under numpy broadcasting, evaluated (the shapes are already
// checked). Equal shapes and a 0-d operand take a plain loop over the buffers: on the small
// tensors of a scalar graph or a small batch, xtensor's broadcasting assignment costs more than
// the arithmetic. Other shapes go through xtensor. `f` must accept two doubles and two Tensors
// alike: std::plus<>{} and its relatives do.
template <class F>
Tensor zip(const Tensor& a, const Tensor& b, F f) {
  if (a.dimension() == 0 && b.dimension() == 0) {
    return scalar_tensor(f(*a.data(), *b.data()));
  }
  const bool same = a.shape() == b.shape();
  if (!same && a.dimension() != 0 && b.dimension() != 0) {
    return Tensor(f(a, b));
  }
  Tensor out = empty_tensor(a.dimension() == 0 ? b.shape() : a.shape());
  double* o = out.data();
  const double* x = a.data();
  const double* y = b.data();
  const std::size_t n = out.size();
  if (same) {
    for (std::size_t i = 0; i < n; ++i) {
      o[i] = f(x[i], y[i]);
    }
  } else if (b.dimension() == 0) {
    for (std::size_t i = 0; i < n; ++i) {
      o[i] = f(x[i], y[0]);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      o[i] = f(x[0], y[i]);
    }
  }
  return out;
}

// f(x) element by element, evaluated: the unary counterpart of zip's plain loop.
template <class F>
Tensor map(const Tensor& a, F f) {
  if (a.dimension() == 0) {
    return scalar_tensor(f(*a.data()));
  }
  Tensor out = empty_tensor(a.shape());
  const double* x = a.data();
  double* o = out.data();
  for (std::size_t i = 0, n = a.size(); i < n; ++i) {
    o[i] = f(x[i]);
  }
  return out;
}

// a = f(a, b) in place, where b broadcasts to a's shape: the same plain loop as zip for equal
// shapes and a 0-d b, xtensor otherwise.
template <class F>
void zip_into(Tensor& a, const Tensor& b, F f) {
  double* x = a.data();
  const double* y = b.data();
  if (a.shape() == b.shape()) {
    for (std::size_t i = 0, n = a.size(); i < n; ++i) {
      x[i] = f(x[i], y[i]);
    }
  } else if (b.dimension() == 0) {
    for (std::size_t i = 0, n = a.size(); i < n; ++i) {
      x[i] = f(x[i], y[0]);
    }
  } else {
    xt::noalias(a) = f(a, b);
  }
}

// `t` broadcast to `shape`, evaluated.
Tensor expand_to(const Tensor& t, const Shape& shape);

// `axis` (negative counts from the end) as an index below `dim`; value_error naming `op` otherwise.
std::size_t normalize_axis(const char* op, std::ptrdiff_t axis, std::size_t dim);

// Product of `shape[begin, end)`.
std::size_t extent(const Shape& shape, std::size_t begin, std::size_t end);

}  // namespace xgrad::detail
