#pragma once
/// @file
/// The plain data type under every Value, its shape type, and xgrad's exception types.

#include <xgrad/allocator.hpp>
#include <xgrad/small_vector.hpp>

#include <xtensor/xarray.hpp>

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

namespace xgrad {

/// A plain n-dimensional array of doubles (row-major): the data and gradient of every Value.
/// An xtensor array whose elements come from buffer_allocator (large buffers are reused from
/// step to step, see allocator.hpp); it converts to and from any other xtensor expression.
/// Its shape, strides and back-strides are SmallVectors (small_vector.hpp): up to four
/// dimensions live inside the tensor, so building one allocates only its elements and moving
/// one copies a few words and a pointer. (xtensor's own small vector copies and swaps its
/// inline elements on a move, and std::vector allocates three blocks per tensor; a graph
/// builds each result and gradient once and moves it several times, see benchmarks.md.)
using Tensor = xt::xarray_container<xt::uvector<double, buffer_allocator<double>>, xt::layout_type::row_major,
                                    SmallVector<std::size_t, buffer_allocator<std::size_t>>>;

/// The sizes of a tensor along each axis; `Shape{}` is a 0-d (scalar) shape, `Shape{3, 4}` a
/// 3×4 one.
using Shape = Tensor::shape_type;

/// Formats a shape the way every error message shows it: `(3,4)`, `(5)`, `()` for 0-d.
std::string shape_str(std::span<const std::size_t> shape);
/// @overload
inline std::string shape_str(const Shape& shape) { return shape_str(std::span(shape.data(), shape.size())); }

/// Base of every exception xgrad throws; `what()` starts with the name of the operation.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Operand shapes that do not fit the operation (broadcasting, matmul, reshape, concat, …).
class shape_error : public error {
 public:
  using error::error;
};

/// An argument value outside what the operation accepts (an axis out of range, eps <= 0, …).
class value_error : public error {
 public:
  using error::error;
};

/// Misuse of the graph: backward without a seed on a non-scalar, backward through a freed graph, …
class graph_error : public error {
 public:
  using error::error;
};

}  // namespace xgrad
