// Shape ops. Slices and joins view a tensor as (outer, n, inner) around the axis they act on and
// copy whole inner runs.
#include <xgrad/ops/shape.hpp>

#include <xgrad/op.hpp>

#include "ops/broadcast.hpp"

#include <xtensor/xmanipulation.hpp>

#include <algorithm>
#include <numeric>
#include <string>

namespace xgrad {

namespace {

// Copies the block of `part` into `whole` at `offset` along `axis` (inverse = true: the other way).
void copy_block(const Tensor& part, Tensor& whole, std::size_t axis, std::size_t offset) {
  const std::size_t outer = detail::extent(whole.shape(), 0, axis);
  const std::size_t inner = detail::extent(whole.shape(), axis + 1, whole.dimension());
  const std::size_t n_whole = whole.shape()[axis];
  const std::size_t n_part = part.shape()[axis];
  for (std::size_t o = 0; o < outer; ++o) {
    std::copy_n(part.data() + o * n_part * inner, n_part * inner, whole.data() + (o * n_whole + offset) * inner);
  }
}

// The block of `whole` of extent n at `offset` along `axis`.
Tensor take_block(const Tensor& whole, std::size_t axis, std::size_t offset, std::size_t n) {
  Shape shape = whole.shape();
  shape[axis] = n;
  Tensor part = detail::empty_tensor(shape);
  const std::size_t outer = detail::extent(whole.shape(), 0, axis);
  const std::size_t inner = detail::extent(whole.shape(), axis + 1, whole.dimension());
  for (std::size_t o = 0; o < outer; ++o) {
    std::copy_n(whole.data() + (o * whole.shape()[axis] + offset) * inner, n * inner, part.data() + o * n * inner);
  }
  return part;
}

Shape resolve_shape(const Value& x, const std::vector<std::ptrdiff_t>& dims) {
  Shape shape(dims.size());
  std::size_t known = 1;
  std::ptrdiff_t inferred = -1;
  for (std::size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] == -1 && inferred < 0) {
      inferred = static_cast<std::ptrdiff_t>(k);
    } else if (dims[k] < 0) {
      throw value_error("reshape: invalid dimension " + std::to_string(dims[k]) + " (only one -1 is allowed)");
    } else {
      shape[k] = static_cast<std::size_t>(dims[k]);
      known *= shape[k];
    }
  }
  if (inferred >= 0) {
    if (known == 0 || x.size() % known != 0) {
      throw shape_error("reshape: cannot infer -1 for " + std::to_string(x.size()) + " elements of shape " +
                        shape_str(x.shape()));
    }
    shape[static_cast<std::size_t>(inferred)] = x.size() / known;
    known *= shape[static_cast<std::size_t>(inferred)];
  }
  if (known != x.size()) {
    throw shape_error("reshape: cannot reshape " + shape_str(x.shape()) + " (" + std::to_string(x.size()) +
                      " elements) to " + shape_str(shape));
  }
  return shape;
}

Tensor reshaped(const Tensor& t, const Shape& shape) {
  Tensor out = t;
  out.reshape(shape);
  return out;
}

}  // namespace

Value reshape(const Value& x, const std::vector<std::ptrdiff_t>& dims) {
  const Shape shape = resolve_shape(x, dims);
  return record_op("reshape", reshaped(x.data(), shape), {x}, [](Tensor&& g, const Tensor&, Inputs in) -> Grads {
    g.reshape(in[0].shape());  // the same elements, back in the input's shape
    return {std::move(g)};
  });
}

Value transpose(const Value& x) {
  std::vector<std::size_t> perm(x.dim());
  std::iota(perm.rbegin(), perm.rend(), std::size_t{0});
  return transpose(x, perm);
}

Value transpose(const Value& x, const std::vector<std::size_t>& perm) {
  auto misfit = [&] {
    return value_error("transpose: permutation " + shape_str(std::span(perm.data(), perm.size())) +
                       " does not fit a value of shape " + shape_str(x.shape()));
  };
  if (perm.size() != x.dim()) {
    throw misfit();
  }
  std::vector<std::size_t> inverse(perm.size(), perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] >= perm.size() || inverse[perm[i]] != perm.size()) {
      throw misfit();
    }
    inverse[perm[i]] = i;
  }
  return record_op("transpose", xt::transpose(x.data(), perm), {x},
                   [inverse](const Tensor& g, const Tensor&, Inputs) -> Grads {
                     return {xt::transpose(g, inverse)};  // permute the gradient back
                   });
}

