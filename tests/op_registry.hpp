#pragma once
// The registry of every differentiable op: one row per op, with the shapes to try it on and the
// domain its inputs are drawn from. The gradient-check tests iterate it; a random-graph fuzzer
// can draw ops and inputs from it the same way.

#include <xgrad/random.hpp>
#include <xgrad/tensor.hpp>
#include <xgrad/value.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace xgrad::tests {

/// Where the elements of one input are drawn: uniform in [lo, hi), at least `margin` away from
/// every kink (a point where the op is not differentiable, so central differences straddling it
/// would disagree with any one-sided derivative).
struct Domain {
  double lo = -2.0;
  double hi = 2.0;
  std::vector<double> kinks{};
  double margin = 0.1;
};

/// The shapes of one call's inputs, in input order.
using ShapeSet = std::vector<Shape>;

/// The op under test: its inputs in, its output out (the signature gradcheck takes).
using OpFunction = std::function<Value(const std::vector<Value>&)>;

/// The same op's forward value, computed directly with xtensor and the standard library.
using ReferenceFunction = std::function<Tensor(const std::vector<Tensor>&)>;

/// One row of the registry.
struct OpSpec {
  std::string name;                       ///< unique, readable: "sum(axis=-1, keepdims)", "2.0 - a"
  std::size_t arity = 1;                  ///< number of Value inputs
  OpFunction fn;                          ///< the op through xgrad
  ReferenceFunction reference;            ///< its forward value without xgrad
  std::vector<ShapeSet> samples;          ///< input shapes to try; every set has `arity` shapes
  std::vector<Domain> domains{Domain{}};  ///< one per input, or a single one for all inputs
  double min_gap = 0.0;                   ///< any two drawn elements of one call differ by at least this (no ties)

  /// The domain of input `i`.
  const Domain& domain(std::size_t i) const { return domains.size() == 1 ? domains.front() : domains.at(i); }
};

/// Every differentiable op, built once.
const std::vector<OpSpec>& op_registry();

/// The row named `name`, or nullptr.
const OpSpec* find_op(const std::string& name);

/// Inputs of the given shapes for `spec`, drawn from `gen` inside the op's domain. Throws
/// std::logic_error when the domain leaves no room (a misconfigured row).
std::vector<Tensor> draw_inputs(const OpSpec& spec, const ShapeSet& shapes, Generator& gen);

/// "(3,4) x (4)": a sample's shapes, for test names and messages.
std::string shapes_str(const ShapeSet& shapes);

}  // namespace xgrad::tests
