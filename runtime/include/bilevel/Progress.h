//===- bilevel/Progress.h - Training progress on stderr -----------------===//
//
// Shows how training proceeds. On a terminal a live bar is redrawn in place
// (at most ten times a second) while an epoch runs; otherwise, and at the end
// of every epoch, one plain line is printed, for example
// "epoch 2/5  loss 0.3412  train 87.1%  test 86.0%  41230 samples/s  1.5 s".
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_PROGRESS_H
#define BILEVEL_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace bilevel::rt {

struct EpochRecord;

/// Formats the one-line summary of an epoch (no trailing newline).
std::string formatEpochLine(const EpochRecord &record, int64_t epochs);

/// Prints training progress to a stream (stderr by default).
class Progress {
public:
  /// \p live selects the redrawn bar; by default it is on exactly when
  /// \p out is a terminal. A quiet Progress prints nothing.
  Progress(int64_t epochs, int64_t batchesPerEpoch, bool quiet,
           std::FILE *out = stderr, int live = -1);

  /// Reports that \p batch batches of the current epoch are done, with the
  /// running mean loss so far.
  void update(int64_t epoch, int64_t batch, double runningLoss);

  /// Clears the live bar and prints the epoch's summary line.
  void finishEpoch(const EpochRecord &record);

private:
  int64_t epochs, batches;
  bool quiet, live;
  std::FILE *out;
  std::chrono::steady_clock::time_point lastDraw;
};

} // namespace bilevel::rt

#endif // BILEVEL_PROGRESS_H
