// Registry rows of the ops that change shape: reductions, matmul and the shape family. Each
// reference computes the forward value directly (xtensor reducers, views and builders, or loops).
#include "op_registry.hpp"

#include <xgrad/ops/linalg.hpp>
#include <xgrad/ops/reduction.hpp>
#include <xgrad/ops/shape.hpp>

#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xview.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>
#include <utility>

namespace xgrad::tests {

namespace {

using Values = std::vector<Value>;
using Tensors = std::vector<Tensor>;

OpSpec one_input(std::string name, std::function<Value(const Value&)> f, ReferenceFunction ref,
                 std::vector<ShapeSet> samples, double min_gap = 0.0) {
  return {.name = std::move(name),
          .arity = 1,
          .fn = [f = std::move(f)](const Values& in) { return f(in[0]); },
          .reference = std::move(ref),
          .samples = std::move(samples),
          .min_gap = min_gap};
}

// A reference for a reduction along `axis`: `reduce(x, axis)` drops the axis; keepdims puts it
// back with size 1.
template <class Reduce>
ReferenceFunction along(Reduce reduce, std::ptrdiff_t axis, bool keepdims) {
  return [reduce, axis, keepdims](const Tensors& t) {
    const auto dim = static_cast<std::ptrdiff_t>(t[0].dimension());
    const auto ax = static_cast<std::size_t>(axis < 0 ? axis + dim : axis);
    Tensor out = reduce(t[0], ax);
    if (keepdims) {
      Shape shape = t[0].shape();
      shape[ax] = 1;
      out.reshape(shape);
    }
    return out;
  };
}

Tensor sum_along(const Tensor& x, std::size_t ax) { return xt::sum(x, {ax}); }
Tensor mean_along(const Tensor& x, std::size_t ax) { return xt::mean(x, {ax}); }
Tensor max_along(const Tensor& x, std::size_t ax) { return xt::amax(x, {ax}); }

// Sum, mean and max along `axis`. `empty` holds samples whose other axis is empty, defined for all three.
void add_axis_reductions(std::vector<OpSpec>& t, std::ptrdiff_t axis, bool keepdims, std::vector<ShapeSet> samples) {
  const std::string args = "(axis=" + std::to_string(axis) + (keepdims ? ", keepdims)" : ")");
  t.push_back(one_input(
      "sum" + args, [=](const Value& x) { return xgrad::sum(x, axis, keepdims); }, along(sum_along, axis, keepdims),
      samples));
  t.push_back(one_input(
      "mean" + args, [=](const Value& x) { return xgrad::mean(x, axis, keepdims); }, along(mean_along, axis, keepdims),
      samples));
  t.push_back(one_input(
      "max" + args, [=](const Value& x) { return xgrad::max(x, axis, keepdims); }, along(max_along, axis, keepdims),
      samples, 0.02));
}

// numpy's matmul for 1-d and 2-d operands, from the definition out[i][j] = Σₗ a[i][l]·b[l][j]
// (a 1-d left operand is one row, a 1-d right operand one column, and their axis is dropped).
Tensor matmul_reference(const Tensors& t) {
  const Tensor& a = t[0];
  const Tensor& b = t[1];
  const std::size_t m = a.dimension() == 2 ? a.shape()[0] : 1;
  const std::size_t k = a.shape().back();
  const std::size_t n = b.dimension() == 2 ? b.shape()[1] : 1;
  Shape shape;
  if (a.dimension() == 2) {
    shape.push_back(m);
  }
  if (b.dimension() == 2) {
    shape.push_back(n);
  }
  Tensor out = xt::zeros<double>(shape);
  for (std::size_t i = 0; i < m; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t l = 0; l < k; ++l) {
        out.data()[i * n + j] += a.data()[i * k + l] * b.data()[l * n + j];
      }
    }
  }
  return out;
}

Tensor flattened(const Tensor& x, std::size_t rows) {
  Tensor out = x;
  out.reshape(rows == 1 ? Shape{x.size()} : Shape{rows, x.size() / rows});
  return out;
}

void add_reshape_transpose(std::vector<OpSpec>& t) {
  t.push_back(one_input(
      "reshape(-1)", [](const Value& x) { return xgrad::reshape(x, {-1}); },
      [](const Tensors& x) { return flattened(x[0], 1); }, {{Shape{}}, {{5}}, {{3, 4}}, {{2, 3, 4}}, {{0, 3}}}));
  t.push_back(one_input(
      "reshape(2, -1)",
      [](const Value& x) {
        return xgrad::reshape(x, {2, -1});
      },
      [](const Tensors& x) { return flattened(x[0], 2); }, {{{6}}, {{3, 4}}, {{2, 3, 4}}, {{0, 3}}}));
  t.push_back(one_input(
      "transpose", [](const Value& x) { return xgrad::transpose(x); },
      [](const Tensors& x) -> Tensor { return xt::transpose(x[0]); },
      {{Shape{}}, {{5}}, {{3, 4}}, {{1, 5}}, {{2, 3, 4}}, {{0, 3}}}));
  t.push_back(one_input(
      "transpose(2, 0, 1)",
      [](const Value& x) {
        return xgrad::transpose(x, {2, 0, 1});
      },
      [](const Tensors& x) -> Tensor {
        return xt::transpose(x[0], {2, 0, 1});
      },
      {{{2, 3, 4}}, {{1, 3, 2}}, {{2, 0, 3}}}));
}

