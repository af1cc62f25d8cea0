#include <xgrad/nn/loss.hpp>

#include <xgrad/factory.hpp>
#include <xgrad/ops/compare.hpp>
#include <xgrad/ops/elementwise.hpp>
#include <xgrad/ops/reduction.hpp>
#include <xgrad/ops/unary.hpp>

#include <cmath>
#include <string>

namespace xgrad::nn {

namespace {

void require_same_shape(const char* loss, const Value& pred, const Value& target) {
  if (pred.shape() != target.shape()) {
    throw shape_error(std::string(loss) + ": prediction " + shape_str(pred.shape()) + " and target " +
                      shape_str(target.shape()) + " differ in shape");
  }
}

Value reduce(const Value& per_element, Reduction reduction) {
  return reduction == Reduction::mean ? mean(per_element) : sum(per_element);
}

// ln x clamped below at −100: ln(clamp(x, e^−100, ∞)). Clamping the argument rather than the log
// keeps both the value and the gradient finite at x = 0.
Value clamped_log(const Value& x) {
  static const double floor = std::exp(-100.0);
  return log(clamp(x, floor, INFINITY));
}

// ln(1 − p) clamped below at −100, through log1p so that a tiny p keeps full precision (1 − p
// would round first). p = 1 takes the clamp's −100 by `where`; its p is first capped below 1 so
// that neither branch's gradient becomes 0·∞.
Value clamped_log1m(const Value& p) {
  const Tensor below_one = xt::where(p.data() < 1.0, 1.0, 0.0);
  const Value capped = xgrad::clamp(p, -INFINITY, 1.0 - 0x1.0p-53);
  // Qualified: with a Tensor mask, an unqualified call would find xt::where by argument lookup.
  return xgrad::where(below_one, xgrad::maximum(xgrad::log1p(-capped), Value(-100.0)), xgrad::full(p.shape(), -100.0));
}

}  // namespace

Value mse_loss(const Value& pred, const Value& target, Reduction reduction) {
  require_same_shape("mse_loss", pred, target);
  return reduce(squared_difference(pred, target), reduction);
}

Value half_mse_loss(const Value& pred, const Value& target) {
  require_same_shape("half_mse_loss", pred, target);
  return sum(squared_difference(pred, target)) *
         (0.5 / static_cast<double>(pred.size()));  // ½ folded into mean's 1/n: one node fewer
}

Value binary_cross_entropy(const Value& p, const Value& y, Reduction reduction) {
  require_same_shape("binary_cross_entropy", p, y);
  return reduce(-(y * clamped_log(p) + (1.0 - y) * clamped_log1m(p)), reduction);
}

Value binary_cross_entropy_with_logits(const Value& z, const Value& y, Reduction reduction) {
  require_same_shape("binary_cross_entropy_with_logits", z, y);
  // (1 − y)·softplus(z) + y·softplus(−z): no cancellation for any z (softplus(z) − y·z loses
  // everything to it when y = 1 and z is large); gradient (1 − y)σ(z) − y·σ(−z) = σ(z) − y.
  return reduce((1.0 - y) * softplus(z) + y * softplus(-z), reduction);
}

}  // namespace xgrad::nn
