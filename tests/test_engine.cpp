// The engine: seeding, accumulation, shared subexpressions, freeing and retaining the graph,
// and micrograd's published results as an oracle.
#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include "tensor_string.hpp"

#include <xtensor/xbuilder.hpp>
#include <xtensor/xreducer.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

using xgrad::BackwardOptions;
using xgrad::Shape;
using xgrad::Tensor;
using xgrad::Value;

namespace {

Value param(Tensor t) { return Value(std::move(t)).set_requires_grad(); }

// x ↦ 2x with a backward step that counts its calls in `*calls` (a plain pointer: plain data).
Value counted_double(const Value& x, int* calls) {
  return xgrad::record_op("counted_double", x.data() * 2.0, {x},
                          [calls](const Tensor& g, const Tensor&, xgrad::Inputs) -> xgrad::Grads {
                            ++*calls;
                            return {g * 2.0};  // ∂(2x)/∂x = 2
                          });
}

// h ↦ 3h with a backward step that throws while `*fail` is true.
Value flaky_triple(const Value& h, const bool* fail) {
  return xgrad::record_op("flaky", h.data() * 3.0, {h},
                          [fail](const Tensor& g, const Tensor&, xgrad::Inputs) -> xgrad::Grads {
                            if (*fail) {
                              throw std::runtime_error("flaky: failed");
                            }
                            return {g * 3.0};  // ∂(3h)/∂h = 3
                          });
}

}  // namespace

TEST_CASE("backward on a one-element result seeds its gradient with 1") {
  SUBCASE("0-d") {
    const Value a = param(Tensor(3.0));
    const Value y = a * a;
    y.backward();
    CHECK(a.grad()() == 6.0);
  }
  SUBCASE("shape (1,1)") {
    const Value a = param(xgrad::full({1, 1}, 3.0).data());
    const Value y = a * 5.0;
    REQUIRE(y.shape() == Shape{1, 1});
    y.backward();
    CHECK(a.grad() == xgrad::full({1, 1}, 5.0).data());
  }
  SUBCASE("a leaf that requires grad receives the seed itself") {
    const Value a = param(Tensor(3.0));
    a.backward();
    CHECK(a.grad()() == 1.0);
  }
}

TEST_CASE("backward on a non-scalar needs an explicit seed of its shape") {
  const Value x = param(Tensor{1.0, 2.0, 3.0});
  const Value y = x * x;
  CHECK_THROWS_WITH_AS(y.backward(),
                       "backward: an implicit seed of 1 needs a one-element value, got shape (3); "
                       "pass a seed of that shape: v.backward(seed)",
                       xgrad::graph_error);
  CHECK_THROWS_WITH_AS(y.backward(Tensor{1.0, 1.0}), "backward: the seed has shape (2) but the value has shape (3)",
                       xgrad::shape_error);
  CHECK_FALSE(x.has_grad());  // the failed calls wrote nothing
  y.backward(Tensor{1.0, 0.5, -1.0}, {.retain_graph = true});
  CHECK(x.grad() == Tensor{2.0, 2.0, -6.0});  // seed · 2x
  y.backward(xt::ones_like(y.data()));        // an expression is a seed too
  CHECK(x.grad() == Tensor{4.0, 6.0, 0.0});
}

TEST_CASE("gradients accumulate in leaves across backward passes, never in interior nodes") {
  const Value a = param(Tensor(3.0));
  const Value a2 = a * a;
  const Value b = a2 * a;  // a³: db/da = 3a² = 27
  a2.retain_grad();
  b.backward({.retain_graph = true});
  CHECK(a.grad()() == 27.0);
  CHECK(a2.grad()() == 3.0);  // ∂b/∂a2 = a
  b.backward({.retain_graph = true});
  CHECK(a.grad()() == 54.0);  // 27 + 27: the interior gradient of the first pass did not leak
  CHECK(a2.grad()() == 6.0);  // a retained gradient accumulates like a leaf's
  a.zero_grad();
  b.backward();
  CHECK(a.grad()() == 27.0);
}

