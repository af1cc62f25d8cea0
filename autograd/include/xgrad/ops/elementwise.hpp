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
/// a²;  ∂/∂a = 2a. (`pow(a, 2.0)` gives the same values; square skips the general power.)
Value square(const Value& a);
/// (a − b)²;  ∂/∂a = 2(a − b), ∂/∂b = −2(a − b). One node where `square(a - b)` records two:
/// the MSE losses are built on it.
Value squared_difference(const Value& a, const Value& b);
/// aᵖ for a constant p;  ∂/∂a = p·aᵖ⁻¹.
Value pow(const Value& a, double p);
/// aᵇ;  ∂/∂a = b·aᵇ⁻¹, ∂/∂b = aᵇ·ln a (needs a > 0 where b's gradient is wanted).
Value pow(const Value& a, const Value& b);
/// a + c for a number c;  ∂/∂a = 1. The number is kept in the op, not recorded as a node.
Value add(const Value& a, double c);
/// a − c;  ∂/∂a = 1.
Value sub(const Value& a, double c);
/// c − a;  ∂/∂a = −1.
Value sub(double c, const Value& a);
/// a · c;  ∂/∂a = c.
Value mul(const Value& a, double c);
/// a / c;  ∂/∂a = 1/c.
Value div(const Value& a, double c);
/// c / a;  ∂/∂a = −c/a².
Value div(double c, const Value& a);
/// max(a, b) elementwise;  the gradient goes to the larger input, split evenly on ties.
Value maximum(const Value& a, const Value& b);
/// min(a, b) elementwise;  the gradient goes to the smaller input, split evenly on ties.
Value minimum(const Value& a, const Value& b);

Value operator+(const Value& a, const Value& b);
Value operator-(const Value& a, const Value& b);
Value operator*(const Value& a, const Value& b);
Value operator/(const Value& a, const Value& b);
Value operator-(const Value& a);
/// A number on either side goes to the overloads above: `2.0 - a`, `1.0 / a`, `a * 0.5`.
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
