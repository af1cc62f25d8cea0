// Comparisons produce masks, not graph nodes; `where` is the one differentiable op here.
#include <xgrad/ops/compare.hpp>

#include <xgrad/op.hpp>

#include "ops/broadcast.hpp"

#include <xtensor/xoperation.hpp>

namespace xgrad {

namespace {

template <class Compare>
Tensor compare(const char* op, const Value& a, const Value& b, Compare cmp) {
  detail::check_broadcast(op, a.shape(), b.shape());
  return xt::where(cmp(a.data(), b.data()), 1.0, 0.0);
}

}  // namespace

Tensor operator<(const Value& a, const Value& b) {
  return compare("less", a, b, [](const Tensor& x, const Tensor& y) { return x < y; });
}
Tensor operator<=(const Value& a, const Value& b) {
  return compare("less_equal", a, b, [](const Tensor& x, const Tensor& y) { return x <= y; });
}
Tensor operator>(const Value& a, const Value& b) {
  return compare("greater", a, b, [](const Tensor& x, const Tensor& y) { return x > y; });
}
Tensor operator>=(const Value& a, const Value& b) {
  return compare("greater_equal", a, b, [](const Tensor& x, const Tensor& y) { return x >= y; });
}
Tensor equal(const Value& a, const Value& b) {
  return compare("equal", a, b, [](const Tensor& x, const Tensor& y) { return xt::equal(x, y); });
}
Tensor not_equal(const Value& a, const Value& b) {
  return compare("not_equal", a, b, [](const Tensor& x, const Tensor& y) { return xt::not_equal(x, y); });
}

Value where(const Tensor& mask, const Value& a, const Value& b) {
  const Shape shape =
      detail::broadcast_shapes("where", detail::broadcast_shapes("where", mask.shape(), a.shape()), b.shape());
  Tensor out = xt::where(xt::not_equal(mask, 0.0), a.data(), b.data());
  if (out.shape() != shape) {
    out = detail::expand_to(out, shape);
  }
  Tensor chosen = xt::where(xt::not_equal(mask, 0.0), 1.0, 0.0);
  return record_op("where", std::move(out), {a, b}, [chosen](const Tensor& g, const Tensor&, Inputs in) -> Grads {
    return {grad_for(in[0], [&] { return detail::sum_to(g * chosen, in[0].shape()); }),           // [mask ≠ 0]
            grad_for(in[1], [&] { return detail::sum_to(g * (1.0 - chosen), in[1].shape()); })};  // [mask = 0]
  });
}

}  // namespace xgrad
