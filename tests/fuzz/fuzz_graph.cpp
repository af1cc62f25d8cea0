// Evaluating, describing and guarding fuzz graphs.
#include "fuzz_graph.hpp"

#include <xgrad/ops/elementwise.hpp>

#include <xtensor/xmath.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace xgrad::fuzz {

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

namespace {

std::string slot_name(const FuzzGraph& g, std::size_t slot) {
  std::string name = slot < g.leaves.size() ? "x" : "n";
  name += std::to_string(slot < g.leaves.size() ? slot : slot - g.leaves.size());
  return name;
}

std::string values_str(const Tensor& t) {
  std::string out = "[";
  for (std::size_t k = 0; k < t.size(); ++k) {
    out += join(k == 0 ? "" : ", ", number(t.data()[k]));
  }
  return out + "]";
}

// For a reduction that selects maxima: the smallest margin by which a selected element beats the
// runner-up of its slice. The gradient of Σ y marks the selected elements (1 each when unique, a
// fraction on a tie); lowering them far reveals each slice's runner-up as the new result.
double selection_gap(const tests::OpSpec& spec, const Tensor& x) {
  const Value v = Value(x).set_requires_grad();
  const Value y = spec.fn({v});
  if (y.size() == 0) {
    return std::numeric_limits<double>::infinity();
  }
  y.backward(Tensor(xt::ones<double>(y.shape())));
  Tensor lowered = x;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double g = v.grad().data()[k];
    if (g != 0.0 && g != 1.0) {
      return 0.0;  // a split tie
    }
    lowered.data()[k] -= g * 1e6;
  }
  const Tensor runner = spec.fn({Value(lowered)}).data();
  double gap = std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < runner.size(); ++k) {
    gap = std::min(gap, y.data()[k] - runner.data()[k]);
  }
  return gap;
}

}  // namespace

Value apply_node(const FuzzNode& node, const std::vector<Value>& args) {
  if (node.op != nullptr) {
    return node.op->fn(args);
  }
  return args.at(0) * node.scale + node.shift;
}

Tensor reference_node(const FuzzNode& node, const std::vector<Tensor>& args) {
  if (node.op != nullptr) {
    return node.op->reference(args);
  }
  return args.at(0) * node.scale + node.shift;
}

std::vector<bool> needed(const FuzzGraph& g) {
  std::vector<bool> need(g.slots(), false);
  need.at(g.output) = true;
  for (std::size_t k = g.nodes.size(); k-- > 0;) {
    if (need[g.leaves.size() + k]) {
      for (std::size_t a : g.nodes[k].args) {
        need[a] = true;
      }
    }
  }
  return need;
}

Value evaluate(const FuzzGraph& g, const std::vector<Value>& leaves) {
  const std::vector<bool> need = needed(g);
  std::vector<std::optional<Value>> slot(g.slots());
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    slot[i].emplace(leaves[i]);
  }
  std::vector<Value> args;
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    if (need[g.leaves.size() + k]) {
      args.clear();
      for (std::size_t a : g.nodes[k].args) {
        args.push_back(*slot[a]);
      }
      slot[g.leaves.size() + k].emplace(apply_node(g.nodes[k], args));
    }
  }
  return *slot[g.output];
}

std::vector<Tensor> evaluate_all(const FuzzGraph& g) {
  std::vector<Value> slot(g.leaves.begin(), g.leaves.end());
  std::vector<Value> args;
  for (const FuzzNode& node : g.nodes) {
    args.clear();
    for (std::size_t a : node.args) {
      args.push_back(slot[a]);
    }
    slot.push_back(apply_node(node, args));
  }
  std::vector<Tensor> out;
  for (const Value& v : slot) {
    out.push_back(v.data());
  }
  return out;
}

std::vector<std::size_t> depths(const FuzzGraph& g) {
  std::vector<std::size_t> depth(g.slots(), 0);
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    for (std::size_t a : g.nodes[k].args) {
      depth[g.leaves.size() + k] = std::max(depth[g.leaves.size() + k], depth[a] + 1);
    }
  }
  return depth;
}

