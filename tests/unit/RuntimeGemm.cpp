//===- RuntimeGemm.cpp - blrt_gemm_* against a naive product ------------===//
//
// Checks the GEMM kernels for every transpose combination, padded leading
// dimensions, beta 0 (C garbage must be ignored), beta 1 and a general beta,
// in both precisions, against a triple loop in long double.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Rng.h"
#include "bilevel/abi.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using bilevel::rt::Rng;

namespace {

void gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha,
          const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
          float *c, int64_t ldc) {
  blrt_gemm_f32(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, double alpha,
          const double *a, int64_t lda, const double *b, int64_t ldb,
          double beta, double *c, int64_t ldc) {
  blrt_gemm_f64(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/// Runs one configuration and compares with the naive product.
template <class T>
void check(int ta, int tb, int64_t m, int64_t n, int64_t k, int64_t pad,
           T alpha, T beta, Rng &rng) {
  // Stored shapes; every leading dimension is padded by `pad`.
  int64_t aRows = ta ? k : m, aCols = ta ? m : k;
  int64_t bRows = tb ? n : k, bCols = tb ? k : n;
  int64_t lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
  std::vector<T> a(size_t(aRows * lda)), b(size_t(bRows * ldb)),
      c(size_t(m * ldc));
  for (T &v : a)
    v = T(rng.uniform() * 2 - 1);
  for (T &v : b)
    v = T(rng.uniform() * 2 - 1);
  for (T &v : c)
    v = beta == T(0) ? std::numeric_limits<T>::quiet_NaN()
                     : T(rng.uniform() * 2 - 1);
  std::vector<T> before = c;

  gemm(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(),
       ldc);

  T tolerance = std::is_same_v<T, float> ? T(1e-4) : T(1e-12);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < ldc; ++j) {
      T got = c[size_t(i * ldc + j)];
      if (j >= n) {
        // Padding between rows is never touched.
        bool same =
            (std::isnan(got) && std::isnan(before[size_t(i * ldc + j)])) ||
            got == before[size_t(i * ldc + j)];
        REQUIRE(same);
        continue;
      }
      long double sum = 0;
      for (int64_t p = 0; p < k; ++p) {
        T av = ta ? a[size_t(p * lda + i)] : a[size_t(i * lda + p)];
        T bv = tb ? b[size_t(j * ldb + p)] : b[size_t(p * ldb + j)];
        sum += (long double)av * bv;
      }
      long double want = alpha * sum;
      if (beta != T(0))
        want += (long double)beta * before[size_t(i * ldc + j)];
      INFO("ta=" << ta << " tb=" << tb << " m=" << m << " n=" << n << " k=" << k
                 << " pad=" << pad << " beta=" << beta);
      REQUIRE(std::abs(double(got - T(want))) <=
              tolerance * (1 + std::abs(double(want))) * std::sqrt(k + 1.0));
    }
  }
}

template <class T> void checkAll() {
  Rng rng(42);
  const int64_t sizes[][3] = {{1, 1, 1},    {3, 5, 7},     {17, 9, 33},
                              {64, 48, 80}, {130, 70, 65}, {5, 4, 0}};
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (const auto &s : sizes)
        for (int64_t pad : {0, 3})
          for (T beta : {T(0), T(1), T(-0.5)})
            check<T>(ta, tb, s[0], s[1], s[2], pad, T(1.5), beta, rng);
}

} // namespace

TEST_CASE("gemm f32 matches the naive product", "[runtime][gemm]") {
  checkAll<float>();
}

TEST_CASE("gemm f64 matches the naive product", "[runtime][gemm]") {
  checkAll<double>();
}

TEST_CASE("gemm with m or n zero touches nothing", "[runtime][gemm]") {
  double c = 7;
  double a = 1, b = 1;
  blrt_gemm_f64(0, 0, 0, 1, 1, 1.0, &a, 1, &b, 1, 0.0, &c, 1);
  blrt_gemm_f64(0, 0, 1, 0, 1, 1.0, &a, 1, &b, 1, 0.0, &c, 1);
  REQUIRE(c == 7);
}
