// A program outside xgrad's source tree: it records a small graph through the installed (or
// added) library, runs backward and checks the gradients against hand-derived ones. Exit code 0
// means the package works: headers, compile definitions, and every library it links (BLAS too).
#include <xgrad/xgrad.hpp>

#include <cmath>
#include <cstdio>

// xgrad::Tensor's allocator depends on this definition; the exported target must carry it.
#ifndef XTENSOR_USE_XSIMD
#error "xgrad::autograd did not pass on its public XTENSOR_USE_XSIMD definition"
#endif

namespace {

int failures = 0;

void expect_near(const char* what, double got, double want) {
  const bool ok = std::abs(got - want) <= 1e-12 * (1.0 + std::abs(want));
  std::printf("%-12s %10.6f  (expected %10.6f)  %s\n", what, got, want, ok ? "ok" : "WRONG");
  failures += ok ? 0 : 1;
}

}  // namespace

int main() {
  using xgrad::Value;

  // Scalars: y = a·b + b³ at a = −4, b = 2, so ∂y/∂a = b = 2 and ∂y/∂b = a + 3b² = 8.
  Value a = Value(-4.0).set_requires_grad();
  Value b = Value(2.0).set_requires_grad();
  Value y = a * b + pow(b, 3.0);
  y.backward();
  expect_near("y", y.item(), 0.0);
  expect_near("dy/da", a.grad()(), 2.0);
  expect_near("dy/db", b.grad()(), 8.0);

  // A matrix product (runs on BLAS): L = Σ x·w, so ∂L/∂w[j] = Σᵢ x[i][j].
  Value x{{1.0, 2.0}, {3.0, 4.0}};
  Value w = Value(xgrad::Tensor{0.5, -1.0}).set_requires_grad();
  Value loss = xgrad::sum(xgrad::matmul(x, w));
  loss.backward();
  expect_near("L", loss.item(), -4.0);
  expect_near("dL/dw[0]", w.grad()(0), 4.0);
  expect_near("dL/dw[1]", w.grad()(1), 6.0);

  if (failures != 0) {
    std::printf("xgrad consumer: %d wrong\n", failures);
    return 1;
  }
  std::printf("xgrad consumer: ok\n");
  return 0;
}
