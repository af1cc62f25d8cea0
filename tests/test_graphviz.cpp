// DOT export: one box per node with op, data and grad; one edge per input; any depth.
#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include <cstddef>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using xgrad::Tensor;
using xgrad::Value;

namespace {

// A DOT graph read back: each node's box text (without the braces) by its name, and the edges.
struct ParsedDot {
  std::map<std::string, std::string> boxes;
  std::multiset<std::pair<std::string, std::string>> edges;  // by box text, from input to consumer
  std::set<std::string> filled;                              // box texts of filled (parameter) nodes
};

ParsedDot parse_dot(const std::string& dot) {
  static const std::regex node_re(R"re(^\s*(n\d+) \[label="\{(.*)\}"(.*)\];$)re");
  static const std::regex edge_re(R"re(^\s*(n\d+) -> (n\d+);$)re");
  ParsedDot parsed;
  std::multiset<std::pair<std::string, std::string>> raw_edges;
  std::istringstream in(dot);
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_match(line, m, node_re)) {
      parsed.boxes[m[1]] = m[2];
      if (m[3].str().find("style=filled") != std::string::npos) {
        parsed.filled.insert(m[2]);
      }
    } else if (std::regex_match(line, m, edge_re)) {
      raw_edges.emplace(m[1], m[2]);
    }
  }
  for (const auto& [from, to] : raw_edges) {
    parsed.edges.emplace(parsed.boxes.at(from), parsed.boxes.at(to));
  }
  return parsed;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("to_dot of a small graph: one box per node, one edge per input, op, data and grad") {
  const Value a = Value{2.0}.set_requires_grad().set_label("a");
  const Value b = Value{-3.0}.set_requires_grad().set_label("b");
  const Value c = (a * b).set_label("c");
  const Value d = (c + a).set_label("d");  // `a` is shared: one box, two out-edges
  c.retain_grad();
  d.retain_grad();

  const std::string before = xgrad::to_dot(d);
  CHECK(before.rfind("digraph xgrad {\n", 0) == 0);
  CHECK(before.substr(before.size() - 2) == "}\n");
  const ParsedDot p0 = parse_dot(before);
  CHECK(p0.boxes.size() == 4);
  CHECK(count(before, "[label=") == 4);
  CHECK(count(before, " -> ") == 4);
  const std::set<std::string> expected_before{"d (add) | data -4 | grad –", "c (mul) | data -6 | grad –",
                                              "a (leaf) | data 2 | grad –", "b (leaf) | data -3 | grad –"};
  CHECK(p0.filled == std::set<std::string>{"a (leaf) | data 2 | grad –", "b (leaf) | data -3 | grad –"});
  std::set<std::string> boxes0;
  for (const auto& [name, box] : p0.boxes) {
    boxes0.insert(box);
  }
  CHECK(boxes0 == expected_before);

  d.backward({.retain_graph = true});
  const ParsedDot p1 = parse_dot(xgrad::to_dot(d));
  const std::string dd = "d (add) | data -4 | grad 1";
  const std::string cc = "c (mul) | data -6 | grad 1";
  const std::string aa = "a (leaf) | data 2 | grad -2";  // ∂d/∂a = b + 1
  const std::string bb = "b (leaf) | data -3 | grad 2";  // ∂d/∂b = a
  const std::multiset<std::pair<std::string, std::string>> expected_edges{{cc, dd}, {aa, dd}, {aa, cc}, {bb, cc}};
  CHECK(p1.edges == expected_edges);
  CHECK(p1.boxes.size() == 4);
}

