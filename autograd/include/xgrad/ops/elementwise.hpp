#pragma once
/// @file
/// Elementwise arithmetic with numpy broadcasting. Each op's gradient reduces back to the shape
/// of each input (the adjoint of broadcasting is a sum).

#include <xgrad/value.hpp>

namespace xgrad {

/// a + b;  ∂/∂a = 1, ∂/∂b = 1.
Value add(const Value& a, const Value& b);
/// a − b;  ∂/∂a = 1, ∂/∂b = −1.
Value sub(const Value& a, const Value& b);
/// a · b;  ∂/∂a = b, ∂/∂b = a.
Value mul(const Value& a, const Value& b);
/// a / b;  ∂/∂a = 1/b, ∂/∂b = −a/b².
Value div(const Value& a, const Value& b);
/// −a;  ∂/∂a = −1.
Value neg(const Value& a);
/// aᵖ for a constant p;  ∂/∂a = p·aᵖ⁻¹.
Value pow(const Value& a, double p);
/// aᵇ;  ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a (needs a > 0 where b's gradient is wanted).
Value pow(const Value& a, const Value& b);
/// max(a, b) elementwise;  the gradient goes to the larger input, split evenly on ties.
Value maximum(const Value& a, const Value& b);
/// min(a, b) elementwise;  the gradient goes to the smaller input, split evenly on ties.
Value minimum(const Value& a, const Value& b);

Value operator+(const Value& a, const Value& b);
Value operator-(const Value& a, const Value& b);
Value operator*(const Value& a, const Value& b);
Value operator/(const Value& a, const Value& b);
Value operator-(const Value& a);
// A double on either side is a constant 0-d value: `2.0 - a`, `1.0 / a`.
Value operator+(const Value& a, double b);
Value operator+(double a, const Value& b);
Value operator-(const Value& a, double b);
Value operator-(double a, const Value& b);
Value operator*(const Value& a, double b);
Value operator*(double a, const Value& b);
Value operator/(const Value& a, double b);
Value operator/(double a, const Value& b);
/// Compound assignment rebinds the handle to the new result (as `a = a + b`); the node `a`
/// referred to before is unchanged.
Value& operator+=(Value& a, const Value& b);
Value& operator-=(Value& a, const Value& b);
Value& operator*=(Value& a, const Value& b);
Value& operator/=(Value& a, const Value& b);

}  // namespace xgrad
