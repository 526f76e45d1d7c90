//===- Train.cpp - The training loop ------------------------------------===//
//
// Implements bilevel/Train.h for both precisions. The model is opaque: the
// loop only gathers shuffled rows into contiguous batch buffers, calls the
// model's gradient and predict functions, and applies the optimiser. The
// data set is stored in float; double models get their rows converted while
// they are gathered.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Train.h"
#include "bilevel/Error.h"
#include "bilevel/Metrics.h"
#include "bilevel/Optim.h"
#include "bilevel/Params.h"
#include "bilevel/Progress.h"
#include "bilevel/Rng.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <numeric>
#include <type_traits>

namespace bilevel::rt {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Rows per predict call when evaluating.
constexpr int64_t kEvalChunk = 1024;

/// A 64-byte aligned scratch block for the model's workspace.
class Workspace {
public:
  explicit Workspace(int64_t bytes) {
    size_t size = size_t(std::max<int64_t>(bytes, 1) + 63) / 64 * 64;
    memory.reset(std::aligned_alloc(64, size));
    if (!memory)
      throw Error("workspace",
                  "cannot allocate " + std::to_string(size) + " bytes");
  }
  void *get() const { return memory.get(); }

private:
  struct Free {
    void operator()(void *p) const { std::free(p); }
  };
  std::unique_ptr<void, Free> memory;
};

/// Copies rows rows[0..n) of \p from into \p to (contiguous), converting.
template <class T>
void gatherRows(const Matrix<float> &from, const int64_t *rows, int64_t n,
                T *to) {
  int64_t cols = from.cols;
  for (int64_t i = 0; i < n; ++i) {
    const float *src = from.row(rows[i]);
    T *dst = to + i * cols;
    if constexpr (std::is_same_v<T, float>)
      std::memcpy(dst, src, size_t(cols) * sizeof(float));
    else
      for (int64_t j = 0; j < cols; ++j)
        dst[j] = T(src[j]);
  }
}

bool hasLabels(const Dataset &data) {
  return data.numClasses > 0 && !data.labels.empty() && data.labels[0] >= 0;
}

/// Checks that the data set's widths are the model's input and output sizes.
void checkFits(const blrt_model &model, const Dataset &data,
               const char *which) {
  std::string name =
      std::string("model '") + (model.method ? model.method : "?") + "'";
  if (data.size() == 0)
    return;
  if (data.x.cols != model.input_size)
    throw Error(name, "expects " + std::to_string(model.input_size) +
                          " inputs, the " + which + " set has " +
                          std::to_string(data.x.cols));
  if (data.y.cols != model.output_size)
    throw Error(name, "has " + std::to_string(model.output_size) +
                          " outputs, the " + which + " set's targets have " +
                          std::to_string(data.y.cols));
}

/// Loss and accuracy through predict, kEvalChunk rows at a time.
template <class T>
Evaluation evaluateWith(const blrt_model &model,
                        const std::vector<const void *> &params,
                        const Dataset &data, void *workspace) {
  int64_t n = data.size(), k = model.output_size;
  if (n == 0)
    return {kNaN, kNaN};
  int64_t chunk = std::min(n, kEvalChunk);
  std::vector<T> x(size_t(chunk * data.x.cols)), y(size_t(chunk * k)),
      z(size_t(chunk * k));
  std::vector<int64_t> rows(static_cast<size_t>(chunk));
  double loss = 0;
  int64_t correct = 0;
  bool labelled = hasLabels(data);
  for (int64_t start = 0; start < n; start += chunk) {
    int64_t m = std::min(chunk, n - start);
    std::iota(rows.begin(), rows.begin() + m, start);
    gatherRows(data.x, rows.data(), m, x.data());
    gatherRows(data.y, rows.data(), m, y.data());
    model.predict(params.data(), x.data(), m, z.data(), workspace);
    loss += sumLoss(model.loss, z.data(), y.data(), m, k);
    if (labelled)
      correct += countCorrect(z.data(), data.labels.data() + start, m, k);
  }
  return {loss / double(n), labelled ? double(correct) / double(n) : kNaN};
}

template <class T>
std::vector<const void *> pointers(const std::vector<std::vector<T>> &p) {
  std::vector<const void *> out;
  for (const auto &tensor : p)
    out.push_back(tensor.data());
  return out;
}

/// The run folder's files; all methods do nothing when runDir is empty.
class RunFolder {
public:
  explicit RunFolder(const TrainOptions &options) : dir(options.runDir) {
    if (dir.empty())
      return;
    std::error_code error;
    fs::create_directories(dir, error);
    if (error || !fs::is_directory(dir))
      throw Error(dir, "cannot create the run folder: " + error.message(),
                  "choose a writable location");
    if (!options.specText.empty())
      writeText(dir + "/spec.bl", options.specText);

    std::string path = dir + "/metrics.csv";
    metrics.reset(std::fopen(path.c_str(), "w"));
    if (!metrics)
      throw Error(path, std::string("cannot create: ") + std::strerror(errno));
    std::fprintf(metrics.get(), "%s\n", kMetricsHeader);
    std::fflush(metrics.get());
  }

