// Growing a fuzz graph by one op: adapters that move each argument into the op's domain, the
// guards, and the op itself, committed together or not at all.
#include "fuzz_builder.hpp"

#include <xtensor/xmath.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <utility>

namespace xgrad::fuzz {

namespace {

using tests::Domain;
using tests::OpSpec;

constexpr double kTangentStep = 1e-4;

// Nodes a candidate op would add (its adapters, then itself) until the op is accepted.
struct Pending {
  std::size_t base = 0;  // the slot of the first pending node
  std::vector<FuzzNode> nodes;
  std::vector<Tensor> values;
  std::vector<Tensor> tangents;
  std::vector<std::size_t> depth;
};

const Tensor& value_of(const Builder& b, const Pending& p, std::size_t slot) {
  return slot < p.base ? b.values[slot] : p.values[slot - p.base];
}

const Tensor& tangent_of(const Builder& b, const Pending& p, std::size_t slot) {
  return slot < p.base ? b.tangents[slot] : p.tangents[slot - p.base];
}

std::size_t depth_of(const Builder& b, const Pending& p, std::size_t slot) {
  return slot < p.base ? b.depth[slot] : p.depth[slot - p.base];
}

// The node's tangent: (f(x + h·t) − f(x − h·t)) / 2h over its arguments' values x and tangents t.
Tensor tangent(const Builder& b, const Pending& p, const FuzzNode& node) {
  std::vector<Value> plus;
  std::vector<Value> minus;
  for (std::size_t a : node.args) {
    plus.emplace_back(Tensor(value_of(b, p, a) + kTangentStep * tangent_of(b, p, a)));
    minus.emplace_back(Tensor(value_of(b, p, a) - kTangentStep * tangent_of(b, p, a)));
  }
  return (apply_node(node, plus).data() - apply_node(node, minus).data()) / (2.0 * kTangentStep);
}

std::size_t push(const Builder& b, Pending& p, FuzzNode node, Tensor value) {
  std::size_t d = 0;
  for (std::size_t a : node.args) {
    d = std::max(d, depth_of(b, p, a) + 1);
  }
  p.tangents.push_back(tangent(b, p, node));
  p.nodes.push_back(std::move(node));
  p.values.push_back(std::move(value));
  p.depth.push_back(d);
  return p.base + p.nodes.size() - 1;
}

bool steep(const Pending& p) {
  return std::any_of(p.tangents.begin(), p.tangents.end(),
                     [](const Tensor& t) { return t.size() > 0 && !(xt::amax(xt::abs(t))() <= kMaxGain); });
}

double round_to(double x, int digits) {
  if (x == 0.0 || !std::isfinite(x)) {
    return x;
  }
  const double unit = std::pow(10.0, std::floor(std::log10(std::abs(x))) - digits + 1);
  return std::round(x / unit) * unit;
}

// The parts of [lo, hi] at least `margin` from every kink, each narrowed by 5% at both ends.
std::vector<std::pair<double, double>> allowed_intervals(const Domain& d) {
  std::vector<std::pair<double, double>> parts{{d.lo, d.hi}};
  for (double kink : d.kinks) {
    std::vector<std::pair<double, double>> next;
    for (auto [a, b] : parts) {
      if (kink - d.margin > a) next.emplace_back(a, std::min(b, kink - d.margin));
      if (kink + d.margin < b) next.emplace_back(std::max(a, kink + d.margin), b);
    }
    parts = std::move(next);
  }
  for (auto& [a, b] : parts) {
    const double w = b - a;
    a += 0.05 * w;
    b -= 0.05 * w;
  }
  return parts;
}

// x·scale + shift mapping the range of `x` into one allowed interval of `d` (scale at most 2, so
// an adapter never amplifies much), or nullopt.
std::optional<FuzzNode> affine_into(const Domain& d, const Tensor& x, Generator& gen) {
  const auto parts = allowed_intervals(d);
  double total = 0.0;
  for (auto [a, b] : parts) total += b - a;
  if (parts.empty() || x.size() == 0) return std::nullopt;
  double pick = gen.uniform(0.0, total);
  auto [a, b] = parts.back();
  for (auto [pa, pb] : parts) {
    if (pick < pb - pa) {
      std::tie(a, b) = std::make_pair(pa, pb);
      break;
    }
    pick -= pb - pa;
  }
  const double xmin = xt::amin(x)();
  const double range = xt::amax(x)() - xmin;
  double scale = std::min(2.0, range > 0.0 ? (b - a) / range : 2.0) * gen.uniform(0.4, 1.0);
  scale = round_to(gen.uniform() < 0.5 ? -scale : scale, 3);
  const double low = std::min(scale * xmin, scale * (xmin + range));
  const double shift = round_to(a - low + gen.uniform(0.0, (b - a) - std::abs(scale) * range), 3);
  FuzzNode node{.op = nullptr, .scale = scale, .shift = shift, .args = {}};
  if (!domain_violation(d, x * scale + shift).empty()) return std::nullopt;
  return node;
}

// A squashing op on values that first go through an affine map into [-2, 2].
const OpSpec* pick_squash(Generator& gen) {
  static const char* const names[] = {"tanh", "sigmoid", "softplus", "exp", "log_sigmoid"};
  return tests::find_op(names[gen.below(std::size(names))]);
}

std::optional<std::size_t> add_affine(Builder& b, Pending& p, std::size_t slot, const Domain& d) {
  std::optional<FuzzNode> node = affine_into(d, value_of(b, p, slot), b.gen);
  if (!node) return std::nullopt;
  node->args = {slot};
  Tensor value = reference_node(*node, {value_of(b, p, slot)});
  return push(b, p, std::move(*node), std::move(value));
}

// `slot` itself when its values lie in `d`; otherwise adapters that move them there.
std::optional<std::size_t> adapt(Builder& b, Pending& p, std::size_t slot, const Domain& d) {
  const Tensor& x = value_of(b, p, slot);
  const bool large = x.size() > 0 && xt::amax(xt::abs(x))() > 2.0;
  if (domain_violation(d, x).empty()) return slot;
  if (large || b.gen.uniform() < 0.3) {
    const OpSpec* squash = pick_squash(b.gen);
    const std::optional<std::size_t> in = add_affine(b, p, slot, squash->domain(0));
    if (!in) return std::nullopt;
    FuzzNode node{.op = squash, .args = {*in}};
    slot = push(b, p, node, squash->fn({Value(value_of(b, p, *in))}).data());
    if (domain_violation(d, value_of(b, p, slot)).empty()) return slot;
  }
  return add_affine(b, p, slot, d);
}

bool fits(const Tensor& out) {
  if (out.dimension() > 2) return false;
  for (std::size_t n : out.shape()) {
    if (n > kMaxDim) return false;
  }
  return out.size() == 0 || (xt::all(xt::isfinite(out)) && xt::amax(xt::abs(out))() <= 1e3);
}

void commit(Builder& b, Pending& p) {
  for (std::size_t k = 0; k < p.nodes.size(); ++k) {
    for (std::size_t a : p.nodes[k].args) ++b.uses[a];
    b.g.nodes.push_back(std::move(p.nodes[k]));
    b.values.push_back(std::move(p.values[k]));
    b.tangents.push_back(std::move(p.tangents[k]));
    b.depth.push_back(p.depth[k]);
    b.uses.push_back(0);
  }
}

}  // namespace

void add_leaf(Builder& b, Tensor value) {
  if (!b.g.nodes.empty()) {
    throw std::logic_error("fuzz: leaves come before nodes");
  }
  b.g.leaves.push_back(value);
  Tensor t = Tensor::from_shape(value.shape());
  for (double& x : t) x = b.gen.normal();
  b.tangents.push_back(std::move(t));
  b.values.push_back(std::move(value));
  b.depth.push_back(0);
  b.uses.push_back(0);
}

bool try_op(Builder& b, const OpSpec& spec, std::vector<std::size_t> args) {
  Pending p;
  p.base = b.g.slots();
  std::vector<Tensor> in;
  std::vector<Value> vin;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::optional<std::size_t> s = adapt(b, p, args[i], spec.domain(i));
    if (!s) return false;
    args[i] = *s;
  }
  for (std::size_t a : args) {
    in.push_back(value_of(b, p, a));
    vin.emplace_back(in.back());
  }
  Tensor out;
  try {
    if (!tie_violation(spec, in).empty()) return false;
    out = spec.fn(vin).data();
  } catch (const xgrad::error&) {
    return false;  // shapes that do not fit the op
  }
  // An empty result cuts every path through it, so only a few are kept.
  const bool emptied =
      out.size() == 0 && std::any_of(in.begin(), in.end(), [](const Tensor& t) { return t.size() > 0; });
  push(b, p, FuzzNode{.op = &spec, .args = std::move(args)}, std::move(out));
  if ((emptied && b.gen.uniform() > 0.1) || !fits(p.values.back()) || p.depth.back() > kMaxDepth ||
      b.g.nodes.size() + p.nodes.size() > kMaxNodes || steep(p)) {
    return false;
  }
  commit(b, p);
  return true;
}

}  // namespace xgrad::fuzz
