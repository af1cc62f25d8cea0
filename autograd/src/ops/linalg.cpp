// matmul and its backward as BLAS calls: GEMM, or GEMV for a product with one row or one column.
// The transposes in the backward formulas are flags, never transposed copies.
#include <xgrad/ops/linalg.hpp>

#include <xgrad/op.hpp>

#include "ops/broadcast.hpp"
#include "ops/sigmoid.hpp"

#include <cblas.h>

#include <algorithm>
#include <functional>
#include <string>

namespace xgrad {

namespace {

// A row-major matrix view of a 1-d or 2-d operand.
struct Mat {
  std::size_t rows, cols;
};

// C (m×n) = op(A)·op(B) + β·C, with op(X) = X or Xᵀ; A, B, C row-major and contiguous; β is
// 0 (C is overwritten, whatever it held) or 1 (the product is added to C). A product with one
// column or one row goes to GEMV and one with an inner dimension of 1 (an outer product) is a
// plain loop: GEMM packs both operands into buffers first, which on a layer with one output —
// the lab's last — costs more than the product (benchmarks.md).
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, const double* a, const double* b,
          double* c, double beta = 0.0) {
  if (m == 0 || n == 0) {
    return;
  }
  if (k == 0) {
    if (beta == 0.0) {
      std::fill(c, c + m * n, 0.0);  // an empty sum
    }
    return;
  }
  if (k == 1) {  // an outer product: a column times a row, both contiguous whatever the flags
    for (std::size_t i = 0; i < m; ++i) {
      double* row = c + i * n;
      const double ai = a[i];
      for (std::size_t j = 0; j < n; ++j) {
        row[j] = (beta == 0.0 ? 0.0 : row[j]) + ai * b[j];
      }
    }
    return;
  }
  if (n == 1) {  // C (m×1) = op(A)·b: a matrix-vector product; b is contiguous whatever its flag
    cblas_dgemv(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, static_cast<blasint>(trans_a ? k : m),
                static_cast<blasint>(trans_a ? m : k), 1.0, a, static_cast<blasint>(trans_a ? m : k), b, 1, beta, c, 1);
    return;
  }
  if (m == 1) {  // C (1×n) = a·op(B), that is Cᵀ = op(B)ᵀ·aᵀ
    cblas_dgemv(CblasRowMajor, trans_b ? CblasNoTrans : CblasTrans, static_cast<blasint>(trans_b ? n : k),
                static_cast<blasint>(trans_b ? k : n), 1.0, b, static_cast<blasint>(trans_b ? k : n), a, 1, beta, c, 1);
    return;
  }
  const auto lda = static_cast<blasint>(trans_a ? m : k);
  const auto ldb = static_cast<blasint>(trans_b ? k : n);
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.0, a, lda, b, ldb, beta, c,
              static_cast<blasint>(n));
}

Shape product_shape(const Shape& a, const Shape& b) {
  if (a.empty() || b.empty() || a.size() > 2 || b.size() > 2) {
    throw shape_error("matmul: operands must be 1-d or 2-d: " + shape_str(a) + " vs " + shape_str(b));
  }
  const std::size_t inner_a = a.back();
  const std::size_t inner_b = b[0];  // rows of a matrix, length of a vector
  if (inner_a != inner_b) {
    throw shape_error("matmul: inner dimensions differ: " + shape_str(a) + " vs " + shape_str(b));
  }
  Shape out;
  if (a.size() == 2) {
    out.push_back(a[0]);
  }
  if (b.size() == 2) {
    out.push_back(b[1]);
  }
  return out;
}

// A 1-d left operand is a row; a 1-d right operand is a column.
Mat left(const Shape& s) { return s.size() == 2 ? Mat{s[0], s[1]} : Mat{1, s[0]}; }
Mat right(const Shape& s) { return s.size() == 2 ? Mat{s[0], s[1]} : Mat{s[0], 1}; }

Shape linear_shape(const Shape& x, const Shape& w, const Shape& b) {
  const bool fits =
      (x.size() == 1 || x.size() == 2) && w.size() == 2 && b.size() == 1 && x.back() == w[0] && b[0] == w[1];
  if (!fits) {
    throw shape_error("linear: expected x (m,k) or (k), w (k,n) and b (n), got x " + shape_str(x) + ", w " +
                      shape_str(w) + ", b " + shape_str(b));
  }
  return x.size() == 2 ? Shape{x[0], w[1]} : Shape{w[1]};
}

}  // namespace

