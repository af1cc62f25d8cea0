// Tests of the fuzzer itself: its graphs keep the promised bounds and guards, the same seed gives
// the same graph, every tie-sensitive registry row has a tie guard, and a wrong gradient hidden in
// a large graph is caught and shrunk down to the op that computes it.
#include <doctest/doctest.h>

#include "fuzz.hpp"

#include <xgrad/op.hpp>
#include <xgrad/ops/reduction.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using xgrad::Tensor;
using xgrad::Value;
using xgrad::fuzz::FuzzGraph;
using xgrad::fuzz::FuzzNode;

// x², whose backward step is wrong by a quarter: 2.5·x instead of 2·x.
xgrad::tests::OpSpec wrong_square() {
  return {.name = "square with a wrong gradient",
          .arity = 1,
          .fn =
              [](const std::vector<Value>& in) {
                return xgrad::record_op("wrong_square", in[0].data() * in[0].data(), {in[0]},
                                        [](const Tensor& g, const Tensor&, xgrad::Inputs x) -> xgrad::Grads {
                                          return {g * 2.5 * x[0].data()};
                                        });
              },
          .reference = [](const std::vector<Tensor>& in) -> Tensor { return in[0] * in[0]; },
          .samples = {{xgrad::Shape{}}},
          .domains = {xgrad::tests::Domain{.lo = -1e3, .hi = 1e3}}};
}

// `g` with the wrong square applied to its output, then one affine node after it.
FuzzGraph with_wrong_square(FuzzGraph g, const xgrad::tests::OpSpec& wrong) {
  g.nodes.push_back(FuzzNode{.op = &wrong, .args = {g.output}});
  g.nodes.push_back(FuzzNode{.op = nullptr, .scale = 0.5, .shift = 0.25, .args = {g.slots() - 1}});
  g.output = g.slots() - 1;
  return g;
}

}  // namespace

TEST_CASE("fuzz generator: graphs keep their bounds and guards") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const FuzzGraph g = xgrad::fuzz::generate_graph(seed);
    INFO(xgrad::fuzz::describe(g));
    CHECK(g.seed == seed);
    CHECK((g.leaves.size() >= 1 && g.leaves.size() <= xgrad::fuzz::kMaxLeaves));
    CHECK((g.nodes.size() >= 2 && g.nodes.size() <= xgrad::fuzz::kMaxNodes));
    CHECK(g.output >= g.leaves.size());
    CHECK(xgrad::fuzz::depths(g).at(g.output) <= xgrad::fuzz::kMaxDepth);
    for (const Tensor& t : xgrad::fuzz::evaluate_all(g)) {
      CHECK(t.dimension() <= 2);
      for (std::size_t n : t.shape()) {
        CHECK(n <= xgrad::fuzz::kMaxDim);
      }
    }
    CHECK(xgrad::fuzz::guard_violation(g) == "");
    CHECK(xgrad::fuzz::describe(xgrad::fuzz::generate_graph(seed)) == xgrad::fuzz::describe(g));
  }
}

TEST_CASE("fuzz generator: graph sizes span the promised range") {
  std::size_t most_nodes = 0;
  std::size_t deepest = 0;
  std::size_t small = 0;
  for (std::uint64_t seed = 1; seed <= 1000; ++seed) {
    const FuzzGraph g = xgrad::fuzz::generate_graph(seed);
    most_nodes = std::max(most_nodes, g.nodes.size());
    deepest = std::max(deepest, xgrad::fuzz::depths(g).at(g.output));
    small += g.nodes.size() <= 20 ? 1 : 0;
  }
  CHECK(most_nodes >= 150);
  CHECK(deepest >= 40);
  CHECK(small >= 500);  // most graphs are small
}

TEST_CASE("fuzz guards: every registry row with a min_gap has a tie guard") {
  for (const xgrad::tests::OpSpec& spec : xgrad::tests::op_registry()) {
    if (spec.min_gap > 0.0) {
      INFO(spec.name);
      xgrad::Generator gen(7);
      const std::vector<Tensor> inputs = xgrad::tests::draw_inputs(spec, spec.samples.front(), gen);
      CHECK_NOTHROW((void)xgrad::fuzz::tie_violation(spec, inputs));
      CHECK(xgrad::fuzz::tie_violation(spec, inputs) == "");  // drawn min_gap apart: no tie
    }
  }
  const xgrad::tests::OpSpec* max = xgrad::tests::find_op("max(axis=-1)");
  REQUIRE(max != nullptr);
  CHECK(xgrad::fuzz::tie_violation(*max, {Tensor{{1.0, 0.5}, {0.2, 0.205}}}) != "");  // 0.205 vs 0.2
  CHECK(xgrad::fuzz::tie_violation(*max, {Tensor{{1.0, 0.5}, {0.2, 0.3}}}) == "");
  const xgrad::tests::OpSpec* maximum = xgrad::tests::find_op("maximum");
  REQUIRE(maximum != nullptr);
  CHECK(xgrad::fuzz::tie_violation(*maximum, {Tensor{1.0, 2.0}, Tensor{1.5, 2.01}}) != "");
}

TEST_CASE("fuzz checker: a wrong gradient inside a large graph is caught and shrunk to its op") {
  const xgrad::tests::OpSpec wrong = wrong_square();
  std::uint64_t seed = 1;
  FuzzGraph g;
  for (; seed < 1000; ++seed) {  // a passing graph of 30+ nodes, failing once the wrong op is added
    const FuzzGraph base = xgrad::fuzz::generate_graph(seed);
    g = with_wrong_square(base, wrong);
    if (base.nodes.size() >= 30 && xgrad::fuzz::check_graph(base) == "" && xgrad::fuzz::check_graph(g) != "") {
      break;
    }
  }
  REQUIRE(seed < 1000);
  CHECK(xgrad::fuzz::check_graph(g).find("gradcheck FAILED") != std::string::npos);
  const FuzzGraph small = xgrad::fuzz::shrink_graph(g);
  INFO(xgrad::fuzz::describe(small));
  CHECK(xgrad::fuzz::check_graph(small) != "");
  REQUIRE(small.nodes.size() == 1);  // wrong_square(x0), its input cut to a leaf
  CHECK(small.nodes.front().op == &wrong);
  CHECK(small.leaves.size() == 1);
  CHECK(xgrad::fuzz::describe(small).find("square with a wrong gradient(x0)") != std::string::npos);
}

TEST_CASE("fuzz checker: a forward value that differs from the reference is caught") {
  xgrad::tests::OpSpec off = wrong_square();
  off.reference = [](const std::vector<Tensor>& in) -> Tensor { return in[0] * in[0] + 1e-9; };
  FuzzGraph g;
  g.leaves = {Tensor{0.5, -1.5}};
  g.nodes = {FuzzNode{.op = &off, .args = {0}}};
  g.output = 1;
  CHECK(xgrad::fuzz::check_graph(g).find("forward element 0") != std::string::npos);
}
