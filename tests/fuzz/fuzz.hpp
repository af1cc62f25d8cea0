#pragma once
// The random-graph fuzzer: generate a graph from a seed, check it, and shrink a failing one.

#include "fuzz_graph.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

namespace xgrad::fuzz {

/// Bounds every generated graph respects.
inline constexpr std::size_t kMaxLeaves = 8;
inline constexpr std::size_t kMaxNodes = 200;
inline constexpr std::size_t kMaxDepth = 50;
inline constexpr std::size_t kMaxDim = 5;  ///< every axis of every value, and at most two axes

/// A random graph, the same for the same seed: 1–8 leaves of shape (), (n) or (m,n) with n, m ≤ 5
/// (broadcast-friendly: rows, columns and transposes of one (m,n)), 2–200 nodes drawn from the op
/// registry, depth ≤ 50, with shared subexpressions. Every op reads values inside its registry
/// domain and away from ties; where a value is not, affine adapters (and sometimes a squashing
/// tanh, sigmoid, softplus, exp or log_sigmoid) move it there. Most graphs are small, a few large;
/// large graphs get fewer leaf elements, so that checking any graph stays cheap.
FuzzGraph generate_graph(std::uint64_t seed);

/// Empty when the graph passes every check; otherwise what failed. The checks: every node's
/// forward value equals the registry's reference (to 1e-12 relative), the output is finite, and
/// gradcheck with its default tolerances passes for every leaf, used or not. An exception thrown
/// anywhere is a failure too.
std::string check_graph(const FuzzGraph& g);
/// @overload Also gives the gradient check's worst element as error / allowed (below 1 passes).
std::string check_graph(const FuzzGraph& g, double& worst);

/// A smaller graph that still passes the guards and still fails check_graph the same way (a
/// forward mismatch, a failed gradient check, or an exception): greedily re-rooted at a smaller
/// sub-DAG, cut (a node replaced by a leaf holding its value) and bypassed (a node replaced by a
/// same-shaped argument) while the failure persists. At most `budget` candidate graphs are
/// checked. A graph that passes comes back unchanged.
FuzzGraph shrink_graph(const FuzzGraph& g, std::size_t budget = 2000);

/// Only the nodes and leaves the output needs, renumbered.
FuzzGraph compact(const FuzzGraph& g);

}  // namespace xgrad::fuzz