TEST_CASE("a backward pass interrupted by an exception leaves nothing behind for the next one") {
  const Value x = param(Tensor(2.0));
  bool fail = true;
  const Value h = x * x;
  const Value flaky = flaky_triple(h, &fail);
  const Value y = flaky + h;  // 4h: the sweep gives h its first part, then flaky throws
  CHECK_THROWS_WITH_AS(y.backward({.retain_graph = true}), "flaky: failed", std::runtime_error);
  CHECK_FALSE(x.has_grad());
  fail = false;
  y.backward();
  CHECK(x.grad()() == 16.0);  // 4 · 2x, with no partial gradient left over in h
}

TEST_CASE("a backward pass that frees the graph, interrupted by an exception, leaves nothing behind") {
  const Value x = param(Tensor(2.0));
  bool fail = true;
  const Value h = x * x;
  const Value flaky = flaky_triple(h, &fail);
  const Value y = flaky + h;  // the add runs and is freed, h waits with its part, then flaky throws
  CHECK_THROWS_WITH_AS(y.backward(), "flaky: failed", std::runtime_error);
  CHECK_FALSE(x.has_grad());
  CHECK(y.inputs().empty());          // what ran was freed
  CHECK(flaky.inputs().size() == 1);  // the step that threw was not
  fail = false;
  (flaky + h).backward();
  CHECK(x.grad()() == 16.0);  // 4 · 2x: neither h nor flaky kept a part of the failed pass
}

TEST_CASE("a node also used outside the root's graph gets its whole gradient, each step running once") {
  // h feeds the root twice and `outside` once; s feeds the root and `outside2`. Neither h nor s
  // hears from all its consumers, so the sweep finishes them in an order computed for them.
  int calls = 0;
  SUBCASE("0-d") {
    const Value x = param(Tensor(3.0));
    const Value h = x * x;
    const Value s = counted_double(h, &calls);
    const Value outside = h + 1.0;
    const Value outside2 = s * 5.0;
    const Value loss = s * h + h;  // 2h² + h: d/dx = (4h + 1) · 2x = 222
    loss.backward();
    CHECK(x.grad()() == 222.0);
    CHECK(calls == 1);
    CHECK(h.inputs().empty());  // freed like the rest of the root's graph
    CHECK_THROWS_WITH_AS(outside2.backward(), doctest::Contains("the graph through 'counted_double'"),
                         xgrad::graph_error);
    CHECK(x.grad()() == 222.0);
  }
  SUBCASE("tensors") {
    const Value x = param(Tensor{3.0, -1.0});
    const Value h = x * x;
    const Value s = counted_double(h, &calls);
    const Value outside = h + 1.0;
    const Value outside2 = s * 5.0;
    xgrad::sum(s * h + h).backward();
    CHECK(x.grad() == Tensor{222.0, -10.0});  // (4h + 1) · 2x
    CHECK(calls == 1);
  }
  SUBCASE("with retain_graph, then without") {
    const Value x = param(Tensor(3.0));
    const Value h = x * x;
    const Value outside = h * 2.0;
    const Value loss = h * h;
    loss.backward({.retain_graph = true});
    loss.backward();
    CHECK(x.grad()() == 2 * 108.0);  // 4x³ twice
    CHECK(outside.inputs().size() == 1);
  }
}

TEST_CASE("a node counts the live nodes that hold it as an input") {
  const Value x = param(Tensor(2.0));
  const Value h = x * 3.0;
  CHECK(h.node()->consumers == 0);
  {
    const Value a = h * h;
    CHECK(h.node()->consumers == 2);  // once per appearance
    const Value b = a + h;
    CHECK(h.node()->consumers == 3);
    CHECK(x.node()->consumers == 1);
  }
  CHECK(h.node()->consumers == 0);  // a and b are gone
  Value c = (h + 1.0) * 2.0;
  CHECK(h.node()->consumers == 1);
  c.backward();
  CHECK(h.node()->consumers == 0);  // the pass freed its consumer
  CHECK(x.grad()() == 6.0);
}

TEST_CASE("a diamond sums the gradients of every path") {
  const Value a = param(Tensor(1.5));
  const Value b = a + a;
  const Value c = b + b;
  c.backward();
  CHECK(a.grad()() == 4.0);  // exactly 4
  CHECK(c.item() == 6.0);
}

