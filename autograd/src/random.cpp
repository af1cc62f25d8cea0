#include <xgrad/random.hpp>

#include <xgrad/tensor.hpp>

#include <cmath>
#include <numbers>

namespace xgrad {

double Generator::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Generator::uniform(double lo, double hi) {
  const double x = lo + (hi - lo) * uniform();
  // Rounding can carry lo + (hi − lo)·u up to hi for u just below 1; keep the interval half-open.
  return x < hi ? x : std::nextafter(hi, lo);
}

double Generator::normal() {
  const double u1 = 1.0 - uniform();  // in (0, 1]: log stays finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint64_t Generator::below(std::uint64_t n) {
  if (n == 0) {
    throw value_error("below: needs n > 0, got 0 (the range [0, n) is empty)");
  }
  // Rejection: draw until the value falls in the largest multiple of n that fits.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t x = engine_();
  while (x >= limit) {
    x = engine_();
  }
  return x % n;
}

}  // namespace xgrad