void add_slices(std::vector<OpSpec>& t) {
  t.push_back(one_input(
      "slice(axis=-1, 1, 3)", [](const Value& x) { return xgrad::slice(x, -1, 1, 3); },
      [](const Tensors& x) -> Tensor {
        return xt::strided_view(x[0], {xt::ellipsis(), xt::range(1, 3)});
      },
      {{{5}}, {{3, 4}}, {{2, 3, 4}}, {{0, 3}}}));
  t.push_back(one_input(
      "slice(axis=0, 2, 2)", [](const Value& x) { return xgrad::slice(x, 0, 2, 2); },
      [](const Tensors& x) -> Tensor {
        return xt::strided_view(x[0], {xt::range(2, 2), xt::ellipsis()});
      },
      {{{5}}, {{3, 4}}}));
  t.push_back(one_input(
      "rows(1, 3)", [](const Value& x) { return xgrad::rows(x, 1, 3); },
      [](const Tensors& x) -> Tensor {
        return xt::strided_view(x[0], {xt::range(1, 3), xt::ellipsis()});
      },
      {{{4}}, {{3, 4}}, {{3, 2, 2}}, {{5, 0}}}));
  t.push_back(one_input(
      "cols(0, 2)", [](const Value& x) { return xgrad::cols(x, 0, 2); },
      [](const Tensors& x) -> Tensor {
        return xt::strided_view(x[0], {xt::all(), xt::range(0, 2), xt::ellipsis()});
      },
      {{{3, 4}}, {{2, 3, 4}}, {{0, 3}}}));
}

// The inputs joined along a new `axis`: each gets a size-1 axis there, then they are concatenated.
template <class... T>
Tensor stacked(std::size_t axis, T... parts) {
  auto with_axis = [axis](Tensor x) {
    std::vector<std::size_t> dims(x.shape().begin(), x.shape().end());
    dims.insert(dims.begin() + static_cast<std::ptrdiff_t>(axis), 1);
    x.reshape(dims);
    return x;
  };
  return xt::concatenate(xt::xtuple(with_axis(parts)...), axis);
}

void add_joins(std::vector<OpSpec>& t) {
  t.push_back({.name = "concat(axis=0)",
               .arity = 3,
               .fn = [](const Values& in) { return xgrad::concat(in, 0); },
               .reference = [](const Tensors& x) -> Tensor { return xt::concatenate(xt::xtuple(x[0], x[1], x[2]), 0); },
               .samples = {{{2, 3}, {1, 3}, {4, 3}},
                           {{2}, {3}, {1}},
                           {{0, 3}, {2, 3}, {1, 3}},
                           {{1, 2, 2}, {2, 2, 2}, {1, 2, 2}}}});
  t.push_back({.name = "concat(axis=-1)",
               .arity = 2,
               .fn = [](const Values& in) { return xgrad::concat(in, -1); },
               .reference = [](const Tensors& x) -> Tensor {
                 return xt::concatenate(xt::xtuple(x[0], x[1]), x[0].dimension() - 1);
               },
               .samples = {{{3, 2}, {3, 4}}, {{2, 1, 4}, {2, 1, 3}}, {{2}, {3}}, {{0, 2}, {0, 3}}}});
  t.push_back({.name = "stack(axis=0)",
               .arity = 2,
               .fn = [](const Values& in) { return xgrad::stack(in, 0); },
               .reference = [](const Tensors& x) -> Tensor { return stacked(0, x[0], x[1]); },
               .samples = {{Shape{}, Shape{}}, {{3}, {3}}, {{3, 4}, {3, 4}}, {{0, 3}, {0, 3}}}});
  t.push_back({.name = "stack(axis=-1)",
               .arity = 3,
               .fn = [](const Values& in) { return xgrad::stack(in, -1); },
               .reference = [](const Tensors& x) -> Tensor { return stacked(x[0].dimension(), x[0], x[1], x[2]); },
               .samples = {{{2, 3}, {2, 3}, {2, 3}}, {{4}, {4}, {4}}}});
}

