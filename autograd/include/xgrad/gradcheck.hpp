#pragma once
/// @file
/// `gradcheck`: reverse-mode gradients against central finite differences, in double precision.

#include <xgrad/tensor.hpp>
#include <xgrad/value.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace xgrad {

/// Tolerances of a gradient check: an element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.
struct GradcheckOptions {
  double eps = 1e-6;            ///< finite-difference step
  double atol = 1e-5;           ///< absolute tolerance
  double rtol = 1e-3;           ///< relative tolerance
  std::uint64_t seed = 0x5eed;  ///< seed of the random weights that reduce the output to a number
};

/// The outcome of a gradient check, with its worst element (the largest error relative to what
/// the tolerances allow). Prints as one readable line.
struct GradcheckReport {
  bool ok = true;
  std::size_t elements_checked = 0;
  std::size_t input = 0;  ///< which input the worst element belongs to
  Shape index;            ///< its position in that input
  double analytic = 0.0;  ///< reverse-mode derivative there
  double numeric = 0.0;   ///< central-difference derivative there
  double error = 0.0;     ///< |analytic − numeric|
  double allowed = 0.0;   ///< atol + rtol·|numeric|
  std::string problem;    ///< set when the check could not compare (a non-finite output)

  explicit operator bool() const { return ok; }
};

/// A function under test: inputs in, any-shaped output out.
using GradcheckFunction = std::function<Value(const std::vector<Value>&)>;

/// Checks `fn`'s reverse-mode gradient with respect to every input. The output is reduced to
/// a number with fixed-seed random weights w (checking Σ w ⊙ fn(x), so that no output element
/// can hide an error the way a plain sum would); each input element is then perturbed by ±eps.
/// Throws value_error for a non-positive eps, negative or non-finite tolerances, or atol = rtol = 0.
GradcheckReport gradcheck(const GradcheckFunction& fn, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

/// One line: "gradcheck passed: …" or "gradcheck FAILED: input i at (…): analytic … vs numeric …".
std::string to_string(const GradcheckReport& report);
std::ostream& operator<<(std::ostream& os, const GradcheckReport& report);

}  // namespace xgrad
