//===- bilevel/Data.h - Data sets and their loaders ---------------------===//
//
// Loads training data into the layout the generated trainers consume: inputs
// x as a float [n, d] matrix, targets y as a float [n, k] matrix (one-hot
// rows for classification) and the integer labels behind them. Sources are
// IDX files (plain or gzip, the Fashion-MNIST distribution format) and NumPy
// .npz archives.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_DATA_H
#define BILEVEL_DATA_H

#include "bilevel/Matrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bilevel::rt {

/// One set of samples. Row i of x, y and labels[i] describe sample i.
struct Dataset {
  Matrix<float> x;             ///< Inputs, [n, d].
  Matrix<float> y;             ///< Targets, [n, k]; one-hot rows if labelled.
  std::vector<int32_t> labels; ///< Class of each sample, -1 for regression.
  int64_t numClasses = 0;      ///< 0 for regression targets.

  /// The number of samples.
  int64_t size() const { return x.rows; }
};

/// A train/test pair and a one-line description of where it came from.
struct DataSplit {
  Dataset train, test;
  std::string description;
};

/// The folder that `apt-get install dataset-fashion-mnist` fills.
inline constexpr const char *kFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";

/// Reads an IDX image file (magic 0x00000803, unsigned bytes, [n, r, c]),
/// gzip-compressed or plain, into an [n, r * c] matrix scaled to [0, 1].
Matrix<float> readIdxImages(const std::string &path);

/// Reads an IDX label file (magic 0x00000801, unsigned bytes, [n]).
std::vector<int32_t> readIdxLabels(const std::string &path);

/// Builds a classification data set; y becomes the one-hot encoding of
/// \p labels over \p numClasses classes. Throws Error (naming \p where) if a
/// label is out of range or the counts differ.
Dataset makeClassification(Matrix<float> x, std::vector<int32_t> labels,
                           int64_t numClasses, const std::string &where);

/// Loads the four Fashion-MNIST IDX files (train-images-idx3-ubyte.gz, ...)
/// from \p dir, with or without the .gz suffix.
DataSplit loadFashionMnist(const std::string &dir = kFashionMnistDir);

/// Loads a data set named by \p nameOrPath: "fashion_mnist" (the default
/// folder), a folder holding the four IDX(.gz) files, or a .npz archive with
/// keys x_train, y_train, x_test, y_test (y integer labels [n] or real
/// targets [n, k]; uint8 inputs are scaled to [0, 1]). When \p limit >= 0,
/// keeps only the first \p limit rows of the train and of the test set.
DataSplit loadDataset(const std::string &nameOrPath, int64_t limit = -1);

/// The first min(n, size) samples of \p data.
Dataset firstRows(const Dataset &data, int64_t n);

} // namespace bilevel::rt

#endif // BILEVEL_DATA_H
