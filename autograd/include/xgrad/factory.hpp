#pragma once
/// @file
/// Factories for leaf values. None requires grad: mark parameters with `set_requires_grad()`.

#include <xgrad/random.hpp>
#include <xgrad/value.hpp>

#include <cstddef>

namespace xgrad {

/// All zeros.
Value zeros(const Shape& shape);
/// All ones.
Value ones(const Shape& shape);
/// Every element `fill`.
Value full(const Shape& shape, double fill);
/// start, start + step, … below `stop` (numpy's arange); throws value_error if step is 0.
Value arange(double start, double stop, double step = 1.0);
/// `n` points evenly spaced from `start` to `stop`, both included.
Value linspace(double start, double stop, std::size_t n);
/// Uniform in [lo, hi) from `gen`.
Value uniform(const Shape& shape, Generator& gen, double lo = 0.0, double hi = 1.0);
/// Normal with the given mean and standard deviation, from `gen`.
Value normal(const Shape& shape, Generator& gen, double mean = 0.0, double stddev = 1.0);

}  // namespace xgrad
