#pragma once
/// @file
/// Reductions over all elements (0-d result) or along one axis (negative axes count from the
/// end; `keepdims` keeps the reduced axis with size 1, as numpy does).

#include <xgrad/value.hpp>

#include <cstddef>

namespace xgrad {

/// Σᵢ xᵢ;  ∂/∂xᵢ = 1.
Value sum(const Value& x);
/// Σ along `axis`;  each element receives the gradient of its sum.
Value sum(const Value& x, std::ptrdiff_t axis, bool keepdims = false);
/// Σᵢ xᵢ / n (composite: sum, then a constant scale). Throws value_error on an empty value.
Value mean(const Value& x);
/// Mean along `axis`. Throws value_error if that axis is empty.
Value mean(const Value& x, std::ptrdiff_t axis, bool keepdims = false);
/// maxᵢ xᵢ;  the gradient is split evenly among the elements equal to the maximum.
/// Throws value_error on an empty value.
Value max(const Value& x);
/// Max along `axis`, the gradient split evenly among ties. Throws value_error if that axis is empty.
Value max(const Value& x, std::ptrdiff_t axis, bool keepdims = false);

}  // namespace xgrad
