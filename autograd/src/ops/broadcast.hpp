#pragma once
// Internal helpers shared by the op families: numpy broadcasting and its adjoint, axis checks.

#include <xgrad/tensor.hpp>

#include <cstddef>

namespace xgrad::detail {

// The broadcast shape of `a` and `b` under numpy's rules; shape_error naming `op` otherwise.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// The adjoint of broadcasting: sums `g` over the axes that broadcasting added or stretched, so
// the result has `shape`. Every broadcasting op's backward calls it for each input.
Tensor sum_to(const Tensor& g, const Shape& shape);
// The same, reusing g's buffer when no reduction is needed.
Tensor sum_to(Tensor&& g, const Shape& shape);

// `t` broadcast to `shape`, evaluated.
Tensor expand_to(const Tensor& t, const Shape& shape);

// `axis` (negative counts from the end) as an index below `dim`; value_error naming `op` otherwise.
std::size_t normalize_axis(const char* op, std::ptrdiff_t axis, std::size_t dim);

// Product of `shape[begin, end)`.
std::size_t extent(const Shape& shape, std::size_t begin, std::size_t end);

}  // namespace xgrad::detail
