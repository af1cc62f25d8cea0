#pragma once
/// @file
/// Loss functions, composed from autograd primitives (no gradient is written by hand).
/// Prediction and target must have the same shape: a silent broadcast of (n,1) against (n)
/// would compare every prediction with every target, so it is an error instead.

#include <xgrad/value.hpp>

namespace xgrad::nn {

/// How per-element losses become one number.
enum class Reduction { mean, sum };

/// mean (or Σ) of (pred − target)².
Value mse_loss(const Value& pred, const Value& target, Reduction reduction = Reduction::mean);
/// ½·mean((pred − target)²): the lab's convention, whose gradient is (pred − target)/n.
Value half_mse_loss(const Value& pred, const Value& target);
/// −[y·ln p + (1 − y)·ln(1 − p)] for probabilities p, each log clamped at −100 so that p = 0 or
/// p = 1 gives a finite loss (at most 100 per element) and a finite gradient.
Value binary_cross_entropy(const Value& p, const Value& y, Reduction reduction = Reduction::mean);
/// The same loss from logits z, p = σ(z), in the stable form softplus(z) − y·z: exact for any z,
/// with gradient σ(z) − y.
Value binary_cross_entropy_with_logits(const Value& z, const Value& y, Reduction reduction = Reduction::mean);

}  // namespace xgrad::nn
