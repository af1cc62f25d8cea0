#include "hand_backprop.hpp"

#include <xtensor/xmath.hpp>

#include <cblas.h>

namespace lab {

namespace {

// C = op(A)·op(B) for row-major matrices, op = transpose when asked.
Tensor product(const Tensor& a, bool ta, const Tensor& b, bool tb) {
  const std::size_t m = ta ? a.shape()[1] : a.shape()[0];
  const std::size_t k = ta ? a.shape()[0] : a.shape()[1];
  const std::size_t n = tb ? b.shape()[0] : b.shape()[1];
  Tensor c = Tensor::from_shape({m, n});
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
              static_cast<int>(n), static_cast<int>(k), 1.0, a.data(), static_cast<int>(a.shape()[1]), b.data(),
              static_cast<int>(b.shape()[1]), 0.0, c.data(), static_cast<int>(n));
  return c;
}

Tensor sigmoid(const Tensor& z) { return 1.0 / (1.0 + xt::exp(-z)); }

// Σ over rows: the bias gradient.
Tensor column_sums(const Tensor& d) { return xt::sum(d, {0}); }

}  // namespace

Gradients backprop(const Network& net, const Tensor& x, const Tensor& y) {
  const double n = static_cast<double>(x.shape()[0]);
  // Forward.
  const Tensor a1 = sigmoid(product(x, false, net.w1, false) + net.b1);
  const Tensor a2 = sigmoid(product(a1, false, net.w2, false) + net.b2);
  const Tensor y_hat = sigmoid(product(a2, false, net.w3, false) + net.b3);
  Gradients g;
  g.loss = 0.5 * xt::mean(xt::square(y_hat - y))();
  // Backward: σ'(z) = a(1 − a) from each layer's output a = σ(z).
  const Tensor d3 = (y_hat - y) * y_hat * (1.0 - y_hat);
  const Tensor d2 = product(d3, false, net.w3, true) * a2 * (1.0 - a2);
  const Tensor d1 = product(d2, false, net.w2, true) * a1 * (1.0 - a1);
  g.w3 = product(a2, true, d3, false) / n;
  g.b3 = column_sums(d3) / n;
  g.w2 = product(a1, true, d2, false) / n;
  g.b2 = column_sums(d2) / n;
  g.w1 = product(x, true, d1, false) / n;
  g.b1 = column_sums(d1) / n;
  return g;
}

void sgd_step(Network& net, const Gradients& g, double lr) {
  net.w1 -= lr * g.w1;
  net.b1 -= lr * g.b1;
  net.w2 -= lr * g.w2;
  net.b2 -= lr * g.b2;
  net.w3 -= lr * g.w3;
  net.b3 -= lr * g.b3;
}

}  // namespace lab