TEST_CASE("shared subexpressions: each node's backward step runs once") {
  const Value x = param(Tensor(2.0));
  int calls = 0;
  const Value s = counted_double(x, &calls) * x;  // 2x²
  const Value t = s * s;                          // 4x⁴
  const Value y = (t + s * t) * s;                // 8x⁶ + 16x⁸
  y.backward();
  CHECK(y.item() == 8.0 * 64.0 + 16.0 * 256.0);
  CHECK(x.grad()() == 48.0 * 32.0 + 128.0 * 128.0);  // 48x⁵ + 128x⁷, exact in doubles
  CHECK(calls == 1);
}

TEST_CASE("a doubling ladder with 2^200 paths backpropagates in linear time") {
  const Value x = param(Tensor(1.0));
  Value z = x;
  for (int i = 0; i < 200; ++i) {
    z = z + z;
  }
  z.backward();
  CHECK(x.grad()() == std::ldexp(1.0, 200));  // a power of two: exact
}

TEST_CASE("backward frees the graph unless asked to retain it") {
  const Value a = param(Tensor(2.0));
  const std::size_t before = xgrad::live_nodes();
  Value y = ((a * 3.0) * 4.0) * 5.0;
  CHECK(xgrad::live_nodes() == before + 3);  // three ops; a number operand is no node
  SUBCASE("freed") {
    y.backward();
    CHECK(a.grad()() == 60.0);
    CHECK(xgrad::live_nodes() == before + 1);  // only the root survives, holding its data
    CHECK(y.item() == 120.0);
    CHECK(std::string(y.op()) == "mul");
    CHECK(y.inputs().empty());
    CHECK_THROWS_WITH_AS(y.backward(),
                         "backward: the graph through 'mul' was already freed by an earlier backward; pass "
                         "{.retain_graph = true} to the earlier call to backpropagate through it again",
                         xgrad::graph_error);
    CHECK_THROWS_AS((y * 2.0).backward(), xgrad::graph_error);  // a new op over a freed graph
    CHECK(a.grad()() == 60.0);
  }
  SUBCASE("retained") {
    y.backward({.retain_graph = true});
    CHECK(y.inputs().size() == 1);
    CHECK(xgrad::live_nodes() == before + 3);
    y.backward();
    CHECK(a.grad()() == 120.0);
    CHECK(y.inputs().empty());
  }
  SUBCASE("the leaves still build new graphs") {
    y.backward();
    a.zero_grad();
    (a * a).backward();
    CHECK(a.grad()() == 4.0);
  }
  y = a;  // drop the last handle to the graph
  CHECK(xgrad::live_nodes() == before);
}

TEST_CASE("backward on a value that does not require grad is an error") {
  const Value a{2.0};
  const Value y = a * a;
  CHECK_THROWS_WITH_AS(y.backward(),
                       "backward: this value does not require grad (no leaf of its graph has set_requires_grad)",
                       xgrad::graph_error);
}

TEST_CASE("inputs that do not require grad receive no gradient") {
  const Value w = param(Tensor{1.0, 2.0});
  const Value x(Tensor{3.0, 4.0});
  xgrad::sum(w * x).backward();
  CHECK(w.grad() == Tensor{3.0, 4.0});
  CHECK_FALSE(x.has_grad());
}

TEST_CASE("detach cuts a value out of the graph") {
  const Value a = param(Tensor(3.0));
  const Value b = a * a;
  const Value y = b.detach() * a + b;  // the detached factor is a constant 9
  y.backward();
  CHECK(a.grad()() == 9.0 + 6.0);
}

TEST_CASE("a NoGradGuard result is a constant in a later graph") {
  const Value a = param(Tensor(3.0));
  Value c;
  {
    const xgrad::NoGradGuard guard;
    c = a * a;
  }
  (c * a).backward();
  CHECK(a.grad()() == 9.0);
}

