// matmul and its backward as BLAS GEMM calls. The transposes in the backward formulas are GEMM
// flags, never transposed copies.
#include <xgrad/ops/linalg.hpp>

#include <xgrad/op.hpp>

#include <cblas.h>

#include <string>

namespace xgrad {

namespace {

// A row-major matrix view of a 1-d or 2-d operand.
struct Mat {
  std::size_t rows, cols;
};

// C (m×n) = op(A)·op(B), with op(X) = X or Xᵀ; A, B, C row-major and contiguous.
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, const double* a, const double* b,
          double* c) {
  if (m == 0 || n == 0) {
    return;
  }
  if (k == 0) {
    std::fill(c, c + m * n, 0.0);  // an empty sum
    return;
  }
  const auto lda = static_cast<blasint>(trans_a ? m : k);
  const auto ldb = static_cast<blasint>(trans_b ? k : n);
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.0, a, lda, b, ldb, 0.0, c,
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

}  // namespace

Value matmul(const Value& a, const Value& b) {
  Tensor out = Tensor::from_shape(product_shape(a.shape(), b.shape()));
  const Mat ma = left(a.shape());
  const Mat mb = right(b.shape());
  gemm(false, false, ma.rows, mb.cols, ma.cols, a.data().data(), b.data().data(), out.data());
  return record_op("matmul", std::move(out), {a, b}, [ma, mb](const Tensor& g, const Tensor&, Inputs in) -> Grads {
    const Tensor& x = in[0].data();
    const Tensor& y = in[1].data();
    return {grad_for(in[0],
                     [&] {  // ∂/∂A = G·Bᵀ  (m×n · n×k)
                       Tensor ga = Tensor::from_shape(x.shape());
                       gemm(false, true, ma.rows, ma.cols, mb.cols, g.data(), y.data(), ga.data());
                       return ga;
                     }),
            grad_for(in[1], [&] {  // ∂/∂B = Aᵀ·G  (k×m · m×n)
              Tensor gb = Tensor::from_shape(y.shape());
              gemm(true, false, mb.rows, mb.cols, ma.rows, x.data(), g.data(), gb.data());
              return gb;
            })};
  });
}

}  // namespace xgrad
