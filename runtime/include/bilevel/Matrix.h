//===- bilevel/Matrix.h - A plain row-major matrix ----------------------===//
//
// The runtime's only container for 2-D data: a row count, a column count and
// a contiguous row-major std::vector. It deliberately has no arithmetic; the
// heavy lifting goes through blrt_gemm_* and plain loops.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_MATRIX_H
#define BILEVEL_MATRIX_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bilevel::rt {

/// A row-major [rows, cols] matrix; element (i, j) is data[i * cols + j].
template <class T> struct Matrix {
  int64_t rows = 0, cols = 0;
  std::vector<T> data;

  Matrix() = default;
  /// A [rows, cols] matrix with every element set to \p fill.
  Matrix(int64_t rows, int64_t cols, T fill = T())
      : rows(rows), cols(cols), data(std::size_t(rows * cols), fill) {}

  /// The number of elements, rows * cols.
  int64_t size() const { return rows * cols; }

  /// A pointer to the first element of row \p i.
  T *row(int64_t i) { return data.data() + i * cols; }
  const T *row(int64_t i) const { return data.data() + i * cols; }

  T &operator()(int64_t i, int64_t j) {
    return data[std::size_t(i * cols + j)];
  }
  const T &operator()(int64_t i, int64_t j) const {
    return data[std::size_t(i * cols + j)];
  }
};

} // namespace bilevel::rt

#endif // BILEVEL_MATRIX_H
