#pragma once
// Internal: recording an elementwise op with a fast lane for 0-d inputs.
//
// When every input is 0-d, the result is computed on numbers and recorded as a number
// (record_op's double overload): the node builds no tensor for it. In a scalar graph that is
// every op, and a tensor built, moved into its node and destroyed cost more than the rest of
// the op (benchmarks.md). Inputs of any other shape take the tensor path.

#include <xgrad/op.hpp>

#include "ops/broadcast.hpp"

#include <span>
#include <utility>

namespace xgrad::detail {

// Handles to values the caller holds, with no reference of their own, for the length of a
// record_op call (whose node keeps copies of its own). Passing `{a, b}` instead copies each
// handle into an initializer_list and releases it afterwards: two reference-count updates per
// input of every op, for nothing.
template <std::size_t N>
class Borrowed {
 public:
  template <class... V>
  explicit Borrowed(const V&... values) noexcept : handles_{Value::adopt(values.node())...} {}
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;
  ~Borrowed() {
    for (Value& h : handles_) {
      h.release();
    }
  }
  operator std::span<const Value>() const noexcept { return handles_; }  // NOLINT(google-explicit-constructor)

 private:
  Value handles_[N];
};

// An op of one value: `f(double)` on a 0-d input, `whole(const Tensor&) -> Tensor` otherwise.
template <class F, class Whole, class... Steps>
Value record_unary(const char* name, const Value& x, F f, Whole whole, Steps&&... steps) {
  if (x.dim() == 0) {
    return record<true>(name, f(scalar_of(x)), Borrowed<1>(x), std::forward<Steps>(steps)...);
  }
  return record_op(name, whole(x.data()), Borrowed<1>(x), std::forward<Steps>(steps)...);
}

// An op of one value that applies `f(double)` to each element (map's plain loop on a tensor).
template <class F, class... Steps>
Value record_map(const char* name, const Value& x, F f, Steps&&... steps) {
  return record_unary(
      name, x, f, [f](const Tensor& t) { return map(t, f); }, std::forward<Steps>(steps)...);
}

// An op of two values under numpy broadcasting that applies `f` to each pair of elements; `f`
// takes two doubles and two Tensors alike, as zip requires.
template <class F, class... Steps>
Value record_zip(const char* name, const Value& a, const Value& b, F f, Steps&&... steps) {
  if (a.dim() == 0 && b.dim() == 0) {
    return record<true>(name, f(scalar_of(a), scalar_of(b)), Borrowed<2>(a, b), std::forward<Steps>(steps)...);
  }
  check_broadcast(name, a.shape(), b.shape());
  return record_op(name, zip(a.data(), b.data(), f), Borrowed<2>(a, b), std::forward<Steps>(steps)...);
}

}  // namespace xgrad::detail
