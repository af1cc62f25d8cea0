// value_basics — one scalar expression: its values going forward, its gradients coming back.
//
// Run:  build/<preset>/examples/value_basics
//
// Output:
//   forward:  u = 6, v = 5, y = 23
//   backward: dy/da = 29 (by hand: 29), dy/db = 12 (by hand: 12)
//
//   Value(label=a, data=2, grad=29)
//   Value(label=b, data=-1, grad=12)
//   Value(label=x, data=3)
#include <xgrad/xgrad.hpp>

#include <iostream>

using xgrad::Value;

int main() {
  // 1. Leaves. A Value holds a number (a 0-d tensor). Parameters, the numbers we want
  //    gradients for, are marked with set_requires_grad(); plain data is left as it is.
  Value x = Value(3.0).set_label("x");                       // data: no gradient wanted
  Value a = Value(2.0).set_requires_grad().set_label("a");   // parameter
  Value b = Value(-1.0).set_requires_grad().set_label("b");  // parameter

  // 2. Forward. Each operation computes its result at once (define-by-run) and, because a
  //    parameter takes part, also records a graph node that knows how to differentiate it.
  //    Note that `a` is used twice: in u, and again in the last term.
  Value u = a * x;                // 2 · 3        = 6
  Value v = u + b;                // 6 + (−1)     = 5
  Value y = pow(v, 2.0) + a * b;  // 5² + 2·(−1)  = 23
  std::cout << "forward:  u = " << u.item() << ", v = " << v.item() << ", y = " << y.item() << "\n";

  // 3. Backward. y.backward() seeds ∂y/∂y = 1 and applies the chain rule through every
  //    recorded node, from y back to the leaves. A leaf used twice receives the sum of both
  //    contributions.
  y.backward();

  // 4. The gradients, next to the ones derived by hand for y = (a·x + b)² + a·b:
  //      ∂y/∂a = 2(a·x + b)·x + b = 2·5·3 − 1 = 29
  //      ∂y/∂b = 2(a·x + b) + a   = 2·5 + 2   = 12
  std::cout << "backward: dy/da = " << a.grad()() << " (by hand: 29), dy/db = " << b.grad()() << " (by hand: 12)\n";

  // 5. `x` is data, so no gradient flowed into it. Printing a Value shows its data and, once
  //    it has one, its gradient.
  std::cout << "\n" << a << "\n" << b << "\n" << x << "\n";
}