namespace {

// slice, with errors that name `op`: rows and cols are slices of a fixed axis, and a caller of
// rows should read "rows:" in the message, not the name of the op it is built on.
Value slice_as(const char* op, const Value& x, std::ptrdiff_t axis, std::size_t start, std::size_t stop) {
  const std::size_t ax = detail::normalize_axis(op, axis, x.dim());
  if (start > stop || stop > x.shape()[ax]) {
    throw value_error(std::string(op) + ": range [" + std::to_string(start) + ", " + std::to_string(stop) +
                      ") is outside axis " + std::to_string(ax) + " of shape " + shape_str(x.shape()));
  }
  return record_op("slice", take_block(x.data(), ax, start, stop - start), {x},
                   [ax, start](const Tensor& g, const Tensor&, Inputs in) -> Grads {
                     Tensor gx = xt::zeros<double>(in[0].shape());  // zero outside the slice
                     copy_block(g, gx, ax, start);
                     return {std::move(gx)};
                   });
}

}  // namespace

Value slice(const Value& x, std::ptrdiff_t axis, std::size_t start, std::size_t stop) {
  return slice_as("slice", x, axis, start, stop);
}

Value rows(const Value& x, std::size_t start, std::size_t stop) { return slice_as("rows", x, 0, start, stop); }
Value cols(const Value& x, std::size_t start, std::size_t stop) { return slice_as("cols", x, 1, start, stop); }

Value concat(const std::vector<Value>& values, std::ptrdiff_t axis) {
  if (values.empty()) {
    throw value_error("concat: needs at least one value");
  }
  const std::size_t ax = detail::normalize_axis("concat", axis, values.front().dim());
  Shape shape = values.front().shape();
  shape[ax] = 0;
  for (const Value& v : values) {
    Shape expect = values.front().shape();
    expect[ax] = v.dim() == expect.size() ? v.shape()[ax] : 0;
    if (v.shape() != expect) {
      throw shape_error("concat: shapes differ off axis " + std::to_string(ax) + ": " +
                        shape_str(values.front().shape()) + " vs " + shape_str(v.shape()));
    }
    shape[ax] += v.shape()[ax];
  }
  Tensor out = detail::empty_tensor(shape);
  std::vector<std::size_t> offsets;
  std::size_t offset = 0;
  for (const Value& v : values) {
    copy_block(v.data(), out, ax, offset);
    offsets.push_back(offset);
    offset += v.shape()[ax];
  }
  return record_op(
      "concat", std::move(out), std::span<const Value>(values),
      [ax, offsets](const Tensor& g, const Tensor&, Inputs in) -> Grads {
        Grads grads;  // each input gets its own block of the gradient back
        for (std::size_t i = 0; i < in.size(); ++i) {
          grads.push_back(grad_for(in[i], [&] { return take_block(g, ax, offsets[i], in[i].shape()[ax]); }));
        }
        return grads;
      });
}

Value stack(const std::vector<Value>& values, std::ptrdiff_t axis) {
  if (values.empty()) {
    throw value_error("stack: needs at least one value");
  }
  const std::size_t ax = detail::normalize_axis("stack", axis, values.front().dim() + 1);
  std::vector<Value> expanded;
  expanded.reserve(values.size());
  for (const Value& v : values) {
    if (v.shape() != values.front().shape()) {
      throw shape_error("stack: shapes differ: " + shape_str(values.front().shape()) + " vs " + shape_str(v.shape()));
    }
    std::vector<std::ptrdiff_t> dims(v.shape().begin(), v.shape().end());
    dims.insert(dims.begin() + static_cast<std::ptrdiff_t>(ax), 1);
    expanded.push_back(reshape(v, dims));
  }
  return concat(expanded, static_cast<std::ptrdiff_t>(ax));
}

Value broadcast_to(const Value& x, const Shape& shape) {
  if (detail::broadcast_shapes("broadcast_to", x.shape(), shape) != shape) {
    throw shape_error("broadcast_to: cannot broadcast " + shape_str(x.shape()) + " to " + shape_str(shape));
  }
  return record_op("broadcast_to", detail::expand_to(x.data(), shape), {x},
                   [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
                     return {detail::sum_to(g, in[0].shape())};  // the adjoint of broadcasting is a sum
                   });
}

}  // namespace xgrad
