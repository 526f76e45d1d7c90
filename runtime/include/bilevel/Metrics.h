//===- bilevel/Metrics.h - Losses and accuracy of a batch ---------------===//
//
// The loss conventions every part of Bilevel shares, evaluated on network
// outputs z [n, k] against targets y [n, k]: mean squared error
// l = 1/2 |z - y|^2 per sample, and softmax cross-entropy
// l = -sum_j y_j log softmax(z)_j computed with a stable log-sum-exp. Both
// are averaged over the batch. Accuracy compares argmax(z) with the label.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_METRICS_H
#define BILEVEL_METRICS_H

#include "bilevel/abi.h"

#include <cstdint>

namespace bilevel::rt {

/// The loss of \p loss (enum blrt_loss) summed over the n rows of z and y
/// (both [n, k]); divide by n for the batch mean. Instantiated for float and
/// double.
template <class T>
double sumLoss(int32_t loss, const T *z, const T *y, int64_t n, int64_t k);

/// The mean loss over the n rows; 0 when n == 0.
template <class T>
double meanLoss(int32_t loss, const T *z, const T *y, int64_t n, int64_t k) {
  return n > 0 ? sumLoss(loss, z, y, n, k) / double(n) : 0.0;
}

/// How many rows i have argmax_j z[i, j] == labels[i] (first maximum wins).
template <class T>
int64_t countCorrect(const T *z, const int32_t *labels, int64_t n, int64_t k);

} // namespace bilevel::rt

#endif // BILEVEL_METRICS_H
