//===- bilevel/Train.h - The training loop ------------------------------===//
//
// Trains a generated model (a blrt_model) on a DataSplit: seeded
// initialisation, a shuffled pass over the training set per epoch in
// contiguous batches, the model's gradient, an optimiser step, and an
// evaluation. Optionally writes a run folder: metrics.csv (one row per epoch,
// flushed as it goes), params.npz (atomically, after each epoch) and the
// spec text as spec.bl.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_TRAIN_H
#define BILEVEL_TRAIN_H

#include "bilevel/Data.h"
#include "bilevel/abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace bilevel::rt {

/// How to train.
struct TrainOptions {
  enum class Optimizer { Sgd, Adam };

  int64_t batch = 64, epochs = 5;
  Optimizer optimizer = Optimizer::Adam;
  double learningRate = 1e-3, momentum = 0.9; ///< momentum: SGD only.
  uint64_t seed = 1;
  int64_t evalEvery = 1; ///< Evaluate the test set every this many epochs
                         ///< (and always after the last one).
  std::string runDir;    ///< Empty: write nothing.
  bool quiet = false;    ///< No progress output.
  std::string specText;  ///< Copied into runDir/spec.bl when not empty.
};

/// What one epoch achieved. Accuracies are fractions in [0, 1]; they are NaN
/// for regression data, and test values are NaN in epochs not evaluated.
struct EpochRecord {
  int64_t epoch = 0; ///< 1-based.
  double trainLoss = 0, trainAccuracy = 0, testLoss = 0, testAccuracy = 0;
  double seconds = 0, samplesPerSecond = 0;
  double residual = 0; ///< Mean final inference residual of the batches.
};

/// The history and the final parameters (converted to double).
struct TrainResult {
  std::vector<EpochRecord> epochs;
  std::vector<std::vector<double>> params;
};

/// Loss and accuracy of a model on a data set.
struct Evaluation {
  double loss = 0;
  double accuracy = 0; ///< NaN when the data set has no labels.
};

/// Trains \p model (precision 4 or 8) on \p data; throws Error on bad
/// options, a model that does not fit the data, or run-folder I/O failures.
TrainResult train(const blrt_model &model, const DataSplit &data,
                  const TrainOptions &options);

/// Evaluates \p model with \p params (laid out like model.params; converted
/// when T is not the model's precision) on \p data through model.predict,
/// in chunks. Instantiated for float and double.
template <class T>
Evaluation evaluate(const blrt_model &model,
                    const std::vector<std::vector<T>> &params,
                    const Dataset &data);

/// The metrics.csv header line (no newline).
inline constexpr const char *kMetricsHeader =
    "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds,"
    "samples_per_second,residual";

} // namespace bilevel::rt

#endif // BILEVEL_TRAIN_H
