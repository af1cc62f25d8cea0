#include <iostream>
#include <xgrad/xgrad.hpp>
int main() {
  using namespace xgrad;
  Value a{-4.0};
  a.set_requires_grad();
  Value b{2.0};
  b.set_requires_grad();
  Value c = a + b;
  Value d = a * b + pow(b, 3.0);
  std::cout << c << "\n" << d << "\n";
  d.backward();
  std::cout << a << "\n" << b << "\n";
}
