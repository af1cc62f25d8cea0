#pragma once
/// @file
/// `Generator`: the explicit, seeded source of every random number in xgrad.

#include <cstdint>
#include <random>

namespace xgrad {

/// A seeded random generator. The engine is the standard 64-bit Mersenne Twister and the
/// distributions are xgrad's own, so the same seed gives the same numbers, bit for bit, with any
/// standard library.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : engine_(seed) {}

  /// A uniformly distributed 64-bit integer.
  std::uint64_t next() { return engine_(); }
  /// Uniform in [0, 1), with 53 random bits.
  double uniform();
  /// Uniform in [lo, hi) (lo itself when lo = hi).
  double uniform(double lo, double hi);
  /// Standard normal (Box–Muller).
  double normal();
  /// An integer uniform in [0, n), without modulo bias; throws value_error for n = 0.
  std::uint64_t below(std::uint64_t n);

 private:
  std::mt19937_64 engine_;
};

}  // namespace xgrad
