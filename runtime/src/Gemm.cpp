//===- Gemm.cpp - blrt_gemm_f32 and blrt_gemm_f64 -----------------------===//
//
// The matrix product behind every dense layer of generated code, the hot
// path of training. Row-major operands with arbitrary row strides are viewed
// through Eigen maps without copying, and Eigen's blocked GEMM does the work.
// beta == 0 overwrites C without reading it, so C may hold garbage or NaN.
//
//===----------------------------------------------------------------------===//
#include "bilevel/abi.h"

#include <Eigen/Core>

namespace {

template <class T>
using RowMajor =
    Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ConstView = Eigen::Map<const RowMajor<T>, 0, Eigen::OuterStride<>>;
template <class T>
using View = Eigen::Map<RowMajor<T>, 0, Eigen::OuterStride<>>;

/// C = alpha * opA * opB + beta * C for already-transposed operand views.
template <class T, class OpA, class OpB>
void multiply(const OpA &opA, const OpB &opB, T alpha, T beta, View<T> &c) {
  if (beta == T(0))
    c.noalias() = alpha * opA * opB;
  else if (beta == T(1))
    c.noalias() += alpha * opA * opB;
  else {
    c *= beta;
    c.noalias() += alpha * opA * opB;
  }
}

template <class T>
void gemm(int transA, int transB, int64_t m, int64_t n, int64_t k, T alpha,
          const T *a, int64_t lda, const T *b, int64_t ldb, T beta, T *c,
          int64_t ldc) {
  if (m <= 0 || n <= 0)
    return;
  View<T> cv(c, m, n, Eigen::OuterStride<>(ldc));

  // An empty inner dimension (or alpha == 0) leaves only the scaling of C.
  if (k <= 0 || alpha == T(0)) {
    if (beta == T(0))
      cv.setZero();
    else if (beta != T(1))
      cv *= beta;
    return;
  }

  // Stored A is [m, k], or [k, m] when transposed; likewise B.
  ConstView<T> av(a, transA ? k : m, transA ? m : k, Eigen::OuterStride<>(lda));
  ConstView<T> bv(b, transB ? n : k, transB ? k : n, Eigen::OuterStride<>(ldb));
  if (!transA && !transB)
    multiply(av, bv, alpha, beta, cv);
  else if (!transA)
    multiply(av, bv.transpose(), alpha, beta, cv);
  else if (!transB)
    multiply(av.transpose(), bv, alpha, beta, cv);
  else
    multiply(av.transpose(), bv.transpose(), alpha, beta, cv);
}

} // namespace

extern "C" void blrt_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n,
                              int64_t k, float alpha, const float *a,
                              int64_t lda, const float *b, int64_t ldb,
                              float beta, float *c, int64_t ldc) {
  gemm<float>(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

extern "C" void blrt_gemm_f64(int trans_a, int trans_b, int64_t m, int64_t n,
                              int64_t k, double alpha, const double *a,
                              int64_t lda, const double *b, int64_t ldb,
                              double beta, double *c, int64_t ldc) {
  gemm<double>(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
