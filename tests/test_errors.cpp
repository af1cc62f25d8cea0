// Every misuse is an exception of the right type whose message starts with the op's name and
// shows the offending shapes or values.
#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using xgrad::Shape;
using xgrad::Tensor;
using xgrad::Value;

namespace {

using Binary = std::function<Value(const Value&, const Value&)>;

struct BinaryCase {
  const char* name;
  Binary fn;
};

Value m34() { return xgrad::zeros({3, 4}); }

}  // namespace

TEST_CASE("every error type is an xgrad::error, a std::runtime_error") {
  CHECK_THROWS_AS(xgrad::add(xgrad::zeros({2}), xgrad::zeros({3})), xgrad::error);
  CHECK_THROWS_AS(xgrad::zeros({2}).item(), std::runtime_error);
}

TEST_CASE("broadcasting mismatches name the op and both shapes") {
  const std::vector<BinaryCase> cases{
      {"add", [](const Value& a, const Value& b) { return xgrad::add(a, b); }},
      {"add", [](const Value& a, const Value& b) { return a + b; }},
      {"sub", [](const Value& a, const Value& b) { return a - b; }},
      {"mul", [](const Value& a, const Value& b) { return a * b; }},
      {"div", [](const Value& a, const Value& b) { return a / b; }},
      {"pow", [](const Value& a, const Value& b) { return xgrad::pow(a, b); }},
      {"maximum", [](const Value& a, const Value& b) { return xgrad::maximum(a, b); }},
      {"minimum", [](const Value& a, const Value& b) { return xgrad::minimum(a, b); }},
      {"where", [](const Value& a, const Value& b) { return xgrad::where(Tensor(a.data()), a, b); }},
  };
  const Value a = xgrad::ones({3, 4}).set_requires_grad();
  const Value b = xgrad::ones({5});
  for (const BinaryCase& c : cases) {
    CAPTURE(c.name);
    const std::string expected = std::string(c.name) + ": shapes cannot be broadcast together: (3,4) vs (5)";
    CHECK_THROWS_WITH_AS(c.fn(a, b), expected.c_str(), xgrad::shape_error);
    const std::string reversed = std::string(c.name) + ": shapes cannot be broadcast together: (5) vs (3,4)";
    CHECK_THROWS_WITH_AS(c.fn(b, a), reversed.c_str(), xgrad::shape_error);
  }
  CHECK_THROWS_WITH_AS(xgrad::where(Tensor{1.0, 0.0}, a, a), "where: shapes cannot be broadcast together: (2) vs (3,4)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::add(xgrad::zeros({2, 3}), xgrad::zeros({3, 2})),
                       "add: shapes cannot be broadcast together: (2,3) vs (3,2)", xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::operator<(a, b), "less: shapes cannot be broadcast together: (3,4) vs (5)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::equal(a, b), "equal: shapes cannot be broadcast together: (3,4) vs (5)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::broadcast_to(b, {2, 4}),
                       "broadcast_to: shapes cannot be broadcast together: (5) vs (2,4)", xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::broadcast_to(a, {4}), "broadcast_to: cannot broadcast (3,4) to (4)", xgrad::shape_error);
}

TEST_CASE("matmul: inner dimensions and ranks") {
  CHECK_THROWS_WITH_AS(xgrad::matmul(m34(), xgrad::zeros({5, 2})), "matmul: inner dimensions differ: (3,4) vs (5,2)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::matmul(xgrad::zeros({3}), xgrad::zeros({4})),
                       "matmul: inner dimensions differ: (3) vs (4)", xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::matmul(xgrad::zeros({2}), m34()), "matmul: inner dimensions differ: (2) vs (3,4)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::matmul(Value{2.0}, xgrad::zeros({3})), "matmul: operands must be 1-d or 2-d: () vs (3)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::matmul(m34(), Value{2.0}), "matmul: operands must be 1-d or 2-d: (3,4) vs ()",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::matmul(xgrad::zeros({2, 2, 2}), xgrad::zeros({2, 2})),
                       "matmul: operands must be 1-d or 2-d: (2,2,2) vs (2,2)", xgrad::shape_error);
}

TEST_CASE("linear: shapes of x, w and b") {
  const Value b = xgrad::zeros({2});
  CHECK_THROWS_WITH_AS(xgrad::linear(m34(), xgrad::zeros({5, 2}), b),
                       "linear: expected x (m,k) or (k), w (k,n) and b (n), got x (3,4), w (5,2), b (2)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::linear(m34(), xgrad::zeros({4, 2}), xgrad::zeros({3})),
                       "linear: expected x (m,k) or (k), w (k,n) and b (n), got x (3,4), w (4,2), b (3)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::linear(m34(), xgrad::zeros({4, 2}), xgrad::zeros({1, 2})),
                       "linear: expected x (m,k) or (k), w (k,n) and b (n), got x (3,4), w (4,2), b (1,2)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::linear(Value{2.0}, xgrad::zeros({1, 2}), b),
                       "linear: expected x (m,k) or (k), w (k,n) and b (n), got x (), w (1,2), b (2)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::linear(m34(), xgrad::zeros({4}), b),
                       "linear: expected x (m,k) or (k), w (k,n) and b (n), got x (3,4), w (4), b (2)",
                       xgrad::shape_error);
}

