#pragma once
/// @file
/// Matrix products on BLAS.

#include <xgrad/value.hpp>

namespace xgrad {

/// The matrix product with numpy's rules for 1-d and 2-d operands: (m,k)·(k,n) → (m,n),
/// (k)·(k,n) → (n), (m,k)·(k) → (m), (k)·(k) → 0-d.
/// ∂/∂A = G·Bᵀ, ∂/∂B = Aᵀ·G (a 1-d operand taken as a row for A, a column for B).
/// Throws shape_error if the inner dimensions differ or an operand is 0-d or more than 2-d.
Value matmul(const Value& a, const Value& b);

}  // namespace xgrad