TEST_CASE("to_dot names unlabelled nodes by op, shows shapes of tensors, fills only parameters") {
  const Value w = Value(Tensor{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}).set_requires_grad();
  const Value y = xgrad::sum(w * 0.5);
  const ParsedDot p = parse_dot(xgrad::to_dot(y));
  const std::string sum = "sum | data 10.5 | grad –";
  const std::string mul = "mul (x · 0.5) | data (2,3) | grad –";
  const std::string param = "leaf | data (2,3) | grad –";
  // The number 0.5 lives inside the mul node: it is no box of its own, but the op's title shows it.
  const std::multiset<std::pair<std::string, std::string>> expected{{mul, sum}, {param, mul}};
  CHECK(p.edges == expected);
  CHECK(p.filled == std::set<std::string>{param});
  y.backward();
  const ParsedDot after = parse_dot(xgrad::to_dot(w));
  CHECK(after.boxes.size() == 1);
  CHECK(after.boxes.begin()->second == "leaf | data (2,3) | grad (2,3)");
}

TEST_CASE("to_dot shows a number operand in its op's title, on its side") {
  const Value x = Value{4.0}.set_requires_grad();
  const Value t = Value(Tensor{1.0, 2.0}).set_requires_grad();  // a tensor op keeps its number too
  const std::vector<std::pair<Value, std::string>> cases{
      {x + 1.5, "add (x + 1.5)"},     {2.0 + x, "add (x + 2)"},     {x - 1.0, "sub (x − 1)"},
      {1.0 - x, "sub (1 − x)"},       {x * 0.25, "mul (x · 0.25)"}, {3.0 * x, "mul (x · 3)"},
      {x / 8.0, "div (x / 8)"},       {2.0 / x, "div (2 / x)"},     {xgrad::pow(x, 3.0), "pow (x ^ 3)"},
      {t * 0.5, "mul (x · 0.5)"},     {1.0 - t, "sub (1 − x)"},     {x * x, "mul"},
      {xgrad::mean(x), "mul (x · 1)"}};
  for (const auto& [value, title] : cases) {
    CAPTURE(title);
    const ParsedDot p = parse_dot(xgrad::to_dot(value));
    REQUIRE(p.boxes.size() == 2 + (title == "mul (x · 1)" ? 1 : 0));  // mean is sum, then · 1/n
    bool found = false;
    for (const auto& [name, box] : p.boxes) {
      found = found || box.rfind(title + " | ", 0) == 0;
    }
    CHECK(found);
  }
  // Without a graph the result is a plain leaf: no op, no number.
  const xgrad::NoGradGuard no_grad;
  CHECK(parse_dot(xgrad::to_dot(x * 0.5)).boxes.begin()->second.rfind("leaf | ", 0) == 0);
}

TEST_CASE("to_dot of a lone leaf and of an op used twice by one consumer") {
  const ParsedDot lone = parse_dot(xgrad::to_dot(Value{1.25}));
  CHECK(lone.boxes.size() == 1);
  CHECK(lone.edges.empty());
  CHECK(lone.filled.empty());
  const Value x = Value{3.0}.set_requires_grad();
  const ParsedDot twice = parse_dot(xgrad::to_dot(x * x));
  CHECK(twice.boxes.size() == 2);
  CHECK(twice.edges.size() == 2);  // one edge per input slot
  CHECK(twice.edges.count({"leaf | data 3 | grad –", "mul | data 9 | grad –"}) == 2);
}

TEST_CASE("to_dot escapes the characters DOT records reserve") {
  const Value v = Value{1.0}.set_label(R"(x{1}|<"y">\)");
  const std::string dot = xgrad::to_dot(v);
  CHECK(dot.find(R"(x\{1\}\|\<\"y\"\>\\ (leaf))") != std::string::npos);
}

TEST_CASE("to_dot walks a 100,000-deep chain without recursion") {
  const Value x = Value{0.0}.set_requires_grad();
  const Value one{1.0};
  Value y = x;
  for (int i = 0; i < 100'000; ++i) {
    y = y + one;
  }
  const std::string dot = xgrad::to_dot(y);
  CHECK(count(dot, "[label=") == 100'002);  // the adds, x and the shared constant
  CHECK(count(dot, " -> ") == 200'000);
  CHECK(count(dot, "{add | data ") == 100'000);
  CHECK(dot.find("{add | data 1e+05 | grad –}") != std::string::npos);
}
