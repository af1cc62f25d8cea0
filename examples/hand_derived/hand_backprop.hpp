#pragma once
// The lab's network with its gradients derived by hand, exactly as the lab reports do it:
// forward through three sigmoid layers, then the deltas of report 001 backwards. No graph, no
// autograd: this is the reference the autograd gradients are compared against, and the
// baseline a graph-recording framework is measured against — so it is written as plain,
// fast C++: buffers allocated once and reused, matrix products as BLAS GEMM calls with
// transpose flags, each elementwise formula one fused loop, and the sigmoid's exponential the
// same vectorised kernel as xgrad's (xgrad::vsigmoid).

#include <xgrad/tensor.hpp>

#include <cstddef>
#include <vector>

namespace lab {

using xgrad::Tensor;

// 2 → h1 → h2 → 1, sigmoid after every layer; W laid out (in, out) as in the reports.
struct Network {
  Tensor w1, b1, w2, b2, w3, b3;
};

// ∂L/∂θ for every parameter θ of Network, and the loss L = ½·mean((ŷ − y)²).
struct Gradients {
  double loss = 0.0;
  Tensor w1, b1, w2, b2, w3, b3;
};

// One forward and backward pass on inputs x (n, 2) and labels y (n, 1):
//   z₁ = xW₁ + b₁, a₁ = σ(z₁);  z₂ = a₁W₂ + b₂, a₂ = σ(z₂);  z₃ = a₂W₃ + b₃, ŷ = σ(z₃)
//   δ₃ = (ŷ − y) ⊙ σ'(z₃),  δ₂ = (δ₃W₃ᵀ) ⊙ σ'(z₂),  δ₁ = (δ₂W₂ᵀ) ⊙ σ'(z₁)
//   ∂W₃ = a₂ᵀδ₃/n, ∂b₃ = Σδ₃/n, and so on down, with σ'(z) = σ(z)(1 − σ(z)).
//
// A Backprop keeps every intermediate buffer (activations, deltas, gradients) between calls,
// so a training loop allocates nothing after the first step. The buffers are resized if the
// batch or the network changes shape.
class Backprop {
 public:
  Backprop() = default;
  // The gradients of `net` on (x, y); the reference stays valid until the next call.
  const Gradients& operator()(const Network& net, const Tensor& x, const Tensor& y);

 private:
  std::vector<double> z_;  // x·W + b of the layer being computed
  Tensor a1_, a2_, y_hat_, d1_, d2_, d3_;
  Gradients g_;
};

// The same, with fresh buffers: for one-off comparisons.
Gradients backprop(const Network& net, const Tensor& x, const Tensor& y);

// θ ← θ − lr·∂θ for every parameter, in place.
void sgd_step(Network& net, const Gradients& g, double lr);

}  // namespace lab
