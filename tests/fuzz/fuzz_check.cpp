// Checking a fuzz graph (forward against the registry's references, finiteness, gradcheck) and
// shrinking a failing one.
#include "fuzz.hpp"

#include <xgrad/gradcheck.hpp>

#include <xtensor/xmath.hpp>

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <vector>

namespace xgrad::fuzz {

namespace {

// Empty when every node the output needs equals its reference, to 1e-12 relative.
std::string forward_mismatch(const FuzzGraph& g) {
  const std::vector<Tensor> values = evaluate_all(g);
  const std::vector<bool> need = needed(g);
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    const std::size_t slot = g.leaves.size() + k;
    if (!need[slot]) continue;
    std::vector<Tensor> args;
    for (std::size_t a : g.nodes[k].args) args.push_back(values[a]);
    const Tensor want = reference_node(g.nodes[k], args);
    const Tensor& got = values[slot];
    const std::string where = join("n", std::to_string(k), " = ", op_name(g.nodes[k]));
    if (got.shape() != want.shape()) {
      return join(where, ": forward shape ", shape_str(got.shape()), ", reference ", shape_str(want.shape()));
    }
    for (std::size_t e = 0; e < got.size(); ++e) {
      const double a = got.data()[e];
      const double b = want.data()[e];
      if (!(std::abs(a - b) <= 1e-12 * (1.0 + std::abs(b)))) {
        return join(where, ": forward element ", std::to_string(e), " is ", number(a), ", reference ", number(b));
      }
    }
  }
  return "";
}

// `g` with every read of slot `from` (and the output, if it is `from`) turned into `to`.
FuzzGraph redirect(FuzzGraph g, std::size_t from, std::size_t to) {
  for (FuzzNode& node : g.nodes) {
    for (std::size_t& a : node.args) {
      a = a == from ? to : a;
    }
  }
  g.output = g.output == from ? to : g.output;
  return compact(g);
}

// `g` with node slot `slot` replaced by a new leaf holding its value. The new leaf is the last
// leaf, so every node slot moves up by one.
FuzzGraph cut(const FuzzGraph& g, std::size_t slot, const Tensor& value) {
  FuzzGraph h = g;
  h.leaves.push_back(value);
  auto moved = [&g](std::size_t s) { return s >= g.leaves.size() ? s + 1 : s; };
  for (FuzzNode& node : h.nodes) {
    for (std::size_t& a : node.args) a = moved(a);
  }
  h.output = moved(h.output);
  return redirect(h, moved(slot), g.leaves.size());
}

// What kind of failure `problem` describes: a forward mismatch, a gradient check, an exception.
std::string failure_kind(const std::string& problem) {
  if (problem.find(": forward ") != std::string::npos) return "forward";
  return problem.starts_with("gradcheck") ? "gradcheck" : "exception";
}

// Whether `g` is a valid graph (inside every guard) that fails the way `kind` says.
bool still_fails(const FuzzGraph& g, const std::string& kind) {
  try {
    if (!guard_violation(g).empty()) return false;
  } catch (const std::exception&) {
    return false;  // a candidate whose ops no longer fit is not a valid graph
  }
  const std::string problem = check_graph(g);
  return !problem.empty() && failure_kind(problem) == kind;
}

std::size_t leaf_elements(const FuzzGraph& g) {
  std::size_t n = 0;
  for (const Tensor& t : g.leaves) n += t.size();
  return n;
}

bool smaller(const FuzzGraph& a, const FuzzGraph& b) {
  return a.nodes.size() < b.nodes.size() ||
         (a.nodes.size() == b.nodes.size() && leaf_elements(a) + a.leaves.size() < leaf_elements(b) + b.leaves.size());
}

// Every one-step simplification of `g`: re-rooted at an earlier node, a node cut to a leaf, a
// node bypassed by one of its same-shaped arguments.
std::vector<FuzzGraph> candidates(const FuzzGraph& g) {
  std::vector<FuzzGraph> out;
  std::vector<Tensor> values;
  try {
    values = evaluate_all(g);
  } catch (const std::exception&) {
    return out;
  }
  for (std::size_t slot = g.leaves.size(); slot < g.slots(); ++slot) {
    if (slot != g.output) {
      FuzzGraph r = g;
      r.output = slot;
      out.push_back(compact(r));
      out.push_back(cut(g, slot, values[slot]));
    }
    for (std::size_t a : g.nodes[slot - g.leaves.size()].args) {
      if (values[a].shape() == values[slot].shape()) out.push_back(redirect(g, slot, a));
    }
  }
  return out;
}

}  // namespace

std::string check_graph(const FuzzGraph& g, double& worst) {
  worst = 0.0;
  try {
    const std::string mismatch = forward_mismatch(g);
    if (!mismatch.empty()) return mismatch;
    const GradcheckReport report =
        gradcheck([&g](const std::vector<Value>& leaves) { return evaluate(g, leaves); }, g.leaves);
    worst = report.error == 0.0 ? 0.0 : report.error / report.allowed;
    return report.ok ? "" : to_string(report);  // a non-finite output fails the report too
  } catch (const std::exception& e) {
    return join("an exception: ", e.what());
  }
}

std::string check_graph(const FuzzGraph& g) {
  double worst = 0.0;
  return check_graph(g, worst);
}

FuzzGraph compact(const FuzzGraph& g) {
  const std::vector<bool> need = needed(g);
  std::vector<std::size_t> renumber(g.slots(), 0);
  FuzzGraph out;
  out.seed = g.seed;
  for (std::size_t i = 0; i < g.leaves.size(); ++i) {
    if (need[i]) {
      renumber[i] = out.leaves.size();
      out.leaves.push_back(g.leaves[i]);
    }
  }
  std::size_t next = out.leaves.size();
  for (std::size_t k = 0; k < g.nodes.size(); ++k) {
    if (need[g.leaves.size() + k]) {
      renumber[g.leaves.size() + k] = next++;
      out.nodes.push_back(g.nodes[k]);
      for (std::size_t& a : out.nodes.back().args) a = renumber[a];
    }
  }
  out.output = renumber[g.output];
  return out;
}

FuzzGraph shrink_graph(const FuzzGraph& g, std::size_t budget) {
  const std::string problem = check_graph(g);
  if (problem.empty()) return g;
  const std::string kind = failure_kind(problem);
  FuzzGraph best = g;
  for (bool improved = true; improved && budget > 0;) {
    improved = false;
    std::vector<FuzzGraph> next = candidates(best);
    std::stable_sort(next.begin(), next.end(), smaller);  // the biggest step that still fails wins
    for (FuzzGraph& c : next) {
      if (budget == 0 || !smaller(c, best)) break;
      --budget;
      if (still_fails(c, kind)) {
        best = std::move(c);
        improved = true;
        break;
      }
    }
  }
  return best;
}

}  // namespace xgrad::fuzz
