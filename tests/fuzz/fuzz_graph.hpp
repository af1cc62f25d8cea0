#pragma once
// A random expression graph as plain data: leaf tensors, nodes that apply an op to earlier slots,
// and the slot that is the output. Slots number the leaves first (0 … L−1), then the nodes
// (node k is slot L + k), so every node reads only slots before its own: the list is already in
// topological order. Generating, checking and shrinking graphs all work on this form.

#include "../op_registry.hpp"

#include <xgrad/tensor.hpp>
#include <xgrad/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace xgrad::fuzz {

/// One node: a registry op applied to earlier slots, or (op == nullptr) the affine adapter
/// x·scale + shift, which moves values into the domain of the op that reads them.
struct FuzzNode {
  const tests::OpSpec* op = nullptr;
  double scale = 1.0;
  double shift = 0.0;
  std::vector<std::size_t> args;  ///< slots read, in input order
};

/// A whole graph. `seed` is the seed it was generated from (0 for a graph built by hand).
struct FuzzGraph {
  std::uint64_t seed = 0;
  std::vector<Tensor> leaves;
  std::vector<FuzzNode> nodes;
  std::size_t output = 0;  ///< a slot

  std::size_t slots() const { return leaves.size() + nodes.size(); }
};

/// The parts appended in order. (Appending sidesteps GCC 12's false -Wrestrict warning on
/// `"literal" + std::string`.)
template <class... Parts>
std::string join(const Parts&... parts) {
  std::string out;
  (out += ... += parts);
  return out;
}

/// `x` with all 17 significant digits, so that a printed graph reproduces exactly.
std::string number(double x);

/// The node's op applied to `args` (recording a graph node when an argument requires grad).
Value apply_node(const FuzzNode& node, const std::vector<Value>& args);

/// The node's value computed without xgrad: the registry's reference, or the affine map.
Tensor reference_node(const FuzzNode& node, const std::vector<Tensor>& args);

/// The output, computed from `leaves` (one per graph leaf) through every node it depends on.
Value evaluate(const FuzzGraph& g, const std::vector<Value>& leaves);

/// Every slot's value, plain data (no graph recorded).
std::vector<Tensor> evaluate_all(const FuzzGraph& g);

/// Which slots the output depends on (itself included).
std::vector<bool> needed(const FuzzGraph& g);

/// Each slot's depth: 0 for leaves, one more than the deepest argument for nodes.
std::vector<std::size_t> depths(const FuzzGraph& g);

/// "n3 = mul(n1, x0)" and the like: a graph that reads like a program, leaf values in full
/// precision so that the listing alone reproduces the graph.
std::string describe(const FuzzGraph& g);

/// The op's name as the description shows it ("affine(*0.75, +1.2)" for the adapter).
std::string op_name(const FuzzNode& node);

/// Empty when `x` lies inside `domain` (every element in [lo, hi] and at least `margin` from
/// every kink); otherwise the first element that does not.
std::string domain_violation(const tests::Domain& domain, const Tensor& x);

/// Empty when the arguments keep the op away from ties (rows with a min_gap): the two inputs of
/// an elementwise selection differ by at least min_gap everywhere, and the maximum a reduction
/// selects beats the runner-up of its slice by at least min_gap. Throws xgrad::error when the
/// shapes do not fit the op.
std::string tie_violation(const tests::OpSpec& spec, const std::vector<Tensor>& args);

/// Empty when every node the output needs reads arguments inside its op's domain and away from
/// ties; otherwise the first node that does not, and why.
std::string guard_violation(const FuzzGraph& g);

}  // namespace xgrad::fuzz
