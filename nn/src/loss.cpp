#include <xgrad/nn/loss.hpp>

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

}  // namespace

Value mse_loss(const Value& pred, const Value& target, Reduction reduction) {
  require_same_shape("mse_loss", pred, target);
  const Value diff = pred - target;
  return reduce(diff * diff, reduction);
}

Value half_mse_loss(const Value& pred, const Value& target) {
  require_same_shape("half_mse_loss", pred, target);
  return 0.5 * mse_loss(pred, target);
}

Value binary_cross_entropy(const Value& p, const Value& y, Reduction reduction) {
  require_same_shape("binary_cross_entropy", p, y);
  return reduce(-(y * clamped_log(p) + (1.0 - y) * clamped_log(1.0 - p)), reduction);
}

Value binary_cross_entropy_with_logits(const Value& z, const Value& y, Reduction reduction) {
  require_same_shape("binary_cross_entropy_with_logits", z, y);
  return reduce(softplus(z) - y * z, reduction);
}

}  // namespace xgrad::nn
