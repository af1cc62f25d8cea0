#pragma once
/// @file
/// Elementwise kernels on plain arrays of doubles, shared by xgrad's ops and usable by any code
/// that wants the same numbers at the same speed (the hand-derived baseline in bench/ does).

#include <cstddef>

namespace xgrad {

/// y[i] = eˣ⁽ⁱ⁾ for i < n; `y` may equal `x`. Vectorised with glibc's libmvec when the CPU has
/// AVX2 (decided once, at run time; accurate to a few ulp), `std::exp` otherwise.
void vexp(const double* x, double* y, std::size_t n);

/// y[i] = σ(x[i]) = 1/(1 + e⁻ˣ⁽ⁱ⁾) computed as e = e^−|x|, σ = 1/(1 + e) for x ≥ 0 and e/(1 + e)
/// for x < 0: no overflow for any x. `y` must not overlap `x`.
void vsigmoid(const double* x, double* y, std::size_t n);

/// As above, and also dydx[i] = σ'(x[i]) = e/(1 + e)² with the same e = e^−|x|: the derivative
/// σ(x)·σ(−x) to full relative precision in both tails (1 − σ(x) would cancel for large x), for
/// the price of two multiplications. No two of `x`, `y`, `dydx` may overlap.
void vsigmoid(const double* x, double* y, double* dydx, std::size_t n);

}  // namespace xgrad
