// custom_op — a new primitive, softsign, defined outside xgrad and checked by gradcheck.
//
// Run:  build/<preset>/examples/custom_op
//
// Output:
//   x = -3, 0, 1
//   softsign(x):           -0.75  0  0.5
//   d/dx sum(softsign(x)):  0.0625  1  0.25
//
//   softsign(x):          gradcheck passed: 5 elements; worst input 0 at (2): analytic 0.03213373694 vs numeric
//                           0.03213370481 (|diff| 3.213325624e-08, allowed 4.213370481e-05)
//   softsign(x * w) + w:  gradcheck passed: 10 elements; worst input 0 at (2): analytic 0.06426747388 vs numeric
//                           0.06426734533 (|diff| 1.285484256e-07, allowed 7.426734533e-05)
//   softsign_wrong(x):    gradcheck FAILED: input 0 at (0): analytic -0.2612414201 vs numeric -0.07464040575
//                           (|diff| 0.1866010143, allowed 8.464040575e-05) among 5 elements
//   (long lines wrapped here)
#include <xgrad/xgrad.hpp>

#include <xtensor/xmath.hpp>

#include <iostream>
#include <vector>

using xgrad::Grads;
using xgrad::Inputs;
using xgrad::Tensor;
using xgrad::Value;

// 1. The op. softsign(x) = x / (1 + |x|), a smooth squashing function like tanh.
//    Its derivative: d/dx softsign(x) = 1 / (1 + |x|)².
//
//    A primitive is one function: compute the output (an evaluated Tensor), then record it with
//    its backward step right below. The step receives the gradient of the output g, the output
//    itself and the inputs, and returns one gradient per input: here g · 1/(1 + |x|)².
Value softsign(const Value& x) {
  Tensor out = x.data() / (1.0 + xt::abs(x.data()));
  return xgrad::record_op("softsign", std::move(out), {x}, [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
    return {g / xt::square(1.0 + xt::abs(in[0].data()))};  // ∂/∂x = 1/(1 + |x|)²
  });
}

// The same op with a classic slip in its backward step: the square is missing.
Value softsign_wrong(const Value& x) {
  Tensor out = x.data() / (1.0 + xt::abs(x.data()));
  return xgrad::record_op("softsign", std::move(out), {x}, [](const Tensor& g, const Tensor&, Inputs in) -> Grads {
    return {g / (1.0 + xt::abs(in[0].data()))};  // wrong: should be divided by (1 + |x|)²
  });
}

int main() {
  // 2. It works like any built-in op: it records a node and backward runs through it.
  Value x = Value(Tensor{-3.0, 0.0, 1.0}).set_requires_grad();
  Value s = softsign(x);
  Value y = xgrad::sum(s);
  y.backward();
  std::cout << "x = -3, 0, 1\nsoftsign(x):         ";
  for (double v : s.data()) {
    std::cout << "  " << v;
  }
  std::cout << "\nd/dx sum(softsign(x)):";
  for (double g : x.grad()) {
    std::cout << "  " << g;
  }
  std::cout << "\n\n";

  // 3. gradcheck compares the backward step with central finite differences. It accepts any
  //    function of Values, so check the op alone and inside a larger expression too.
  const Tensor point{-2.5, -0.4, 0.0, 0.7, 3.0};
  const xgrad::GradcheckReport alone =
      xgrad::gradcheck([](const std::vector<Value>& in) { return softsign(in[0]); }, {point});
  std::cout << "softsign(x):          " << alone << "\n";
  const xgrad::GradcheckReport inside =
      xgrad::gradcheck([](const std::vector<Value>& in) { return softsign(in[0] * in[1]) + in[1]; },
                       {point, Tensor{0.5, -1.0, 2.0, 1.5, -0.2}});
  std::cout << "softsign(x * w) + w:  " << inside << "\n";

  // 4. And it catches a wrong derivative, naming the element where it is worst.
  const xgrad::GradcheckReport bad =
      xgrad::gradcheck([](const std::vector<Value>& in) { return softsign_wrong(in[0]); }, {point});
  std::cout << "softsign_wrong(x):    " << bad << "\n";

  // The program fails if gradcheck did not tell the right op from the wrong one.
  return alone.ok && inside.ok && !bad.ok ? 0 : 1;
}
