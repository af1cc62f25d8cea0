#pragma once
/// @file
/// Shape ops: they move elements around, and their gradients move them back.

#include <xgrad/value.hpp>

#include <cstddef>
#include <vector>

namespace xgrad {

/// The same elements in a new shape (row-major order); one dimension may be −1, inferred.
/// Throws shape_error if the element counts differ.
Value reshape(const Value& x, const std::vector<std::ptrdiff_t>& shape);
/// Axes reversed (a matrix's transpose);  the gradient is transposed back.
Value transpose(const Value& x);
/// Axes permuted: result axis i is input axis perm[i];  the gradient is permuted back.
Value transpose(const Value& x, const std::vector<std::size_t>& perm);
/// Elements [start, stop) along `axis`;  the gradient is zero outside the slice.
Value slice(const Value& x, std::ptrdiff_t axis, std::size_t start, std::size_t stop);
/// Rows [start, stop) of a value with at least one axis: `slice(x, 0, start, stop)`.
Value rows(const Value& x, std::size_t start, std::size_t stop);
/// Columns [start, stop) of a value with at least two axes: `slice(x, 1, start, stop)`.
Value cols(const Value& x, std::size_t start, std::size_t stop);
/// The values joined along an existing `axis`; all other axes must agree.
Value concat(const std::vector<Value>& values, std::ptrdiff_t axis = 0);
/// The values, all of one shape, joined along a new `axis` (composite: reshape + concat).
Value stack(const std::vector<Value>& values, std::ptrdiff_t axis = 0);
/// `x` broadcast to `shape` under numpy's rules;  the gradient is summed back.
Value broadcast_to(const Value& x, const Shape& shape);

}  // namespace xgrad
