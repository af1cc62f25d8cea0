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
    exp_avx2(x, y, n);
    return;
  }
#endif
  exp_scalar(x, y, n);
}

void vsigmoid(const double* x, double* y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = -std::abs(x[i]);
  }
  vexp(y, y, n);  // e = e^−|x| ≤ 1: never overflows
  for (std::size_t i = 0; i < n; ++i) {
    const double r = 1.0 / (1.0 + y[i]);
    y[i] = x[i] >= 0.0 ? r : y[i] * r;  // one division for either sign
  }
}

void vsigmoid(const double* x, double* y, double* dydx, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    y[i] = -std::abs(x[i]);
  }
  vexp(y, y, n);
  for (std::size_t i = 0; i < n; ++i) {
    const double e = y[i];
    const double r = 1.0 / (1.0 + e);
    const double er = e * r;  // σ(−|x|)
    y[i] = x[i] >= 0.0 ? r : er;
    dydx[i] = er * r;  // σ(|x|)·σ(−|x|) = σ(x)·σ(−x)
  }
}

}  // namespace xgrad
