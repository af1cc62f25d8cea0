#pragma once
// Internal: the sigmoid's forward pass, shared by `sigmoid` (unary.cpp) and `linear_sigmoid`
// (linalg.cpp).

#include <xgrad/tensor.hpp>

namespace xgrad::detail {

// σ(z), and — when `with_derivative` — σ'(z) = σ(z)·σ(−z) written in the same pass from the
// same exponential (vsigmoid), for a backward step that is then one multiplication. Without it,
// `derivative` is left empty, of shape (0): no buffer. (1 − σ(z) would cancel for large z;
// σ(z)·σ(−z) does not.)
struct SigmoidParts {
  Tensor value;
  Tensor derivative;
};
SigmoidParts sigmoid_parts(const Tensor& z, bool with_derivative);

}  // namespace xgrad::detail
