#pragma once
/// @file
/// Elementwise functions of one value. At kinks the derivative is fixed by convention:
/// relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = slope, clamp passes the gradient on its bounds.

#include <xgrad/value.hpp>

namespace xgrad {

/// eˣ;  ∂/∂x = eˣ.
Value exp(const Value& x);
/// ln x;  ∂/∂x = 1/x.
Value log(const Value& x);
/// ln(1 + x), exact for tiny x;  ∂/∂x = 1/(1 + x).
Value log1p(const Value& x);
/// √x;  ∂/∂x = 1/(2√x).
Value sqrt(const Value& x);
/// |x|;  ∂/∂x = sign(x), 0 at 0.
Value abs(const Value& x);
/// tanh x;  ∂/∂x = 1 − tanh²x.
Value tanh(const Value& x);
/// σ(x) = 1/(1 + e⁻ˣ), computed without overflow for any x;  ∂/∂x = σ(x)(1 − σ(x)).
Value sigmoid(const Value& x);
/// max(x, 0);  ∂/∂x = [x > 0].
Value relu(const Value& x);
/// x for x > 0, slope·x otherwise;  ∂/∂x = [x > 0] + slope·[x ≤ 0].
Value leaky_relu(const Value& x, double slope = 0.01);
/// ln(1 + eˣ) = max(x, 0) + ln(1 + e⁻|ˣ|) (no overflow);  ∂/∂x = σ(x).
Value softplus(const Value& x);
/// ln σ(x) = min(x, 0) − ln(1 + e⁻|ˣ|) (no overflow);  ∂/∂x = 1 − σ(x).
Value log_sigmoid(const Value& x);
/// x limited to [lo, hi];  ∂/∂x = [lo ≤ x ≤ hi]. Throws value_error if lo > hi.
Value clamp(const Value& x, double lo, double hi);

}  // namespace xgrad