  /// Appends a row and flushes it, so an interrupted run keeps it.
  void record(const EpochRecord &r) {
    if (!metrics)
      return;
    std::fprintf(metrics.get(), "%lld,%.9g,%.9g,%.9g,%.9g,%.6g,%.6g,%.9g\n",
                 (long long)r.epoch, r.trainLoss, r.trainAccuracy, r.testLoss,
                 r.testAccuracy, r.seconds, r.samplesPerSecond, r.residual);
    if (std::fflush(metrics.get()) != 0)
      throw Error(dir + "/metrics.csv",
                  std::string("write failed: ") + std::strerror(errno));
  }

  template <class T>
  void saveParameters(const blrt_model &model,
                      const std::vector<std::vector<T>> &params) {
    if (!dir.empty())
      saveParams(dir + "/params.npz", model, params);
  }

private:
  static void writeText(const std::string &path, const std::string &text) {
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(
        std::fopen(path.c_str(), "w"), std::fclose);
    if (!file ||
        std::fwrite(text.data(), 1, text.size(), file.get()) != text.size())
      throw Error(path, std::string("cannot write: ") + std::strerror(errno));
  }

  struct Close {
    void operator()(std::FILE *f) const { std::fclose(f); }
  };
  std::string dir;
  std::unique_ptr<std::FILE, Close> metrics;
};

void checkOptions(const TrainOptions &options) {
  if (options.batch <= 0)
    throw Error("train", "batch size must be positive, got " +
                             std::to_string(options.batch));
  if (options.epochs < 0)
    throw Error("train", "epochs must not be negative");
  if (options.evalEvery <= 0)
    throw Error("train", "evalEvery must be positive");
  if (!(options.learningRate > 0))
    throw Error("train", "the learning rate must be positive");
}

template <class T>
std::unique_ptr<Optimizer<T>> makeOptimizer(const blrt_model &model,
                                            const TrainOptions &options) {
  if (options.optimizer == TrainOptions::Optimizer::Sgd)
    return std::make_unique<Sgd<T>>(paramSizes(model), options.learningRate,
                                    options.momentum);
  return std::make_unique<Adam<T>>(paramSizes(model), options.learningRate);
}

/// Running sums over the batches of one epoch.
struct EpochTotals {
  double loss = 0, residual = 0;
  int64_t correct = 0, samples = 0;
  int64_t scored = 0; ///< samples whose training accuracy was measured
};

/// Training accuracy is measured on one batch in this many: it needs an
/// extra forward pass, which on every batch would cost about a third of
/// back-propagation's throughput.
constexpr int64_t kAccuracyEvery = 8;

/// The state of one training run in precision T: parameters, gradients,
/// optimiser, scratch and batch buffers, all allocated once.
template <class T> class Trainer {
public:
  Trainer(const blrt_model &model, const DataSplit &data,
          const TrainOptions &options)
      : model(model), data(data), options(options), rng(options.seed),
        params(initParams<T>(model, rng)),
        optimizer(makeOptimizer<T>(model, options)),
        batch(std::min(options.batch, std::max<int64_t>(data.train.size(), 1))),
        workspace(std::max(model.workspace_bytes(batch),
                           model.workspace_bytes(kEvalChunk))),
        xb(size_t(batch * model.input_size)),
        yb(size_t(batch * model.output_size)),
        zb(size_t(batch * model.output_size)) {
    for (auto &p : params) {
      grads.emplace_back(p.size(), T(0));
      paramPtrs.push_back(p.data());
      gradConst.push_back(grads.back().data());
      gradVoid.push_back(grads.back().data());
    }
    paramVoid = pointers(params);
  }

  TrainResult run() {
    RunFolder folder(options);
    int64_t batches = (data.train.size() + batch - 1) / batch;
    Progress progress(options.epochs, batches, options.quiet);
    TrainResult result;
    for (int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
      EpochRecord record = runEpoch(epoch, progress);
      folder.record(record);
      folder.saveParameters(model, params);
      progress.finishEpoch(record);
      result.epochs.push_back(record);
    }
    for (const auto &p : params)
      result.params.emplace_back(p.begin(), p.end());
    return result;
  }

private:
  /// One shuffled pass over the training set, then the evaluation if due.
  EpochRecord runEpoch(int64_t epoch, Progress &progress) {
    Clock::time_point begin = Clock::now();
    int64_t n = data.train.size();
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    rng.shuffle(order);

    EpochTotals totals;
    for (int64_t start = 0, b = 1; start < n; start += batch, ++b) {
      trainBatch(order.data() + start, std::min(batch, n - start),
                 (b - 1) % kAccuracyEvery == 0, totals);
      progress.update(epoch, b, totals.loss / double(totals.samples));
    }
    double trainSeconds =
        std::chrono::duration<double>(Clock::now() - begin).count();

    EpochRecord record;
    record.epoch = epoch;
    double seen = double(std::max<int64_t>(totals.samples, 1));
    record.trainLoss = totals.samples ? totals.loss / seen : kNaN;
    record.trainAccuracy = hasLabels(data.train) && totals.scored
                               ? double(totals.correct) / double(totals.scored)
                               : kNaN;
    record.residual = totals.residual / seen;
    record.testLoss = record.testAccuracy = kNaN;
    if (epoch % options.evalEvery == 0 || epoch == options.epochs) {
      Evaluation test =
          evaluateWith<T>(model, paramVoid, data.test, workspace.get());
      record.testLoss = test.loss;
      record.testAccuracy = test.accuracy;
    }
    record.seconds =
        std::chrono::duration<double>(Clock::now() - begin).count();
    record.samplesPerSecond =
        trainSeconds > 0 ? double(totals.samples) / trainSeconds : 0;
    return record;
  }

  /// Gathers rows[0..m), counts correct predictions when \p scoreAccuracy
  /// (before the update, at the parameters the reported loss refers to),
  /// and takes one step.
  void trainBatch(const int64_t *rows, int64_t m, bool scoreAccuracy,
                  EpochTotals &totals) {
    const Dataset &train = data.train;
    gatherRows(train.x, rows, m, xb.data());
    gatherRows(train.y, rows, m, yb.data());
    if (hasLabels(train) && scoreAccuracy) {
      model.predict(paramVoid.data(), xb.data(), m, zb.data(), workspace.get());
      labels.resize(static_cast<size_t>(m));
      for (int64_t i = 0; i < m; ++i)
        labels[size_t(i)] = train.labels[size_t(rows[i])];
      totals.correct +=
          countCorrect(zb.data(), labels.data(), m, model.output_size);
      totals.scored += m;
    }

    blrt_step_report report{0, 0, 0};
    model.gradient(paramVoid.data(), xb.data(), yb.data(), m, gradVoid.data(),
                   workspace.get(), &report);
    optimizer->step(paramPtrs, gradConst);
    totals.loss += report.loss * double(m);
    totals.residual += report.residual * double(m);
    totals.samples += m;
  }

  const blrt_model &model;
  const DataSplit &data;
  const TrainOptions &options;
  Rng rng;
  std::vector<std::vector<T>> params, grads;
  std::vector<T *> paramPtrs;
  std::vector<const T *> gradConst;
  std::vector<void *> gradVoid;
  std::vector<const void *> paramVoid;
  std::unique_ptr<Optimizer<T>> optimizer;
  int64_t batch;
  Workspace workspace;
  std::vector<T> xb, yb, zb;
  std::vector<int32_t> labels;
};

} // namespace