TEST_CASE("will_record: grad mode on and an input that requires grad, as record_op decides") {
  const Value a = param(Tensor(3.0));
  const Value data(Tensor(2.0));
  CHECK(xgrad::will_record({a}));
  CHECK(xgrad::will_record({data, a}));
  CHECK_FALSE(xgrad::will_record({data}));
  CHECK_FALSE(xgrad::will_record({}));
  CHECK((a * data).inputs().size() == 2);  // recorded, as will_record said
  const xgrad::NoGradGuard guard;
  CHECK_FALSE(xgrad::will_record({a}));
  CHECK((a * data).is_leaf());  // not recorded, as will_record said
}

TEST_CASE("micrograd's sanity check") {
  const Value x = param(Tensor(-4.0));
  const Value z = 2.0 * x + 2.0 + x;
  const Value q = xgrad::relu(z) + z * x;
  const Value h = xgrad::relu(z * z);
  const Value y = h + q + q * x;
  y.backward();
  CHECK(y.item() == -20.0);
  CHECK(x.grad()() == 46.0);
}

TEST_CASE("micrograd's README expression gives the published values") {
  const Value a = param(Tensor(-4.0));
  const Value b = param(Tensor(2.0));
  Value c = a + b;
  Value d = a * b + xgrad::pow(b, 3.0);
  c += c + 1.0;
  c += 1.0 + c + (-a);
  d += d * 2.0 + xgrad::relu(b + a);
  d += 3.0 * d + xgrad::relu(b - a);
  const Value e = c - d;
  const Value f = xgrad::pow(e, 2.0);
  Value g = f / 2.0;
  g += 10.0 / f;
  g.backward();
  CHECK(std::abs(g.item() - 24.7041) < 1e-4);
  CHECK(std::abs(a.grad()() - 138.8338) < 1e-4);
  CHECK(std::abs(b.grad()() - 645.5773) < 1e-4);
}

TEST_CASE("record_op takes its result as a temporary, an expression, a moved tensor, or a copy") {
  const Value x = param(Tensor{1.0, 2.0});
  auto step = [](const Tensor& g, const Tensor&, xgrad::Inputs) -> xgrad::Grads { return {g * 1.0}; };
  const Tensor kept{5.0, 6.0};
  Tensor moved{7.0, 8.0};
  const Value from_expression = xgrad::record_op("e", x.data() + 1.0, {x}, step);
  const Value from_temporary = xgrad::record_op("t", Tensor{3.0, 4.0}, {x}, step);
  const Value from_copy = xgrad::record_op("c", kept, {x}, step);
  const Value from_move = xgrad::record_op("m", std::move(moved), {x}, step);
  CHECK(from_expression.data() == Tensor{2.0, 3.0});
  CHECK(from_temporary.data() == Tensor{3.0, 4.0});
  CHECK(from_copy.data() == Tensor{5.0, 6.0});
  CHECK(kept == Tensor{5.0, 6.0});  // the lvalue was copied, not taken
  CHECK(from_move.data() == Tensor{7.0, 8.0});
}

TEST_CASE("record_op takes a 0-d result as a number; the node's data reads as a 0-d tensor") {
  const Value x = param(Tensor(2.0));
  const Value cube = xgrad::record_op(
      "cube", std::pow(x.item(), 3), {x},
      [](const Tensor& g, const Tensor&, xgrad::Inputs in) -> xgrad::Grads {
        return {g * 3.0 * xt::square(in[0].data())};
      },
      [](double g, double, xgrad::Inputs in) -> xgrad::ScalarGrads<1> {
        return {g * 3.0 * xgrad::scalar_of(in[0]) * xgrad::scalar_of(in[0])};
      });
  CHECK(cube.dim() == 0);
  CHECK(cube.shape() == Shape{});
  CHECK(cube.size() == 1);
  CHECK(cube.item() == 8.0);
  CHECK(cube.data() == Tensor(8.0));
  CHECK(cube.data().dimension() == 0);
  (cube * 2.0).backward();
  CHECK(x.grad() == Tensor(24.0));  // 2 · 3x²
  // Without grad mode the number becomes a plain leaf.
  const xgrad::NoGradGuard off;
  const Value plain = xgrad::record_op(
      "cube", 27.0, {x}, [](const Tensor& g, const Tensor&, xgrad::Inputs) -> xgrad::Grads { return {g}; });
  CHECK(plain.is_leaf());
  CHECK(plain.item() == 27.0);
}