void add_broadcasts(std::vector<OpSpec>& t) {
  t.push_back(one_input(
      "broadcast_to(2, 3, 4)",
      [](const Value& x) {
        return xgrad::broadcast_to(x, {2, 3, 4});
      },
      [](const Tensors& x) -> Tensor {
        return xt::broadcast(x[0], Shape{2, 3, 4});
      },
      {{Shape{}}, {{1}}, {{4}}, {{3, 1}}, {{1, 4}}, {{2, 1, 4}}, {{2, 3, 4}}}));
  t.push_back(one_input(
      "broadcast_to(0, 3)",
      [](const Value& x) {
        return xgrad::broadcast_to(x, {0, 3});
      },
      [](const Tensors& x) -> Tensor {
        return xt::broadcast(x[0], Shape{0, 3});
      },
      {{Shape{}}, {{3}}, {{1, 3}}}));
}

}  // namespace

void add_reductions(std::vector<OpSpec>& t) {
  t.push_back(one_input(
      "sum", [](const Value& x) { return xgrad::sum(x); },
      [](const Tensors& x) { return Tensor(std::accumulate(x[0].begin(), x[0].end(), 0.0)); },
      {{Shape{}}, {{1}}, {{5}}, {{3, 4}}, {{2, 3, 4}}, {{0, 3}}}));
  // mean and max of no elements are errors, so their samples stop short of empty values.
  const std::vector<ShapeSet> nonempty = {{Shape{}}, {{1}}, {{5}}, {{3, 4}}, {{2, 3, 4}}};
  t.push_back(one_input(
      "mean", [](const Value& x) { return xgrad::mean(x); },
      [](const Tensors& x) {
        return Tensor(std::accumulate(x[0].begin(), x[0].end(), 0.0) / static_cast<double>(x[0].size()));
      },
      nonempty));
  t.push_back(one_input(
      "max", [](const Value& x) { return xgrad::max(x); },
      [](const Tensors& x) { return Tensor(*std::max_element(x[0].begin(), x[0].end())); }, nonempty, 0.02));
  add_axis_reductions(t, 0, false, {{{5}}, {{3, 4}}, {{2, 3, 4}}, {{3, 0}}});
  add_axis_reductions(t, 1, true, {{{3, 4}}, {{2, 3, 4}}, {{3, 1}}, {{0, 3}}});
  add_axis_reductions(t, -1, false, {{{5}}, {{3, 4}}, {{2, 3, 4}}, {{0, 3}}});
  add_axis_reductions(t, -1, true, {{{1}}, {{3, 4}}, {{2, 3, 4}}, {{0, 3}}});
  // Summing an empty axis is defined (zeros), unlike its mean or max.
  t.push_back(one_input("sum(axis=0) of an empty axis", [](const Value& x) { return xgrad::sum(x, 0); },
                        along(sum_along, 0, false), {{{0, 3}}, {{0}}}));
}

void add_linalg(std::vector<OpSpec>& t) {
  t.push_back({.name = "matmul",
               .arity = 2,
               .fn = [](const Values& in) { return xgrad::matmul(in[0], in[1]); },
               .reference = matmul_reference,
               .samples = {{{3, 4}, {4, 5}},
                           {{4}, {4, 5}},
                           {{3, 4}, {4}},
                           {{4}, {4}},
                           {{1, 1}, {1, 1}},
                           {{1}, {1}},
                           {{1, 3}, {3}},
                           {{0, 3}, {3, 2}},
                           {{3, 0}, {0, 2}},
                           {{2, 3}, {3, 0}}}});
  // x (m,k) or (k), w (k,n), b (n): one row, one column, empty axes.
  const std::vector<ShapeSet> linear_samples = {{{3, 4}, {4, 5}, {5}}, {{4}, {4, 5}, {5}},    {{1, 1}, {1, 1}, {1}},
                                                {{2, 3}, {3, 1}, {1}}, {{0, 3}, {3, 2}, {2}}, {{3, 0}, {0, 2}, {2}},
                                                {{2, 3}, {3, 0}, {0}}};
  t.push_back({.name = "linear",
               .arity = 3,
               .fn = [](const Values& in) { return xgrad::linear(in[0], in[1], in[2]); },
               .reference = [](const Tensors& t) { return Tensor(matmul_reference(t) + t[2]); },
               .samples = linear_samples});
  t.push_back({.name = "linear_sigmoid",
               .arity = 3,
               .fn = [](const Values& in) { return xgrad::linear_sigmoid(in[0], in[1], in[2]); },
               .reference =
                   [](const Tensors& t) {
                     Tensor z = matmul_reference(t) + t[2];
                     std::transform(z.begin(), z.end(), z.begin(), [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
                     return z;
                   },
               .samples = linear_samples});
}

void add_shape_ops(std::vector<OpSpec>& t) {
  add_reshape_transpose(t);
  add_slices(t);
  add_joins(t);
  add_broadcasts(t);
}

}  // namespace xgrad::tests
