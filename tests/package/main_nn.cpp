// The same check for xgrad::nn: a Linear layer built through the package, one backward pass,
// and its parameter gradients against the hand-derived ones. Exit code 0 means xgrad::nn works.
#include <xgrad/nn.hpp>

#include <cmath>
#include <cstdio>

int main() {
  // L = Σ (x·W + b) over a batch of two samples, so ∂L/∂W[i][0] = Σₙ x[n][i] and ∂L/∂b = 2,
  // whatever W and b start as.
  xgrad::Generator gen(7);
  xgrad::nn::Linear layer(2, 1, gen);
  xgrad::Value x{{1.0, 2.0}, {3.0, 4.0}};
  xgrad::Value loss = xgrad::sum(layer.forward(x));
  loss.backward();

  const double got[] = {layer.weight().grad()(0, 0), layer.weight().grad()(1, 0), layer.bias().grad()(0)};
  const double want[] = {4.0, 6.0, 2.0};
  int failures = 0;
  for (int i = 0; i < 3; ++i) {
    const bool ok = std::abs(got[i] - want[i]) <= 1e-12;
    std::printf("gradient %d: %g (expected %g) %s\n", i, got[i], want[i], ok ? "ok" : "WRONG");
    failures += ok ? 0 : 1;
  }
  if (failures != 0) {
    std::printf("xgrad::nn consumer: %d wrong\n", failures);
    return 1;
  }
  std::printf("xgrad::nn consumer: ok\n");
  return 0;
}