Value matmul(const Value& a, const Value& b) {
  Tensor out = detail::empty_tensor(product_shape(a.shape(), b.shape()));
  const Mat ma = left(a.shape());
  const Mat mb = right(b.shape());
  gemm(false, false, ma.rows, mb.cols, ma.cols, a.data().data(), b.data().data(), out.data());
  return record_op("matmul", std::move(out), {a, b}, [ma, mb](const Tensor& g, const Tensor&, Inputs in) -> Grads {
    const Tensor& x = in[0].data();
    const Tensor& y = in[1].data();
    return {grad_for(in[0],
                     [&] {  // ∂/∂A = G·Bᵀ  (m×n · n×k)
                       Tensor ga = detail::empty_tensor(x.shape());
                       gemm(false, true, ma.rows, ma.cols, mb.cols, g.data(), y.data(), ga.data());
                       return ga;
                     }),
            grad_for(in[1], [&] {  // ∂/∂B = Aᵀ·G  (k×m · m×n)
              Tensor gb = detail::empty_tensor(y.shape());
              gemm(true, false, mb.rows, mb.cols, ma.rows, x.data(), g.data(), gb.data());
              return gb;
            })};
  });
}

namespace {

// x·w + b, evaluated. The bias goes into every row first: one row copied, then the filled rows
// copied onto the next ones, doubling each time — log₂(rows) copies instead of one per row (a
// small layer's rows are shorter than a copy call's own cost); then one GEMM with β = 1 adds
// the product.
Tensor affine(const Value& x, const Value& w, const Value& b) {
  Tensor out = detail::empty_tensor(linear_shape(x.shape(), w.shape(), b.shape()));
  const Mat mx = left(x.shape());
  const std::size_t n = w.shape()[1];
  double* o = out.data();
  const std::size_t total = mx.rows * n;
  if (n == 1) {  // one output per row (the lab's last layer): a fill, no copy calls
    std::fill_n(o, total, b.data()(0));
  } else {
    std::copy_n(b.data().data(), std::min(n, total), o);
    for (std::size_t filled = n; filled < total; filled *= 2) {
      std::copy_n(o, std::min(filled, total - filled), o + filled);
    }
  }
  gemm(false, false, mx.rows, n, mx.cols, x.data().data(), w.data().data(), out.data(), 1.0);
  return out;
}

// The gradients of x·w + b for the gradient `g` of its result.
Grads affine_grads(const Tensor& g, Inputs in) {
  const Tensor& xs = in[0].data();
  const Tensor& ws = in[1].data();
  const Mat mx = left(xs.shape());
  const std::size_t n = ws.shape()[1];
  return {grad_for(in[0],
                   [&] {  // ∂/∂x = G·wᵀ  (m×n · n×k)
                     Tensor gx = detail::empty_tensor(xs.shape());
                     gemm(false, true, mx.rows, mx.cols, n, g.data(), ws.data(), gx.data());
                     return gx;
                   }),
          grad_for(in[1],
                   [&] {  // ∂/∂w = xᵀ·G  (k×m · m×n)
                     Tensor gw = detail::empty_tensor(ws.shape());
                     gemm(true, false, mx.cols, n, mx.rows, xs.data(), g.data(), gw.data());
                     return gw;
                   }),
          grad_for(in[2], [&] { return detail::sum_to(g, in[2].shape()); })};  // ∂/∂b = Σ_rows G
}

}  // namespace

Value linear(const Value& x, const Value& w, const Value& b) {
  return record_op("linear", affine(x, w, b), {x, w, b},
                   [](const Tensor& g, const Tensor&, Inputs in) -> Grads { return affine_grads(g, in); });
}

Value linear_sigmoid(const Value& x, const Value& w, const Value& b) {
  detail::SigmoidParts parts = detail::sigmoid_parts(affine(x, w, b), will_record({x, w, b}));
  return record_op("linear_sigmoid", std::move(parts.value), {x, w, b},
                   [ds = std::move(parts.derivative)](Tensor&& g, const Tensor&, Inputs in) -> Grads {
                     detail::zip_into(g, ds, std::multiplies<>{});  // ∂/∂z = G·σ'(z), then as linear
                     return affine_grads(g, in);
                   });
}

}  // namespace xgrad
