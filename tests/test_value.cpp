#include <doctest/doctest.h>

#include <xgrad/xgrad.hpp>

#include <sstream>

using xgrad::Shape;
using xgrad::Tensor;
using xgrad::Value;

TEST_CASE("construction: a scalar is a 0-d value, nested lists follow numpy's nesting") {
  CHECK(Value{2.0}.dim() == 0);
  CHECK(Value{2.0}.item() == 2.0);
  CHECK(Value().item() == 0.0);
  CHECK(Value({1.0, 2.0, 3.0}).shape() == Shape{3});
  CHECK(Value{{1.0, 2.0}}.shape() == Shape{1, 2});
  CHECK(Value{{1.0, 2.0}, {3.0, 4.0}}.shape() == Shape{2, 2});
  CHECK(Value{{{1.0, 2.0}, {3.0, 4.0}}, {{5.0, 6.0}, {7.0, 8.0}}}.shape() == Shape{2, 2, 2});
  CHECK(Value(Tensor{1.0, 2.0}).shape() == Shape{2});
}
