#pragma once
// The state of a graph under construction, and the one way to grow it: try_op. Shared by the
// generator and its sink-folding step.

#include "fuzz.hpp"

#include <xgrad/random.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xgrad::fuzz {

/// The largest directional derivative a slot may have along its tangent (see Builder). Central
/// differences with step ε err by about ε²·f‴/6, and f‴ grows like the cube of the gain, so
/// steep compositions (chains of exp and cubes) would make gradcheck's numeric side wrong.
inline constexpr double kMaxGain = 30.0;

/// A graph being built, with every slot's value, depth and number of consumers, and its tangent:
/// the derivative of the slot along one fixed random direction of all leaf elements, found by a
/// central difference of each op on its own (forward values only, so no backward step under test
/// influences which graphs are built). It estimates how steeply each slot depends on the leaves.
struct Builder {
  explicit Builder(std::uint64_t seed) : gen(seed) { g.seed = seed; }

  FuzzGraph g;
  std::vector<Tensor> values;
  std::vector<Tensor> tangents;
  std::vector<std::size_t> depth;
  std::vector<std::size_t> uses;
  Generator gen;
};

/// Appends a leaf holding `value`, with a random normal tangent.
void add_leaf(Builder& b, Tensor value);

/// Appends `spec` applied to the slots `args`, each first moved into the op's domain by adapter
/// nodes when it is not there already (an affine map, sometimes after a squashing op). Returns
/// false and adds nothing when the shapes do not fit the op, a tie is too close, no adapter
/// fits, or the result would be too large (over 2 axes, an axis over 5, a magnitude over 1e3,
/// not finite), too steep (a tangent over kMaxGain), too deep, or the graph too big.
bool try_op(Builder& b, const tests::OpSpec& spec, std::vector<std::size_t> args);

}  // namespace xgrad::fuzz
