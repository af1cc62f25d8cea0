// The graph generator: a plan (size, leaves, chain-likeness), the leaves, one registry op at a
// time on earlier slots, then the leftover sinks folded into the output so that few nodes are dead.
#include "fuzz_builder.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace xgrad::fuzz {

namespace {

using tests::OpSpec;

// Leaf elements × nodes, which a gradient check's cost grows with: large graphs get small leaves.
constexpr std::size_t kElementWork = 3000;

struct Plan {
  std::size_t nodes = 2;
  std::size_t leaves = 1;
  std::size_t element_budget = 0;
  double chain = 0.5;  // how often an op's first argument is the newest slot (long chains, depth)
};

Plan draw_plan(Generator& gen) {
  Plan plan;
  const double r = gen.uniform();
  plan.nodes = r < 0.75 ? 2 + gen.below(11) : r < 0.95 ? 12 + gen.below(49) : 60 + gen.below(kMaxNodes - 59);
  plan.leaves = 1 + gen.below(kMaxLeaves);
  plan.element_budget = std::max(kMaxLeaves, kElementWork / plan.nodes);
  plan.chain = gen.uniform(0.1, 0.95);
  return plan;
}

// Shapes related to one (m,n), so that broadcasting and matmul find partners; now and then an
// unrelated or an empty one.
Shape draw_shape(Generator& gen, std::size_t m, std::size_t n) {
  const std::uint64_t kind = gen.below(40);
  if (kind < 6) return {};
  if (kind < 16) return {n};
  if (kind < 27) return {m, n};
  if (kind < 29) return {1, n};
  if (kind < 31) return {m, 1};
  if (kind < 34) return {n, m};
  if (kind < 36) return {m};
  if (kind < 39) return {1 + gen.below(kMaxDim), 1 + gen.below(kMaxDim)};
  return gen.uniform() < 0.5 ? Shape{0} : Shape{0, n};
}

std::size_t elements(const Shape& s) {
  std::size_t n = 1;
  for (std::size_t d : s) n *= d;
  return n;
}

void add_leaves(Builder& b, const Plan& plan) {
  const std::size_t m = 1 + b.gen.below(kMaxDim);
  const std::size_t n = 1 + b.gen.below(kMaxDim);
  std::vector<Shape> shapes;
  std::size_t total = 0;
  for (std::size_t i = 0; i < plan.leaves; ++i) {
    shapes.push_back(draw_shape(b.gen, m, n));
    total += elements(shapes.back());
  }
  while (total > plan.element_budget) {  // shrink the largest leaf: (m,n) → (n) → ()
    auto largest = std::max_element(shapes.begin(), shapes.end(),
                                    [](const Shape& x, const Shape& y) { return elements(x) < elements(y); });
    if (elements(*largest) <= 1) break;
    total -= elements(*largest);
    *largest = largest->size() == 2 ? Shape{largest->back()} : Shape{};
    total += elements(*largest);
  }
  for (const Shape& s : shapes) {
    Tensor t = Tensor::from_shape(s);
    for (double& x : t) x = b.gen.uniform(-2.0, 2.0);
    add_leaf(b, std::move(t));
  }
}

std::size_t pick(Generator& gen, const std::vector<std::size_t>& from) { return from[gen.below(from.size())]; }

// The first argument: the newest slot (chains), an unconsumed slot (few dead nodes), or any.
std::size_t pick_first(Builder& b, double chain) {
  const double r = b.gen.uniform();
  if (r < chain) return b.g.slots() - 1;
  std::vector<std::size_t> sinks;
  for (std::size_t s = 0; s < b.g.slots(); ++s) {
    if (b.uses[s] == 0) sinks.push_back(s);
  }
  if (r < chain + 0.5 * (1.0 - chain) && !sinks.empty()) return pick(b.gen, sinks);
  return b.gen.below(b.g.slots());
}

// Another argument: the first one again (x·x), a slot of the same shape, a matmul partner, or any.
std::size_t pick_partner(Builder& b, std::size_t first) {
  const Shape& s = b.values[first].shape();
  const double r = b.gen.uniform();
  if (r < 0.12) return first;
  std::vector<std::size_t> same, inner;
  for (std::size_t k = 0; k < b.g.slots(); ++k) {
    const Shape& t = b.values[k].shape();
    if (t == s) same.push_back(k);
    if (!s.empty() && !t.empty() && t.front() == s.back()) inner.push_back(k);
  }
  if (r < 0.6 && !same.empty()) return pick(b.gen, same);
  if (r < 0.8 && !inner.empty()) return pick(b.gen, inner);
  return b.gen.below(b.g.slots());
}

void grow(Builder& b, const Plan& plan) {
  const auto& table = tests::op_registry();
  for (std::size_t attempt = 0; b.g.nodes.size() < plan.nodes && attempt < 50 * plan.nodes + 100; ++attempt) {
    const OpSpec& spec = table[b.gen.below(table.size())];
    std::vector<std::size_t> args{pick_first(b, plan.chain)};
    while (args.size() < spec.arity) args.push_back(pick_partner(b, args.front()));
    try_op(b, spec, args);
  }
  const OpSpec* tanh = tests::find_op("tanh");
  for (int attempt = 0; b.g.nodes.size() < 2 && attempt < 10; ++attempt) {
    try_op(b, *tanh, {b.g.slots() - 1});
  }
}

// Each dead node, and most unread leaves, joins the output through add, sub or mul (after a mean,
// or a sum when empty, if its shape does not broadcast with the output's), while there is room.
std::size_t fold_sinks(Builder& b) {
  std::size_t out = b.g.slots() - 1;
  std::vector<std::size_t> sinks;
  for (std::size_t s = 0; s + 1 < b.g.slots(); ++s) {
    // Most unread leaves join too; the others stay to check that an unused input gets zero.
    if (b.uses[s] == 0 && (s >= b.g.leaves.size() || b.gen.uniform() < 0.8)) sinks.push_back(s);
  }
  static const char* const combiners[] = {"add", "sub", "mul"};
  for (std::size_t s : sinks) {
    const OpSpec& combine = *tests::find_op(combiners[b.gen.below(3)]);
    if (b.g.nodes.size() + 8 > kMaxNodes) break;
    if (try_op(b, combine, {out, s})) {
      out = b.g.slots() - 1;
    } else if ((try_op(b, *tests::find_op("mean"), {s}) || try_op(b, *tests::find_op("sum"), {s})) &&
               try_op(b, combine, {out, b.g.slots() - 1})) {
      out = b.g.slots() - 1;
    }
  }
  return out;
}

}  // namespace

FuzzGraph generate_graph(std::uint64_t seed) {
  Builder b(seed);
  const Plan plan = draw_plan(b.gen);
  add_leaves(b, plan);
  grow(b, plan);
  b.g.output = fold_sinks(b);
  return std::move(b.g);
}

}  // namespace xgrad::fuzz