TEST_CASE("reshape: element counts and -1") {
  const Value x = xgrad::zeros({2, 3});
  CHECK_THROWS_WITH_AS(xgrad::reshape(x, {4}), "reshape: cannot reshape (2,3) (6 elements) to (4)", xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::reshape(x, {7, 1}), "reshape: cannot reshape (2,3) (6 elements) to (7,1)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::reshape(x, {-1, 4}), "reshape: cannot infer -1 for 6 elements of shape (2,3)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::reshape(x, {-1, -1}), "reshape: invalid dimension -1 (only one -1 is allowed)",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::reshape(x, {-2, -3}), "reshape: invalid dimension -2 (only one -1 is allowed)",
                       xgrad::value_error);
}

TEST_CASE("axes out of range name the op, the axis and the rank") {
  const Value x = xgrad::zeros({2, 3});
  CHECK_THROWS_WITH_AS(xgrad::sum(x, 2), "sum: axis 2 is out of range for a 2-d value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::sum(x, -3), "sum: axis -3 is out of range for a 2-d value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::sum(Value{1.0}, 0), "sum: axis 0 is out of range for a 0-d value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::mean(x, 5, true), "mean: axis 5 is out of range for a 2-d value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::max(x, -3), "max: axis -3 is out of range for a 2-d value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::slice(x, 2, 0, 1), "slice: axis 2 is out of range for a 2-d value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::cols(xgrad::zeros({3}), 0, 1), "cols: axis 1 is out of range for a 1-d value",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::concat({x, x}, 2), "concat: axis 2 is out of range for a 2-d value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::stack({x, x}, 3), "stack: axis 3 is out of range for a 3-d value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::stack({x, x}, -4), "stack: axis -4 is out of range for a 3-d value", xgrad::value_error);
}

TEST_CASE("slice ranges outside the axis") {
  const Value x = xgrad::zeros({2, 3});
  CHECK_THROWS_WITH_AS(xgrad::slice(x, 1, 2, 5), "slice: range [2, 5) is outside axis 1 of shape (2,3)",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::slice(x, -1, 2, 1), "slice: range [2, 1) is outside axis 1 of shape (2,3)",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::rows(x, 1, 3), "rows: range [1, 3) is outside axis 0 of shape (2,3)", xgrad::value_error);
}

TEST_CASE("concat and stack: shapes that differ, and empty lists") {
  const Value x = xgrad::zeros({2, 3});
  CHECK_THROWS_WITH_AS(xgrad::concat({x, xgrad::zeros({2, 4})}, 0), "concat: shapes differ off axis 0: (2,3) vs (2,4)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::concat({x, xgrad::zeros({3, 3}), xgrad::zeros({2, 2})}, 1),
                       "concat: shapes differ off axis 1: (2,3) vs (3,3)", xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::concat({x, xgrad::zeros({3})}), "concat: shapes differ off axis 0: (2,3) vs (3)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::concat({}), "concat: needs at least one value", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::stack({x, xgrad::zeros({3, 2})}), "stack: shapes differ: (2,3) vs (3,2)",
                       xgrad::shape_error);
  CHECK_THROWS_WITH_AS(xgrad::stack({}), "stack: needs at least one value", xgrad::value_error);
}

TEST_CASE("transpose: permutations that do not fit") {
  const Value x = xgrad::zeros({2, 3});
  auto expected = [](const char* perm) {
    return std::string("transpose: permutation ") + perm + " does not fit a value of shape (2,3)";
  };
  CHECK_THROWS_WITH_AS(xgrad::transpose(x, {0, 0}), expected("(0,0)").c_str(), xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::transpose(x, {0, 2}), expected("(0,2)").c_str(), xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::transpose(x, {0, 1, 2}), expected("(0,1,2)").c_str(), xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::transpose(x, {1}), expected("(1)").c_str(), xgrad::value_error);
}

TEST_CASE("clamp with lo > hi, and mean and max of empty values") {
  CHECK_THROWS_WITH_AS(xgrad::clamp(m34(), 2.0, 1.0), "clamp: lower bound 2.000000 is above upper bound 1.000000",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::mean(xgrad::zeros({0})), "mean: cannot reduce an empty extent of shape (0)",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::max(xgrad::zeros({2, 0})), "max: cannot reduce an empty extent of shape (2,0)",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::mean(xgrad::zeros({2, 0}), 1), "mean: cannot reduce an empty extent of shape (2,0)",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::max(xgrad::zeros({0, 3}), 0, true), "max: cannot reduce an empty extent of shape (0,3)",
                       xgrad::value_error);
}