TrainResult train(const blrt_model &model, const DataSplit &data,
                  const TrainOptions &options) {
  checkModel(model);
  checkOptions(options);
  checkFits(model, data.train, "training");
  checkFits(model, data.test, "test");
  if (model.precision == 4)
    return Trainer<float>(model, data, options).run();
  return Trainer<double>(model, data, options).run();
}

template <class T>
Evaluation evaluate(const blrt_model &model,
                    const std::vector<std::vector<T>> &params,
                    const Dataset &data) {
  checkModel(model);
  if (int64_t(params.size()) != model.num_params)
    throw Error("evaluate", "got " + std::to_string(params.size()) +
                                " parameter tensors, the model has " +
                                std::to_string(model.num_params));
  checkFits(model, data, "evaluation");

  // Parameters of the other precision are converted first.
  if (model.precision != int32_t(sizeof(T))) {
    using Other = std::conditional_t<std::is_same_v<T, float>, double, float>;
    std::vector<std::vector<Other>> converted;
    for (const auto &p : params)
      converted.emplace_back(p.begin(), p.end());
    return evaluate(model, converted, data);
  }
  Workspace workspace(model.workspace_bytes(kEvalChunk));
  return evaluateWith<T>(model, pointers(params), data, workspace.get());
}

template Evaluation evaluate<float>(const blrt_model &,
                                    const std::vector<std::vector<float>> &,
                                    const Dataset &);
template Evaluation evaluate<double>(const blrt_model &,
                                     const std::vector<std::vector<double>> &,
                                     const Dataset &);

} // namespace bilevel::rt
