// Random-graph fuzzing: thousands of seeded random expression DAGs, each gradient-checked against
// central differences with gradcheck's default tolerances. Two environment variables make long or
// targeted runs (doctest takes no custom flags):
//
//   XGRAD_FUZZ_GRAPHS=N   how many graphs (default 10000)
//   XGRAD_FUZZ_SEED=S     the first graph's seed (default 1); graph i has seed S + i
//
// A failing graph is printed with its seed, listed node by node, and shrunk to a small graph that
// still fails. `XGRAD_FUZZ_SEED=<its seed> XGRAD_FUZZ_GRAPHS=1` reruns exactly that graph.
#include <doctest/doctest.h>

#include "fuzz.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using xgrad::fuzz::FuzzGraph;

constexpr std::uint64_t kDefaultGraphs = 10000;
constexpr std::uint64_t kDefaultSeed = 1;
constexpr std::size_t kMaxReported = 3;  // failing graphs shrunk and printed before the run stops

// The value of environment variable `name` as an unsigned number, or `fallback` when unset.
std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  std::size_t used = 0;
  const std::uint64_t n = std::stoull(text, &used);
  if (used != std::char_traits<char>::length(text)) {
    throw std::invalid_argument(xgrad::fuzz::join(name, " is not a number: ", text));
  }
  return n;
}

struct Figures {
  std::uint64_t graphs = 0;
  std::uint64_t nodes = 0;
  std::uint64_t leaves = 0;
  std::uint64_t shared = 0;  // nodes and leaves read by more than one node
  std::size_t max_depth = 0;
  std::size_t max_nodes = 0;
  double worst = 0.0;  // the largest gradcheck error / allowed over all graphs
  std::map<std::string, std::uint64_t> op_uses;
};

void count(Figures& f, const FuzzGraph& g) {
  ++f.graphs;
  f.nodes += g.nodes.size();
  f.leaves += g.leaves.size();
  f.max_nodes = std::max(f.max_nodes, g.nodes.size());
  const auto depth = xgrad::fuzz::depths(g);
  f.max_depth = std::max(f.max_depth, *std::max_element(depth.begin(), depth.end()));
  std::vector<std::size_t> readers(g.slots(), 0);
  for (const auto& node : g.nodes) {
    for (std::size_t a : node.args) ++readers[a];
    if (node.op != nullptr) ++f.op_uses[node.op->name];
  }
  f.shared += static_cast<std::uint64_t>(std::count_if(readers.begin(), readers.end(), [](auto r) { return r > 1; }));
}

std::string summary(const Figures& f) {
  using std::to_string;
  return xgrad::fuzz::join("fuzzed ", to_string(f.graphs), " graphs: ", to_string(f.nodes), " nodes in all (",
                           to_string(f.leaves), " leaves, ", to_string(f.shared), " slots read more than once), ",
                           "largest graph ", to_string(f.max_nodes), " nodes, max depth seen ", to_string(f.max_depth),
                           ", ", to_string(f.op_uses.size()), " of ", to_string(xgrad::tests::op_registry().size()),
                           " registry ops used; worst gradient error ", std::to_string(f.worst), " of the allowed");
}

std::string failure_report(const FuzzGraph& g, const std::string& problem) {
  const FuzzGraph small = xgrad::fuzz::shrink_graph(xgrad::fuzz::compact(g));
  return xgrad::fuzz::join("graph with seed ", std::to_string(g.seed), " fails: ", problem, "\n",
                           xgrad::fuzz::describe(g), "shrunk to:\n", xgrad::fuzz::describe(small),
                           "which fails with: ", xgrad::fuzz::check_graph(small), "\n",
                           "rerun it alone: XGRAD_FUZZ_SEED=", std::to_string(g.seed),
                           " XGRAD_FUZZ_GRAPHS=1 xgrad_fuzz_tests -tc='random graphs*'");
}

// Whether some sample of `spec` has inputs and output the fuzzer can build: at most 2 axes of at
// most kMaxDim each.
bool fuzzable(const xgrad::tests::OpSpec& spec) {
  auto small = [](const xgrad::Shape& s) {
    return s.size() <= 2 && std::all_of(s.begin(), s.end(), [](std::size_t n) { return n <= xgrad::fuzz::kMaxDim; });
  };
  xgrad::Generator gen(3);
  for (const xgrad::tests::ShapeSet& shapes : spec.samples) {
    std::vector<xgrad::Value> inputs;
    for (const xgrad::Tensor& t : xgrad::tests::draw_inputs(spec, shapes, gen)) inputs.emplace_back(t);
    if (std::all_of(shapes.begin(), shapes.end(), small) && small(spec.fn(inputs).shape())) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("random graphs: gradients match central differences") {
  const std::uint64_t graphs = env_number("XGRAD_FUZZ_GRAPHS", kDefaultGraphs);
  const std::uint64_t seed = env_number("XGRAD_FUZZ_SEED", kDefaultSeed);
  Figures figures;
  std::size_t failures = 0;
  for (std::uint64_t i = 0; i < graphs && failures < kMaxReported; ++i) {
    const FuzzGraph g = xgrad::fuzz::generate_graph(seed + i);
    count(figures, g);
    double worst = 0.0;
    const std::string problem = xgrad::fuzz::check_graph(g, worst);
    figures.worst = std::max(figures.worst, worst);
    if (!problem.empty()) {
      ++failures;
      FAIL_CHECK(failure_report(g, problem));
    }
  }
  MESSAGE(summary(figures));
  CHECK(figures.graphs == graphs);         // a shortened run stops only at failures
  if (figures.graphs >= kDefaultGraphs) {  // a full run draws every op that fits its shapes
    for (const xgrad::tests::OpSpec& spec : xgrad::tests::op_registry()) {
      CHECK_MESSAGE((figures.op_uses.contains(spec.name) || !fuzzable(spec)), spec.name, " was never drawn");
    }
  }
}