TEST_CASE("Value misuse: item on many elements, set_requires_grad on an op result") {
  CHECK_THROWS_WITH_AS(Value(Tensor{1.0, 2.0}).item(), "item: needs a value with exactly one element, got shape (2)",
                       xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::zeros({0}).item(), "item: needs a value with exactly one element, got shape (0)",
                       xgrad::value_error);
  const Value a = Value{2.0}.set_requires_grad();
  const Value y = a * a;
  CHECK_THROWS_WITH_AS(y.set_requires_grad(false),
                       "set_requires_grad: only a leaf can be marked; this value is the result of 'mul' "
                       "(use detach() for a new leaf)",
                       xgrad::graph_error);
  CHECK(y.requires_grad());
}

TEST_CASE("backward misuse: freed graph, no grad, missing or mis-shaped seed") {
  const Value a = Value{2.0}.set_requires_grad();
  const Value y = xgrad::exp(a * a);
  y.backward();
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("backward: the graph through 'exp' was already freed"),
                       xgrad::graph_error);
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("pass {.retain_graph = true}"), xgrad::graph_error);
  CHECK_THROWS_WITH_AS((Value{1.0} * 2.0).backward(), doctest::Contains("backward: this value does not require grad"),
                       xgrad::graph_error);
  const Value v = xgrad::ones({2, 2}).set_requires_grad();
  CHECK_THROWS_WITH_AS((v * 2.0).backward(),
                       doctest::Contains("backward: an implicit seed of 1 needs a one-element "
                                         "value, got shape (2,2)"),
                       xgrad::graph_error);
  CHECK_THROWS_WITH_AS((v * 2.0).backward(Tensor{1.0, 1.0}),
                       "backward: the seed has shape (2) but the value has shape (2,2)", xgrad::shape_error);
}

TEST_CASE("a user-defined op whose backward breaks the contract is caught by the engine, by name") {
  const Value a = Value(Tensor{1.0, 2.0}).set_requires_grad();
  const Value b = Value(Tensor{3.0, 4.0}).set_requires_grad();
  auto op = [&](const char* name, auto backward) {
    return xgrad::record_op(name, a.data() + b.data(), {a, b}, backward);
  };
  using xgrad::Grads;
  using xgrad::Inputs;
  const Value too_few = op("too_few", [](const Tensor& g, const Tensor&, Inputs) -> Grads { return {g}; });
  CHECK_THROWS_WITH_AS(xgrad::sum(too_few).backward(), "too_few: backward returned 1 gradients for 2 inputs",
                       xgrad::graph_error);
  const Value missing = op("missing", [](const Tensor& g, const Tensor&, Inputs) -> Grads {
    return {g, std::nullopt};
  });
  CHECK_THROWS_WITH_AS(xgrad::sum(missing).backward(),
                       "missing: backward gave no gradient for input 1, which requires grad", xgrad::graph_error);
  const Value misfit = op("misfit", [](const Tensor& g, const Tensor&, Inputs) -> Grads { return {g, Tensor(1.0)}; });
  CHECK_THROWS_WITH_AS(xgrad::sum(misfit).backward(),
                       "misfit: gradient for input 1 has shape () but the input has shape (2)", xgrad::shape_error);
  CHECK_FALSE(a.has_grad());  // a failed step hands on nothing, not even input 0's good gradient
  CHECK(misfit.inputs().size() == 2);
}

TEST_CASE("factory and generator arguments") {
  CHECK_THROWS_WITH_AS(
      xgrad::arange(0.0, 1.0, 0.0),
      "arange: needs finite bounds and a non-zero step, got start 0.000000, stop 1.000000, step 0.000000",
      xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::arange(0.0, std::numeric_limits<double>::infinity(), 1.0), doctest::Contains("stop inf"),
                       xgrad::value_error);
  xgrad::Generator gen(1);
  CHECK_THROWS_WITH_AS(xgrad::uniform({2}, gen, 2.0, 1.0),
                       "uniform: lower bound 2.000000 is above upper bound 1.000000", xgrad::value_error);
  CHECK_THROWS_WITH_AS(xgrad::normal({2}, gen, 0.0, -1.0),
                       "normal: standard deviation must be non-negative, got -1.000000", xgrad::value_error);
  CHECK_THROWS_WITH_AS(gen.below(0), "below: needs n > 0, got 0 (the range [0, n) is empty)", xgrad::value_error);
}
