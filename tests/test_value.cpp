// The Value handle: construction, accessors, aliasing, detach, labels, printing, grad mode.
#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include "tensor_string.hpp"

#include <latch>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

using xgrad::Shape;
using xgrad::Tensor;
using xgrad::Value;

namespace {

std::string printed(const Value& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

TEST_CASE("construction: a scalar is a 0-d value, nested lists follow numpy's nesting") {
  CHECK(Value{2.0}.dim() == 0);
  CHECK(Value{2.0}.shape() == Shape{});
  CHECK(Value{2.0}.item() == 2.0);
  CHECK(Value().item() == 0.0);
  CHECK(Value().dim() == 0);
  CHECK(Value({1.0, 2.0, 3.0}).shape() == Shape{3});
  CHECK(Value({1.0, 2.0, 3.0}).data() == Tensor{1.0, 2.0, 3.0});
  CHECK(Value{{1.0, 2.0}}.shape() == Shape{1, 2});
  const Value m{{1.0, 2.0}, {3.0, 4.0}};
  CHECK(m.shape() == Shape{2, 2});
  CHECK(m.dim() == 2);
  CHECK(m.size() == 4);
  CHECK(m.data()(1, 0) == 3.0);
  const Value cube{{{1.0, 2.0}, {3.0, 4.0}}, {{5.0, 6.0}, {7.0, 8.0}}};
  CHECK(cube.shape() == Shape{2, 2, 2});
  CHECK(cube.data()(1, 0, 1) == 6.0);
  const Tensor t{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};
  const Value from_tensor(t);
  CHECK(from_tensor.shape() == Shape{2, 3});
  CHECK(from_tensor.data() == t);
  CHECK(Value(Tensor{1.0, 2.0}).shape() == Shape{2});
  // Integer literals work the same way.
  CHECK(Value({1, 2}).data() == Tensor{1.0, 2.0});
  CHECK(Value{{1, 2}, {3, 4}}.data() == Tensor{{1.0, 2.0}, {3.0, 4.0}});
}

TEST_CASE("a new value is a leaf that does not require grad") {
  const Value v{{1.0, 2.0}, {3.0, 4.0}};
  CHECK(v.is_leaf());
  CHECK_FALSE(v.requires_grad());
  CHECK(std::string(v.op()) == "leaf");
  CHECK(v.inputs().empty());
  CHECK(v.label().empty());
  CHECK_FALSE(v.has_grad());
  // Reading the gradient before any backward pass gives zeros of the data's shape.
  CHECK(v.grad() == Tensor{{0.0, 0.0}, {0.0, 0.0}});
}

TEST_CASE("item reads the single element of a one-element value of any rank") {
  CHECK(Value{-1.5}.item() == -1.5);
  CHECK(Value(Tensor{7.0}).item() == 7.0);
  CHECK(xgrad::full({1, 1, 1}, 4.0).item() == 4.0);
}

TEST_CASE("set_requires_grad marks a leaf, returns the handle, and can be undone") {
  const Value w = Value{3.0}.set_requires_grad();
  CHECK(w.requires_grad());
  CHECK(w.is_leaf());
  CHECK(&w.set_requires_grad(false) == &w);
  CHECK_FALSE(w.requires_grad());
  w.set_requires_grad(true);
  CHECK(w.requires_grad());
}

TEST_CASE("an op on a value that requires grad records a node with its op and inputs") {
  const Value a = Value{2.0}.set_requires_grad();
  const Value b{5.0};
  const Value c = a * b;
  CHECK_FALSE(c.is_leaf());
  CHECK(c.requires_grad());
  CHECK(std::string(c.op()) == "mul");
  REQUIRE(c.inputs().size() == 2);
  CHECK(c.inputs()[0].is_same(a));
  CHECK(c.inputs()[1].is_same(b));
  CHECK(c.item() == 10.0);
  // Without any input requiring grad the result is a plain leaf.
  const Value d = b * b;
  CHECK(d.is_leaf());
  CHECK_FALSE(d.requires_grad());
  CHECK(d.inputs().empty());
  CHECK(std::string(d.op()) == "leaf");
}

TEST_CASE("a number operand is kept in the op: one node with one input, for each side and operator") {
  const Value a = Value{{1.0, -2.0}}.set_requires_grad();
  const std::size_t before = xgrad::live_nodes();
  const Value results[] = {a + 2.0, 2.0 + a, a - 2.0, 2.0 - a, a * 3.0, 3.0 * a, a / 4.0, 1.0 / a};
  CHECK(xgrad::live_nodes() == before + std::size(results));
  const char* ops[] = {"add", "add", "sub", "sub", "mul", "mul", "div", "div"};
  const double first[] = {3.0, 3.0, -1.0, 1.0, 3.0, 3.0, 0.25, 1.0};
  for (std::size_t i = 0; i < std::size(results); ++i) {
    CAPTURE(i);
    CHECK(std::string(results[i].op()) == ops[i]);
    REQUIRE(results[i].inputs().size() == 1);
    CHECK(results[i].inputs()[0].is_same(a));
    CHECK(results[i].data()(0, 0) == first[i]);
  }
}

TEST_CASE("a copy aliases the same node: data, gradient, flags and label are shared") {
  const Value a{{1.0, 2.0}};
  const Value b = a;  // NOLINT(performance-unnecessary-copy-initialization): the aliasing is the point
  CHECK(b.is_same(a));
  CHECK(b.id() == a.id());
  b.mutable_data()(0, 1) = 20.0;
  CHECK(a.data()(0, 1) == 20.0);
  b.set_requires_grad();
  CHECK(a.requires_grad());
  b.set_label("weights");
  CHECK(a.label() == "weights");
  a.mutable_grad()(0, 0) = 0.5;
  CHECK(b.grad()(0, 0) == 0.5);
  CHECK_FALSE(Value{1.0}.is_same(Value{1.0}));
  Value c{9.0};
  c = a;
  CHECK(c.is_same(a));
}

TEST_CASE("a 0-d value made from a number reads and writes through its tensor like any other") {
  // Such a node keeps the number until its tensor is asked for; every path must see one value.
  const Value a{2.0};
  const Value b = a * 1.0;
  CHECK(b.data() == Tensor(2.0));
  a.mutable_data()() = 5.0;  // the first access builds the tensor, the write lands in it
  CHECK(a.item() == 5.0);
  CHECK(a.data()() == 5.0);
  CHECK((a * 3.0).item() == 15.0);  // ops on numbers read the tensor once it exists
  CHECK((a + Value{1.0}).item() == 6.0);
  CHECK(a.detach().item() == 5.0);
  // A tensor of another shape written into it makes it a tensor value.
  a.mutable_data() = Tensor{1.0, 2.0};
  CHECK(a.shape() == Shape{2});
  CHECK((a * 2.0).data() == Tensor{2.0, 4.0});
}

TEST_CASE("detach makes an independent leaf with a copy of the data") {
  const Value a = Value(Tensor{1.0, 2.0}).set_requires_grad();
  const Value b = a * 3.0;
  const Value d = b.detach();
  CHECK(d.is_leaf());
  CHECK_FALSE(d.requires_grad());
  CHECK_FALSE(d.is_same(b));
  CHECK(d.data() == Tensor{3.0, 6.0});
  d.mutable_data()(0) = 100.0;
  CHECK(b.data()(0) == 3.0);
  // A value computed from the detached one does not reach `a`.
  const Value e = xgrad::sum(d * a);
  e.backward();
  CHECK(a.grad() == Tensor{100.0, 6.0});
  CHECK_FALSE(d.has_grad());
}

TEST_CASE("zero_grad resets an accumulated gradient and keeps its shape") {
  const Value a = Value(Tensor{1.0, -2.0}).set_requires_grad();
  xgrad::sum(a * a).backward();
  CHECK(a.grad() == Tensor{2.0, -4.0});
  a.zero_grad();
  CHECK(a.has_grad());
  CHECK(a.grad() == Tensor{0.0, 0.0});
  xgrad::sum(a * 3.0).backward();
  CHECK(a.grad() == Tensor{3.0, 3.0});
  const Value untouched{1.0};
  untouched.zero_grad();  // nothing to reset: still no gradient
  CHECK_FALSE(untouched.has_grad());
}

TEST_CASE("clear_grad drops a gradient: it reads as zeros, and the next pass stores its own") {
  const Value a = Value(Tensor{1.0, -2.0}).set_requires_grad();
  xgrad::sum(a * a).backward();
  a.clear_grad();
  CHECK_FALSE(a.has_grad());
  xgrad::sum(a * 3.0).backward();
  CHECK(a.grad() == Tensor{3.0, 3.0});  // not added to the earlier {2, -4}
  xgrad::sum(a * 3.0).backward();
  CHECK(a.grad() == Tensor{6.0, 6.0});  // later passes still accumulate
  a.clear_grad();
  CHECK(a.grad() == Tensor{0.0, 0.0});  // reading creates zeros again
  CHECK(a.has_grad());
  const Value h = a * 2.0;
  h.retain_grad();
  xgrad::sum(h).backward();
  CHECK(h.has_grad());
  h.clear_grad();
  CHECK_FALSE(h.has_grad());
}

TEST_CASE("labels name nodes") {
  const Value a = Value{1.0}.set_label("a");
  CHECK(a.label() == "a");
  const Value b = (a + 1.0).set_label("b");
  CHECK(b.label() == "b");
  b.set_label("");
  CHECK(b.label().empty());
}

TEST_CASE("operator<< prints the data, then the gradient once there is one") {
  const Value a = Value{3.0}.set_requires_grad();
  CHECK(printed(a) == "Value(data=3)");
  (a * a).backward();
  CHECK(printed(a) == "Value(data=3, grad=6)");
  a.set_label("a");
  CHECK(printed(a) == "Value(label=a, data=3, grad=6)");
  const Value m{{1.0, 2.5}, {-3.0, 0.125}};
  CHECK(printed(m) == "Value(data=[[1, 2.5], [-3, 0.125]])");
  CHECK(printed(Value(Tensor{1.0, 2.0})) == "Value(data=[1, 2])");
  CHECK(printed(xgrad::zeros({0})) == "Value(data=[])");
}

TEST_CASE("retain_grad keeps an interior node's gradient, without it only leaves keep theirs") {
  const Value a = Value{2.0}.set_requires_grad();
  const Value b = a * a;  // 4
  const Value c = b * 3.0;
  b.retain_grad();
  const Value d = c * a;  // 3a³
  d.backward();
  CHECK(b.grad().size() == 1);
  CHECK(b.grad()() == 6.0);   // ∂d/∂b = 3a
  CHECK(a.grad()() == 36.0);  // ∂d/∂a = 9a²
  CHECK_FALSE(c.has_grad());
  CHECK_THROWS_WITH_AS(c.grad(),
                       "grad: this value is the result of 'mul', whose gradient is not kept; call retain_grad() on "
                       "it before backward",
                       xgrad::graph_error);
  a.retain_grad();  // leaves keep their gradient anyway: a no-op
  CHECK(a.is_leaf());
  CHECK(a.grad()() == 36.0);
}

TEST_CASE("NoGradGuard stops recording, nests, and restores the mode it found") {
  const Value w = Value{2.0}.set_requires_grad();
  CHECK(xgrad::grad_enabled());
  {
    const xgrad::NoGradGuard outer;
    CHECK_FALSE(xgrad::grad_enabled());
    const Value y = w * w;
    CHECK(y.is_leaf());
    CHECK_FALSE(y.requires_grad());
    CHECK(y.item() == 4.0);
    {
      const xgrad::NoGradGuard inner;
      CHECK_FALSE(xgrad::grad_enabled());
    }
    CHECK_FALSE(xgrad::grad_enabled());  // the inner guard restored "off", not "on"
  }
  CHECK(xgrad::grad_enabled());
  CHECK((w * w).requires_grad());
}

TEST_CASE("NoGradGuard is per thread") {
  SUBCASE("a guard on this thread leaves another thread recording") {
    const xgrad::NoGradGuard guard;
    bool enabled_there = false;
    bool recorded_there = false;
    std::thread([&] {
      enabled_there = xgrad::grad_enabled();
      const Value w = Value{2.0}.set_requires_grad();
      recorded_there = !(w * w).is_leaf();
    }).join();
    CHECK(enabled_there);
    CHECK(recorded_there);
    CHECK_FALSE(xgrad::grad_enabled());
  }
  SUBCASE("a guard alive on another thread leaves this one recording") {
    std::latch guard_made(1);
    std::latch checked(1);
    bool enabled_there = true;
    std::thread other([&] {
      const xgrad::NoGradGuard guard;
      enabled_there = xgrad::grad_enabled();
      guard_made.count_down();
      checked.wait();
    });
    guard_made.wait();
    const bool enabled_here = xgrad::grad_enabled();
    const Value w = Value{2.0}.set_requires_grad();
    const bool recorded_here = !(w * w).is_leaf();
    checked.count_down();
    other.join();
    CHECK_FALSE(enabled_there);
    CHECK(enabled_here);
    CHECK(recorded_here);
  }
}

TEST_CASE("live_nodes counts every thread's nodes, wherever they are destroyed") {
  const std::size_t before = xgrad::live_nodes();
  std::optional<Value> made_there;
  std::thread([&] {
    made_there = Value{1.0}.set_requires_grad() * 2.0;  // two nodes, made on a thread that then ends
    CHECK(xgrad::live_nodes() == before + 2);
  }).join();
  CHECK(xgrad::live_nodes() == before + 2);
  std::optional<Value> made_here = Value{3.0}.set_requires_grad() + 1.0;
  CHECK(xgrad::live_nodes() == before + 4);
  std::latch made(1);
  std::latch counted(1);
  std::thread other([&] {
    const Value alive = Value{4.0};
    made_here.reset();  // destroys the two nodes made on the main thread
    made.count_down();
    counted.wait();  // `alive` is still held while the main thread counts
  });
  made.wait();
  CHECK(xgrad::live_nodes() == before + 3);
  counted.count_down();
  other.join();
  CHECK(xgrad::live_nodes() == before + 2);
  made_there.reset();  // destroyed here, made on the thread that ended
  CHECK(xgrad::live_nodes() == before);
}
