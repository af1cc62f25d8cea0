// The elementwise kernels behind exp and sigmoid: values against long-double references over
// both tails, every length around the four-wide vector step, and the two sigmoid entry points
// agreeing bit for bit.
#include <doctest/doctest.h>

#include <xgrad/kernels.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace {

// Relative error of `got` against `want`, with `want` never 0 here.
double rel_error(double got, long double want) {
  return static_cast<double>(std::fabs((static_cast<long double>(got) - want) / want));
}

// n inputs from −lo to +lo, in an order that mixes signs, so a vector holds both.
std::vector<double> inputs(std::size_t n, double lo) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = n == 1 ? 0.5 : static_cast<double>(i) / static_cast<double>(n - 1);
    x[i] = (i % 2 == 0 ? 1.0 : -1.0) * lo * t;
  }
  return x;
}

long double sigmoid_ref(double x) { return 1.0L / (1.0L + std::exp(-static_cast<long double>(x))); }

}  // namespace

TEST_CASE("kernels: vsigmoid matches 1/(1 + e^−x) to a few ulp at every length and in both tails") {
  for (std::size_t n : {0, 1, 2, 3, 4, 5, 7, 8, 9, 17, 210, 1001}) {
    for (double lo : {1.0, 30.0, 700.0}) {
      CAPTURE(n);
      CAPTURE(lo);
      const std::vector<double> x = inputs(n, lo);
      std::vector<double> y(n, -1.0);
      std::vector<double> y2(n, -1.0);
      std::vector<double> dydx(n, -1.0);
      xgrad::vsigmoid(x.data(), y.data(), n);
      xgrad::vsigmoid(x.data(), y2.data(), dydx.data(), n);
      for (std::size_t i = 0; i < n; ++i) {
        CAPTURE(x[i]);
        const long double s = sigmoid_ref(x[i]);
        CHECK(rel_error(y[i], s) <= 1e-15);
        // The two entry points give the same bits: inference and training see the same values.
        CHECK(y2[i] == y[i]);
        CHECK(rel_error(dydx[i], s * sigmoid_ref(-x[i])) <= 1e-15);
      }
    }
  }
}

TEST_CASE("kernels: vsigmoid of one element gives the bits it gives within a longer array") {
  // A 0-d value's sigmoid calls it with one element, a tensor's with many: the two must agree.
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> x = inputs(33, 700.0);
  x.insert(x.end(), {-inf, -0.0, 0.0, inf, 1e-300, -1e-300});
  std::vector<double> y(x.size());
  std::vector<double> y2(x.size());
  std::vector<double> dydx(x.size());
  xgrad::vsigmoid(x.data(), y.data(), x.size());
  xgrad::vsigmoid(x.data(), y2.data(), dydx.data(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    CAPTURE(x[i]);
    double one = -1.0;
    double one2 = -1.0;
    double one_dydx = -1.0;
    xgrad::vsigmoid(&x[i], &one, 1);
    xgrad::vsigmoid(&x[i], &one2, &one_dydx, 1);
    CHECK(one == y[i]);
    CHECK(one2 == y2[i]);
    CHECK(one_dydx == dydx[i]);
  }
}

TEST_CASE("kernels: vsigmoid is exact at the limits and at zero, NaN stays NaN") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> x = {-inf, -0.0, 0.0, inf, std::nan("")};
  std::vector<double> y(x.size());
  std::vector<double> dydx(x.size());
  xgrad::vsigmoid(x.data(), y.data(), x.size());
  CHECK(y[0] == 0.0);
  CHECK(y[1] == 0.5);
  CHECK(y[2] == 0.5);
  CHECK(y[3] == 1.0);
  CHECK(std::isnan(y[4]));
  xgrad::vsigmoid(x.data(), y.data(), dydx.data(), x.size());
  CHECK(y[0] == 0.0);
  CHECK(y[3] == 1.0);
  CHECK(dydx[0] == 0.0);
  CHECK(dydx[2] == 0.25);
  CHECK(dydx[3] == 0.0);
  CHECK(std::isnan(dydx[4]));
}

TEST_CASE("kernels: vexp matches e^x to a few ulp, in place or not") {
  for (std::size_t n : {1, 3, 4, 6, 33}) {
    CAPTURE(n);
    const std::vector<double> x = inputs(n, 700.0);
    std::vector<double> y(n);
    xgrad::vexp(x.data(), y.data(), n);
    std::vector<double> in_place = x;
    xgrad::vexp(in_place.data(), in_place.data(), n);
    for (std::size_t i = 0; i < n; ++i) {
      CAPTURE(x[i]);
      CHECK(rel_error(y[i], std::exp(static_cast<long double>(x[i]))) <= 1e-15);
      CHECK(in_place[i] == y[i]);
      double one = 0.0;
      xgrad::vexp(&x[i], &one, 1);  // a 0-d value's exp: the same bits as within the array
      CHECK(one == y[i]);
    }
  }
}
