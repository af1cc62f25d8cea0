// The lab's datasets, batching and accuracy.
#include <doctest/doctest.h>

#include <xgrad/nn.hpp>

#include "helpers.hpp"

#include <xtensor/xmath.hpp>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <numeric>
#include <string>
#include <vector>

using nn_test::column;
using xgrad::Generator;
using xgrad::Shape;
using xgrad::Tensor;
namespace nn = xgrad::nn;

namespace {

// A dataset whose row i holds (i, −i) with label i % 2, so rows can be traced through batching.
nn::Dataset numbered(std::size_t n) {
  nn::Dataset d{Tensor::from_shape({n, 2}), Tensor::from_shape({n, 1})};
  for (std::size_t i = 0; i < n; ++i) {
    d.inputs(i, 0) = static_cast<double>(i);
    d.inputs(i, 1) = -static_cast<double>(i);
    d.labels(i, 0) = static_cast<double>(i % 2);
  }
  return d;
}

// The row numbers of every batch, in order, after checking each row kept its label.
std::vector<std::size_t> rows_of(const std::vector<nn::Dataset>& batches) {
  std::vector<std::size_t> rows;
  for (const nn::Dataset& b : batches) {
    for (std::size_t r = 0; r < b.size(); ++r) {
      const auto i = static_cast<std::size_t>(b.inputs(r, 0));
      CHECK(b.inputs(r, 1) == -b.inputs(r, 0));
      CHECK(b.labels(r, 0) == static_cast<double>(i % 2));
      rows.push_back(i);
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("linear(n): n points in the unit square, label 0 if x > y else 1") {
  Generator gen(31);
  const nn::Dataset d = nn::linear(100, gen);
  REQUIRE(d.inputs.shape() == Shape{100, 2});
  REQUIRE(d.labels.shape() == Shape{100, 1});
  CHECK(d.size() == 100);
  std::size_t ones = 0;
  for (std::size_t i = 0; i < 100; ++i) {
    CHECK(d.inputs(i, 0) >= 0.0);
    CHECK(d.inputs(i, 0) < 1.0);
    CHECK(d.inputs(i, 1) >= 0.0);
    CHECK(d.inputs(i, 1) < 1.0);
    CHECK(d.labels(i, 0) == (d.inputs(i, 0) > d.inputs(i, 1) ? 0.0 : 1.0));
    ones += d.labels(i, 0) == 1.0 ? 1 : 0;
  }
  CHECK(ones > 30);  // both classes are present
  CHECK(ones < 70);
  Generator again(31);
  const nn::Dataset e = nn::linear(100, again);
  CHECK(nn_test::same_bits(d.inputs, e.inputs));
  CHECK(nn_test::same_bits(d.labels, e.labels));
  Generator other(32);
  CHECK_FALSE(nn_test::same_bits(d.inputs, nn::linear(100, other).inputs));
  CHECK(nn::linear(0, gen).size() == 0);
}

TEST_CASE("xor_easy(): the lab's 21 points, interleaved") {
  const nn::Dataset d = nn::xor_easy();
  REQUIRE(d.inputs.shape() == Shape{21, 2});
  REQUIRE(d.labels.shape() == Shape{21, 1});
  struct Point {
    std::size_t row;
    double x;
    double y;
    double label;
  };
  for (const Point& p :
       {Point{0, 0.0, 0.0, 0.0}, Point{1, 0.0, 1.0, 1.0}, Point{2, 0.1, 0.1, 0.0}, Point{3, 0.1, 0.9, 1.0},
        Point{9, 0.4, 0.6, 1.0}, Point{10, 0.5, 0.5, 0.0}, Point{11, 0.1 * 6, 0.1 * 6, 0.0},
        Point{12, 0.1 * 6, 1.0 - 0.1 * 6, 1.0}, Point{19, 1.0, 1.0, 0.0}, Point{20, 1.0, 0.0, 1.0}}) {
    CAPTURE(p.row);
    CHECK(d.inputs(p.row, 0) == p.x);
    CHECK(d.inputs(p.row, 1) == p.y);
    CHECK(d.labels(p.row, 0) == p.label);
  }
  // Exactly the lab's arithmetic: 0.1·i and 1 − 0.1·i in doubles (0.1·3 is not 0.3).
  CHECK(d.inputs(6, 0) == 0.1 * 3);
  CHECK(d.inputs(7, 1) == 1.0 - 0.1 * 3);
  // i = 5 has one point: it is followed directly by i = 6.
  CHECK(d.inputs(10, 0) == d.inputs(10, 1));
  CHECK(d.inputs(11, 0) == d.inputs(11, 1));
  CHECK(xt::sum(d.labels)() == 10.0);
  for (std::size_t r = 0; r < 21; ++r) {
    CHECK(d.labels(r, 0) == (d.inputs(r, 0) == d.inputs(r, 1) ? 0.0 : 1.0));
  }
}

TEST_CASE("batches: one full batch, size k with a smaller last batch, and size 1") {
  const nn::Dataset d = numbered(10);
  const std::vector<nn::Dataset> full = nn::batches(d, 0);
  REQUIRE(full.size() == 1);
  CHECK(nn_test::same_bits(full[0].inputs, d.inputs));
  CHECK(nn_test::same_bits(full[0].labels, d.labels));
  CHECK(nn::batches(d, 10).size() == 1);
  CHECK(nn::batches(d, 25).size() == 1);

  const std::vector<nn::Dataset> threes = nn::batches(d, 3);
  REQUIRE(threes.size() == 4);
  CHECK(threes[0].inputs.shape() == Shape{3, 2});
  CHECK(threes[2].labels.shape() == Shape{3, 1});
  CHECK(threes[3].inputs.shape() == Shape{1, 2});
  CHECK(rows_of(threes) == std::vector<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});

  const std::vector<nn::Dataset> ones = nn::batches(d, 1);
  REQUIRE(ones.size() == 10);
  CHECK(ones[7].inputs == Tensor{{7.0, -7.0}});
  CHECK(ones[7].labels.shape() == Shape{1, 1});
  CHECK(nn::batches(numbered(0), 4).empty());
}

TEST_CASE("batches: a seeded shuffle is a deterministic permutation") {
  const nn::Dataset d = numbered(50);
  Generator a(33);
  Generator b(33);
  const std::vector<std::size_t> first = rows_of(nn::batches(d, 7, &a));
  CHECK(first == rows_of(nn::batches(d, 7, &b)));
  std::vector<std::size_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::size_t> identity(50);
  std::iota(identity.begin(), identity.end(), std::size_t{0});
  CHECK(sorted == identity);
  CHECK(first != identity);
  CHECK(first != rows_of(nn::batches(d, 7, &a)));  // the next epoch's order differs
}

TEST_CASE("batches: the shuffle draws every order equally often") {
  const nn::Dataset d = numbered(3);
  Generator gen(34);
  std::map<std::vector<std::size_t>, int> seen;
  for (int trial = 0; trial < 6000; ++trial) {
    ++seen[rows_of(nn::batches(d, 0, &gen))];
  }
  CHECK(seen.size() == 6);
  for (const auto& [order, count] : seen) {
    CAPTURE(count);
    CHECK(std::abs(count - 1000) < 150);  // 5 standard deviations of a count of 1000
  }
}

TEST_CASE("batches reject data that is not (n, features) with (n, 1) labels") {
  nn::Dataset bad = numbered(4);
  bad.labels = Tensor::from_shape({3, 1});
  CHECK_THROWS_AS(nn::batches(bad, 2), xgrad::shape_error);
  bad.labels = Tensor::from_shape({4});
  CHECK_THROWS_AS(nn::batches(bad, 2), xgrad::shape_error);
  bad = numbered(4);
  bad.inputs = Tensor{1.0, 2.0, 3.0, 4.0};
  CHECK_THROWS_AS(nn::batches(bad, 2), xgrad::shape_error);
}

TEST_CASE("accuracy counts (prediction ≥ threshold) == label") {
  const Tensor labels = column({0.0, 1.0, 1.0, 0.0});
  CHECK(nn::accuracy(column({0.1, 0.9, 0.6, 0.4}), labels) == 1.0);
  CHECK(nn::accuracy(column({0.5, 0.5, 0.49, 0.2}), labels) == 0.5);  // 0.5 counts as class 1
  CHECK(nn::accuracy(column({0.5, 0.5, 0.49, 0.2}), labels, 0.45) == 0.75);
  CHECK(nn::accuracy(column({0.9, 0.1, 0.2, 0.7}), labels) == 0.0);
  CHECK(nn::accuracy(column({-1.0, 2.0, 0.5, -3.0}), labels, 0.0) == 1.0);  // logits
  CHECK_THROWS_WITH_AS(nn::accuracy(Tensor{0.1, 0.9, 0.6, 0.4}, labels), doctest::Contains("(4,1)"),
                       xgrad::shape_error);
  CHECK_THROWS_AS(nn::accuracy(Tensor::from_shape({0, 1}), Tensor::from_shape({0, 1})), xgrad::value_error);
}
