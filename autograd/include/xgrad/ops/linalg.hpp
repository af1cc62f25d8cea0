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

/// The affine map of a dense layer, `matmul(x, w) + b`, as one op: x of shape (m,k) or (k),
/// w of shape (k,n), b of shape (n); the result is (m,n) or (n). The bias is written into the
/// output first and the product added to it by one GEMM, so the forward pass builds no
/// intermediate product and the graph holds one node instead of two.
/// ∂/∂x = G·wᵀ, ∂/∂w = xᵀ·G, ∂/∂b = G summed over its rows.
/// Throws shape_error naming `linear` and the three shapes if they do not fit.
Value linear(const Value& x, const Value& w, const Value& b);

/// σ(x·w + b), the sigmoid of `linear`, as one op: the values and gradients of
/// `sigmoid(linear(x, w, b))`, with one node fewer, and without keeping x·w + b for the
/// backward pass — the sigmoid's derivative is written in the same pass as its output, and the
/// backward step multiplies G by it before the three products of `linear`. nn::MLP uses it for
/// every layer followed by a sigmoid. Shapes and errors as `linear`'s (the message names `linear`).
Value linear_sigmoid(const Value& x, const Value& w, const Value& b);

}  // namespace xgrad
