#include <xgrad/factory.hpp>

#include <xtensor/xbuilder.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace xgrad {

Value zeros(const Shape& shape) { return Value(Tensor(xt::zeros<double>(shape))); }
Value ones(const Shape& shape) { return Value(Tensor(xt::ones<double>(shape))); }

Value full(const Shape& shape, double fill) {
  Tensor t = Tensor::from_shape(shape);
  t.fill(fill);
  return Value(std::move(t));
}

Value arange(double start, double stop, double step) {
  if (step == 0.0 || !std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step)) {
    throw value_error("arange: needs finite bounds and a non-zero step, got start " + std::to_string(start) +
                      ", stop " + std::to_string(stop) + ", step " + std::to_string(step));
  }
  const double count = std::max(0.0, std::ceil((stop - start) / step));
  constexpr double max_elements = 1e12;  // far beyond any memory, far below size_t's range
  if (!(count <= max_elements)) {
    throw value_error("arange: [" + std::to_string(start) + ", " + std::to_string(stop) + ") in steps of " +
                      std::to_string(step) + " has too many elements");
  }
  const auto n = static_cast<std::size_t>(count);
  Tensor t = Tensor::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    t(i) = start + static_cast<double>(i) * step;
  }
  return Value(std::move(t));
}

Value linspace(double start, double stop, std::size_t n) {
  Tensor t = Tensor::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) {
    // The last point is exactly `stop`, not start + (n−1)·step with its rounding; a single point
    // is `start`, as in numpy.
    t(i) = i == 0       ? start
           : i + 1 == n ? stop
                        : start + (stop - start) * static_cast<double>(i) / static_cast<double>(n - 1);
  }
  return Value(std::move(t));
}

Value uniform(const Shape& shape, Generator& gen, double lo, double hi) {
  if (!(lo <= hi)) {
    throw value_error("uniform: lower bound " + std::to_string(lo) + " is above upper bound " + std::to_string(hi));
  }
  Tensor t = Tensor::from_shape(shape);
  for (double& x : t) {
    x = gen.uniform(lo, hi);
  }
  return Value(std::move(t));
}

Value normal(const Shape& shape, Generator& gen, double mean, double stddev) {
  if (!(stddev >= 0.0)) {
    throw value_error("normal: standard deviation must be non-negative, got " + std::to_string(stddev));
  }
  Tensor t = Tensor::from_shape(shape);
  for (double& x : t) {
    x = mean + stddev * gen.normal();
  }
  return Value(std::move(t));
}

}  // namespace xgrad