TEST_CASE("an op's 0-d backward step runs on 0-d results; its tensor step everywhere else") {
  int tensor_calls = 0;
  int scalar_calls = 0;
  auto triple = [&](const Value& x) {
    return xgrad::record_op(
        "triple", x.data() * 3.0, {x},
        [&tensor_calls](const Tensor& g, const Tensor&, xgrad::Inputs) -> xgrad::Grads {
          ++tensor_calls;
          return {g * 3.0};  // ∂(3x)/∂x = 3
        },
        [&scalar_calls](double g, double, xgrad::Inputs) -> xgrad::ScalarGrads<1> {
          ++scalar_calls;
          return {g * 3.0};
        });
  };
  const Value a = param(Tensor(2.0));
  xgrad::square(triple(triple(a))).backward();
  CHECK(a.grad()() == doctest::Approx(2 * 18.0 * 9.0));  // (9a)² → 162a
  CHECK(scalar_calls == 2);
  CHECK(tensor_calls == 0);
  const Value v = param(Tensor{1.0, 2.0});
  xgrad::sum(triple(v)).backward();
  CHECK(v.grad() == Tensor{3.0, 3.0});
  CHECK(tensor_calls == 1);
  {
    xgrad::DetectAnomalyGuard checked;  // anomaly mode checks tensors: it runs the tensor step
    triple(a).backward();
  }
  CHECK(tensor_calls == 2);
  CHECK(scalar_calls == 2);
}

TEST_CASE("a 0-d backward step with the wrong arity is a clear error; on a tensor input the tensor step runs") {
  const Value a = param(Tensor(2.0));
  const Value b = param(Tensor(3.0));
  auto step = [](const Tensor& g, const Tensor&, xgrad::Inputs) -> xgrad::Grads { return {g, g}; };
  auto one = [](double g, double, xgrad::Inputs) -> xgrad::ScalarGrads<1> { return {g}; };
  CHECK_THROWS_WITH_AS(xgrad::record_op("pair", a.data() + b.data(), {a, b}, step, one),
                       "pair: its 0-d backward step returns 1 gradients for 2 inputs", xgrad::graph_error);
  // A reduction to 0-d with a 0-d step, which is right only for a 0-d input: on a tensor the
  // engine runs the tensor step instead (decided when the op is recorded).
  int scalar_calls = 0;
  auto counted_one = [&scalar_calls](double g, double, xgrad::Inputs) -> xgrad::ScalarGrads<1> {
    ++scalar_calls;
    return {g};
  };
  auto sum_step = [](const Tensor& g, const Tensor&, xgrad::Inputs in) -> xgrad::Grads {
    Tensor each = Tensor::from_shape(in[0].shape());
    each.fill(g());  // ∂Σv/∂vᵢ = 1
    return {std::move(each)};
  };
  const Value v = param(Tensor{1.0, 2.0});
  xgrad::record_op("my_sum", Tensor(xt::sum(v.data())()), {v}, sum_step, counted_one).backward();
  CHECK(v.grad() == Tensor{1.0, 1.0});
  CHECK(scalar_calls == 0);
  const Value s = param(Tensor(2.0));
  xgrad::record_op("my_sum", Tensor(s.data()), {s}, sum_step, counted_one).backward();
  CHECK(s.grad()() == 1.0);
  CHECK(scalar_calls == 1);                 // a 0-d input: the 0-d form
  const Value c = Value(Tensor{1.0, 2.0});  // a constant tensor input takes no gradient
  xgrad::record_op("scale", Tensor(s.data() * 2.0), {s, c}, step,
                   [&scalar_calls](double g, double, xgrad::Inputs) -> xgrad::ScalarGrads<2> {
                     ++scalar_calls;
                     return {2.0 * g, 0.0};
                   })
      .backward();
  CHECK(s.grad()() == 3.0);
  CHECK(scalar_calls == 2);
}
