// Vectorised elementwise kernels. The exponential is the expensive part of a sigmoid layer:
// glibc's vector exp (libmvec) computes four doubles per call on AVX2, several times faster
// than one std::exp per element. It is chosen at run time, so the library runs on any x86-64.
#include <xgrad/kernels.hpp>

#include <cmath>

#if defined(XGRAD_USE_LIBMVEC) && defined(__x86_64__)  // set by the build when libmvec is found
#include <immintrin.h>
#define XGRAD_HAVE_LIBMVEC 1
extern "C" __m256d _ZGVdN4v_exp(__m256d x);  // libmvec's AVX2 exp (x86-64 vector function ABI)
#endif

namespace xgrad {

namespace {

void exp_scalar(const double* x, double* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = std::exp(x[i]);
  }
}

#ifdef XGRAD_HAVE_LIBMVEC
__attribute__((target("avx2,fma"))) void exp_avx2(const double* x, double* y, std::size_t n) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    _mm256_storeu_pd(y + i, _ZGVdN4v_exp(_mm256_loadu_pd(x + i)));
  }
  if (i < n) {  // the tail goes through the same vector routine, so every element rounds alike
    alignas(32) double in[4] = {0.0, 0.0, 0.0, 0.0};
    alignas(32) double out[4];
    for (std::size_t k = i; k < n; ++k) {
      in[k - i] = x[k];
    }
    _mm256_store_pd(out, _ZGVdN4v_exp(_mm256_load_pd(in)));
    for (std::size_t k = i; k < n; ++k) {
      y[k] = out[k - i];
    }
  }
}

__attribute__((target("avx2,fma"))) double exp_one_avx2(double x) {
  return _mm256_cvtsd_f64(_ZGVdN4v_exp(_mm256_set1_pd(x)));
}

bool cpu_has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#endif

}  // namespace

void vexp(const double* x, double* y, std::size_t n) {
#ifdef XGRAD_HAVE_LIBMVEC
  static const bool avx2 = cpu_has_avx2();
  if (avx2) {
    if (n == 1) {  // a 0-d value's: one register, without the tail's copies
      *y = exp_one_avx2(*x);
    } else {
      exp_avx2(x, y, n);
    }
    return;
  }
#endif
  exp_scalar(x, y, n);
}

namespace {

// σ(x) into y and, when dydx is not null, σ'(x) = σ(x)·σ(−x) into dydx: e = e^−|x| (never
// overflows), then 1/(1 + e) or e/(1 + e) by sign, one division for either, and e/(1 + e)².
inline void sigmoid_body(const double* x, double* y, double* dydx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = -std::abs(x[i]);
  }
  vexp(y, y, n);
  if (dydx == nullptr) {
    // e·r for x < 0, r otherwise, as an exact sum (one term is 0·finite = +0). Written as a
    // choice between e·r and r (or between 0.0 and 1.0), GCC 12 kept this loop scalar with a
    // branch per element ("control flow in loop"): the product may not be computed on the side
    // that does not need it, as it could raise a floating-point flag. This form vectorises.
    for (std::size_t i = 0; i < n; ++i) {
      const double e = y[i];
      const double r = 1.0 / (1.0 + e);
      const bool negative = x[i] < 0.0;
      y[i] = negative * (e * r) + !negative * r;
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double r = 1.0 / (1.0 + y[i]);
    const double er = y[i] * r;  // σ(−|x|)
    y[i] = x[i] >= 0.0 ? r : er;
    dydx[i] = er * r;  // σ(|x|)·σ(−|x|) = σ(x)·σ(−x)
  }
}

void sigmoid_baseline(const double* x, double* y, double* dydx, std::size_t n) { sigmoid_body(x, y, dydx, n); }

#ifdef XGRAD_HAVE_LIBMVEC
// The same loops compiled for AVX2, chosen with the AVX2 exp: four doubles per instruction
// instead of two, which halves the time of the passes around the exponential (they took longer
// than the exponential itself). No FMA contraction (ISO C++ mode), so both variants give the
// same bits.
__attribute__((target("avx2,fma"))) void sigmoid_avx2(const double* x, double* y, double* dydx, std::size_t n) {
  sigmoid_body(x, y, dydx, n);
}
#endif

#ifdef XGRAD_HAVE_LIBMVEC
// One element, as a 0-d value's sigmoid asks for: the vector exponential on one register, with
// no loop around it. Through sigmoid_avx2, the loops' set-up and the exponential's tail copies
// took four times the instructions of the exponential itself (benchmarks.md). The same
// arithmetic as sigmoid_body, so an element gets the same bits either way.
__attribute__((target("avx2,fma"))) void sigmoid_one_avx2(double x, double* y, double* dydx) {
  const double e = exp_one_avx2(-std::abs(x));
  const double r = 1.0 / (1.0 + e);
  if (dydx == nullptr) {
    const bool negative = x < 0.0;
    *y = negative * (e * r) + !negative * r;
    return;
  }
  const double er = e * r;
  *y = x >= 0.0 ? r : er;
  *dydx = er * r;
}
#endif

void sigmoid_dispatch(const double* x, double* y, double* dydx, std::size_t n) {
#ifdef XGRAD_HAVE_LIBMVEC
  static const bool avx2 = cpu_has_avx2();
  if (avx2) {
    if (n == 1) {
      sigmoid_one_avx2(*x, y, dydx);
    } else {
      sigmoid_avx2(x, y, dydx, n);
    }
    return;
  }
#endif
  sigmoid_baseline(x, y, dydx, n);
}

}  // namespace

void vsigmoid(const double* x, double* y, std::size_t n) { sigmoid_dispatch(x, y, nullptr, n); }

void vsigmoid(const double* x, double* y, double* dydx, std::size_t n) { sigmoid_dispatch(x, y, dydx, n); }

}  // namespace xgrad
