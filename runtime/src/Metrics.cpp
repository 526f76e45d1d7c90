//===- Metrics.cpp - Batch losses and accuracy --------------------------===//
//
// Implements bilevel/Metrics.h in double accumulation whatever the stored
// precision, so that reported losses do not depend on the batch order.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Metrics.h"
#include "bilevel/Error.h"

#include <algorithm>
#include <cmath>

namespace bilevel::rt {

namespace {

/// -sum_j y_j log softmax(z)_j for one row, via a shifted log-sum-exp.
template <class T> double crossEntropy(const T *z, const T *y, int64_t k) {
  double top = z[0];
  for (int64_t j = 1; j < k; ++j)
    top = std::max(top, double(z[j]));
  double sum = 0;
  for (int64_t j = 0; j < k; ++j)
    sum += std::exp(double(z[j]) - top);
  double logSumExp = top + std::log(sum);
  double loss = 0;
  for (int64_t j = 0; j < k; ++j)
    if (y[j] != T(0))
      loss -= double(y[j]) * (double(z[j]) - logSumExp);
  return loss;
}

} // namespace

template <class T>
double sumLoss(int32_t loss, const T *z, const T *y, int64_t n, int64_t k) {
  double total = 0;
  if (loss == BLRT_LOSS_MSE) {
    for (int64_t i = 0; i < n * k; ++i) {
      double d = double(z[i]) - double(y[i]);
      total += 0.5 * d * d;
    }
  } else if (loss == BLRT_LOSS_SOFTMAX_CE) {
    if (k <= 0)
      return 0;
    for (int64_t i = 0; i < n; ++i)
      total += crossEntropy(z + i * k, y + i * k, k);
  } else {
    throw Error("loss", "unknown blrt_loss " + std::to_string(loss));
  }
  return total;
}

template <class T>
int64_t countCorrect(const T *z, const int32_t *labels, int64_t n, int64_t k) {
  int64_t correct = 0;
  for (int64_t i = 0; i < n; ++i) {
    const T *row = z + i * k;
    int64_t best = std::max_element(row, row + k) - row;
    correct += best == labels[i];
  }
  return correct;
}

template double sumLoss<float>(int32_t, const float *, const float *, int64_t,
                               int64_t);
template double sumLoss<double>(int32_t, const double *, const double *,
                                int64_t, int64_t);
template int64_t countCorrect<float>(const float *, const int32_t *, int64_t,
                                     int64_t);
template int64_t countCorrect<double>(const double *, const int32_t *, int64_t,
                                      int64_t);

} // namespace bilevel::rt