std::string op_name(const FuzzNode& node) {
  if (node.op != nullptr) {
    return node.op->name;
  }
  return join("affine(*", number(node.scale), ", +", number(node.shift), ")");
}

std::string describe(const FuzzGraph& g) {
  std::vector<Tensor> values;
  try {
    values = evaluate_all(g);
  } catch (const std::exception&) {
    values.clear();  // a graph whose forward pass throws is still listed, without node shapes
  }
  std::string out = join("graph (seed ", std::to_string(g.seed), "): ", std::to_string(g.leaves.size()), " leaves, ",
                         std::to_string(g.nodes.size()), " nodes, depth ", std::to_string(depths(g).at(g.output)),
                         ", output ", slot_name(g, g.output), "\n");
  for (std::size_t i = 0; i < g.leaves.size(); ++i) {
    out += join("  ", slot_name(g, i), " ", shape_str(g.leaves[i].shape()), " = ", values_str(g.leaves[i]), "\n");
  }
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    const std::size_t slot = g.leaves.size() + k;
    out += join("  ", slot_name(g, slot), " ", values.empty() ? std::string("?") : shape_str(values[slot].shape()),
                " = ", op_name(g.nodes[k]), "(");
    for (std::size_t j = 0; j < g.nodes[k].args.size(); ++j) {
      out += join(j == 0 ? "" : ", ", slot_name(g, g.nodes[k].args[j]));
    }
    out += ")\n";
  }
  return out;
}

std::string domain_violation(const tests::Domain& domain, const Tensor& x) {
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double v = x.data()[k];
    if (!(v >= domain.lo && v <= domain.hi)) {
      return join("element ", std::to_string(k), " = ", number(v), " lies outside [", number(domain.lo), ", ",
                  number(domain.hi), "]");
    }
    for (double kink : domain.kinks) {
      if (std::abs(v - kink) < domain.margin) {
        return join("element ", std::to_string(k), " = ", number(v), " lies within ", number(domain.margin),
                    " of the kink at ", number(kink));
      }
    }
  }
  return "";
}

std::string tie_violation(const tests::OpSpec& spec, const std::vector<Tensor>& args) {
  if (spec.min_gap <= 0.0) {
    return "";
  }
  double gap = 0.0;
  if (spec.arity == 2) {
    const Tensor diff = (Value(args.at(0)) - Value(args.at(1))).data();  // throws when shapes do not broadcast
    gap = diff.size() == 0 ? std::numeric_limits<double>::infinity() : xt::amin(xt::abs(diff))();
  } else if (spec.arity == 1 && spec.name.starts_with("max")) {
    gap = selection_gap(spec, args.at(0));
  } else {
    throw std::logic_error(join("fuzz: no tie guard for ", spec.name));
  }
  return gap >= spec.min_gap ? "" : join("a tie: the competing elements differ by only ", number(gap));
}

std::string guard_violation(const FuzzGraph& g) {
  const std::vector<Tensor> values = evaluate_all(g);
  const std::vector<bool> need = needed(g);
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    const FuzzNode& node = g.nodes[k];
    if (node.op == nullptr || !need[g.leaves.size() + k]) {
      continue;
    }
    std::vector<Tensor> args;
    for (std::size_t j = 0; j < node.args.size(); ++j) {
      args.push_back(values[node.args[j]]);
      const std::string why = domain_violation(node.op->domain(j), args.back());
      if (!why.empty()) {
        return join(slot_name(g, g.leaves.size() + k), " = ", op_name(node), ": input ", std::to_string(j), " ", why);
      }
    }
    const std::string why = tie_violation(*node.op, args);
    if (!why.empty()) {
      return join(slot_name(g, g.leaves.size() + k), " = ", op_name(node), ": ", why);
    }
  }
  return "";
}

}  // namespace xgrad::fuzz
