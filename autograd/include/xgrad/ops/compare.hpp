#pragma once
/// @file
/// Comparisons (no gradient: they return a plain Tensor mask of 1.0 and 0.0) and `where`,
/// which selects between two values by such a mask and passes the gradient to the chosen one.

#include <xgrad/value.hpp>

namespace xgrad {

/// 1.0 where a < b, else 0.0 (numpy broadcasting).
Tensor operator<(const Value& a, const Value& b);
/// 1.0 where a ≤ b.
Tensor operator<=(const Value& a, const Value& b);
/// 1.0 where a > b.
Tensor operator>(const Value& a, const Value& b);
/// 1.0 where a ≥ b.
Tensor operator>=(const Value& a, const Value& b);
/// 1.0 where a = b (named, since `==` on handles would read as identity).
Tensor equal(const Value& a, const Value& b);
/// 1.0 where a ≠ b.
Tensor not_equal(const Value& a, const Value& b);

/// a where mask ≠ 0, else b (all three broadcast together);
/// ∂/∂a = [mask ≠ 0], ∂/∂b = [mask = 0].
Value where(const Tensor& mask, const Value& a, const Value& b);

}  // namespace xgrad
