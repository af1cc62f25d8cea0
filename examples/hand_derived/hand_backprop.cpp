#include "hand_backprop.hpp"

#include <xgrad/kernels.hpp>

#include <cblas.h>

#include <algorithm>

namespace lab {

namespace {

// Gives `t` the shape (rows, cols) — or (rows) when cols is 0 — keeping its buffer if it has it.
void ensure_shape(Tensor& t, std::size_t rows, std::size_t cols = 0) {
  const bool vector = cols == 0;
  if (t.dimension() == (vector ? 1U : 2U) && t.shape()[0] == rows && (vector || t.shape()[1] == cols)) {
    return;
  }
  if (vector) {
    t.resize({rows});
  } else {
    t.resize({rows, cols});
  }
}

// C (m×n) ← α·op(A)·op(B) + β·C for row-major matrices, op = transpose when asked. A product
// with one column or one row is a matrix-vector product (dgemv), one with an inner dimension of
// 1 an outer product (a plain loop): on the lab's small layers, GEMM's packing of its operands
// costs more than such a product. (xgrad's matmul makes the same choices.)
void gemm(const Tensor& a, bool ta, const Tensor& b, bool tb, double alpha, double beta, double* c, std::size_t m,
          std::size_t n) {
  const std::size_t k = ta ? a.shape()[0] : a.shape()[1];
  const auto rows = [](const Tensor& t) { return static_cast<int>(t.shape()[0]); };
  const auto cols = [](const Tensor& t) { return static_cast<int>(t.shape()[1]); };
  if (k == 1) {  // both operands are contiguous vectors, whatever their flags
    for (std::size_t i = 0; i < m; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        double& cij = c[i * n + j];
        cij = alpha * a.data()[i] * b.data()[j] + (beta == 0.0 ? 0.0 : beta * cij);
      }
    }
  } else if (n == 1) {  // c = op(A)·b
    cblas_dgemv(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, rows(a), cols(a), alpha, a.data(), cols(a), b.data(), 1,
                beta, c, 1);
  } else if (m == 1) {  // cᵀ = op(B)ᵀ·aᵀ
    cblas_dgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, rows(b), cols(b), alpha, b.data(), cols(b), a.data(), 1,
                beta, c, 1);
  } else {
    cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(m),
                static_cast<int>(n), static_cast<int>(k), alpha, a.data(), cols(a), b.data(), cols(b), beta, c,
                static_cast<int>(n));
  }
}

void gemm(const Tensor& a, bool ta, const Tensor& b, bool tb, double alpha, double beta, Tensor& c) {
  gemm(a, ta, b, tb, alpha, beta, c.data(), c.shape()[0], c.shape()[1]);
}

// a = σ(z), z = x·W + b: b copied into every row of the scratch z, x·W added by GEMM, then
// σ(z) = 1/(1 + e^−z) by xgrad::vsigmoid — the same vectorised kernel xgrad's sigmoid uses, so
// that the comparison with xgrad measures the graph, not two different exponentials.
void dense_sigmoid(const Tensor& x, const Tensor& w, const Tensor& b, std::vector<double>& z, Tensor& a) {
  const std::size_t rows = x.shape()[0];
  const std::size_t cols = w.shape()[1];
  ensure_shape(a, rows, cols);
  if (z.size() < rows * cols) {
    z.resize(rows * cols);  // grows on the first step only; every layer reuses it
  }
  for (std::size_t r = 0; r < rows; ++r) {
    std::copy(b.data(), b.data() + cols, z.data() + r * cols);
  }
  gemm(x, false, w, false, 1.0, 1.0, z.data(), rows, cols);
  xgrad::vsigmoid(z.data(), a.data(), rows * cols);
}

// δ ← (δ_next·Wᵀ) ⊙ a(1 − a): the delta of a sigmoid layer with output a.
void hidden_delta(const Tensor& d_next, const Tensor& w, const Tensor& a, Tensor& d) {
  ensure_shape(d, a.shape()[0], a.shape()[1]);
  gemm(d_next, false, w, true, 1.0, 0.0, d);
  double* di = d.data();
  const double* ai = a.data();
  for (std::size_t i = 0, n = d.size(); i < n; ++i) {
    di[i] *= ai[i] * (1.0 - ai[i]);
  }
}

// ∂W = inᵀδ/n and ∂b = Σ_rows δ/n for the layer that read `in` and has delta δ.
void layer_gradients(const Tensor& in, const Tensor& d, double n, Tensor& gw, Tensor& gb) {
  const std::size_t rows = d.shape()[0];
  const std::size_t cols = d.shape()[1];
  ensure_shape(gw, in.shape()[1], cols);
  gemm(in, true, d, false, 1.0 / n, 0.0, gw);
  ensure_shape(gb, cols);
  double* sum = gb.data();
  std::fill(sum, sum + cols, 0.0);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* row = d.data() + r * cols;
    for (std::size_t j = 0; j < cols; ++j) {
      sum[j] += row[j];
    }
  }
  for (std::size_t j = 0; j < cols; ++j) {
    sum[j] /= n;
  }
}

}  // namespace

const Gradients& Backprop::operator()(const Network& net, const Tensor& x, const Tensor& y) {
  const double n = static_cast<double>(x.shape()[0]);
  // Forward.
  dense_sigmoid(x, net.w1, net.b1, z_, a1_);
  dense_sigmoid(a1_, net.w2, net.b2, z_, a2_);
  dense_sigmoid(a2_, net.w3, net.b3, z_, y_hat_);
  // Loss and output delta in one pass: L = ½·Σ(ŷ − y)²/n, δ₃ = (ŷ − y) ⊙ ŷ(1 − ŷ).
  // Backward: σ'(z) = a(1 − a) from each layer's output a = σ(z).
  ensure_shape(d3_, y_hat_.shape()[0], y_hat_.shape()[1]);
  double squares = 0.0;
  for (std::size_t i = 0; i < y_hat_.size(); ++i) {
    const double a = y_hat_.data()[i];
    const double e = a - y.data()[i];
    squares += e * e;
    d3_.data()[i] = e * a * (1.0 - a);
  }
  g_.loss = 0.5 * squares / n;
  hidden_delta(d3_, net.w3, a2_, d2_);
  hidden_delta(d2_, net.w2, a1_, d1_);
  layer_gradients(a2_, d3_, n, g_.w3, g_.b3);
  layer_gradients(a1_, d2_, n, g_.w2, g_.b2);
  layer_gradients(x, d1_, n, g_.w1, g_.b1);
  return g_;
}

Gradients backprop(const Network& net, const Tensor& x, const Tensor& y) {
  Backprop fresh;
  return fresh(net, x, y);
}

void sgd_step(Network& net, const Gradients& g, double lr) {
  // θ ← θ − lr·g, one plain loop per parameter (same shapes).
  auto descend = [lr](Tensor& theta, const Tensor& grad) {
    double* t = theta.data();
    const double* d = grad.data();
    for (std::size_t i = 0, n = theta.size(); i < n; ++i) {
      t[i] -= lr * d[i];
    }
  };
  descend(net.w1, g.w1);
  descend(net.b1, g.b1);
  descend(net.w2, g.w2);
  descend(net.b2, g.b2);
  descend(net.w3, g.w3);
  descend(net.b3, g.b3);
}

}  // namespace lab
