//===- RuntimeTrain.cpp - The training loop on a hand-written model -----===//
//
// A multinomial logistic regression written here against bilevel/abi.h
// (GEMM calls and all, like generated code) is trained on a small separable
// data set in both precisions. Checks that the loss falls, the accuracy is
// high, runs are reproducible, the run folder holds metrics.csv, spec.bl and
// a params.npz that loadParams reads back, and that bad inputs give clear
// errors.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Error.h"
#include "bilevel/Npz.h"
#include "bilevel/Params.h"
#include "bilevel/Progress.h"
#include "bilevel/Rng.h"
#include "bilevel/Train.h"
#include "bilevel/abi.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace bilevel::rt;

namespace {

constexpr int64_t kInputs = 6, kClasses = 3;

struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("bilevel-train-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string &name) const {
    return (path / name).string();
  }
};

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

/// The fixture's output width: one value for regression.
template <int32_t Loss>
constexpr int64_t kOutputs = Loss == BLRT_LOSS_MSE ? 1 : kClasses;

/// z = x W^T + b for n rows.
template <class T, int32_t Loss>
void forward(const void *const *params, const T *x, int64_t n, T *z) {
  constexpr int64_t k = kOutputs<Loss>;
  const T *w = static_cast<const T *>(params[0]);
  const T *b = static_cast<const T *>(params[1]);
  gemm(0, 1, n, k, kInputs, T(1), x, kInputs, w, kInputs, T(0), z, k);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < k; ++j)
      z[i * k + j] += b[j];
}

template <class T, int32_t Loss> int64_t workspaceBytes(int64_t n) {
  return n * kOutputs<Loss> * int64_t(sizeof(T));
}

template <class T, int32_t Loss>
void predict(const void *const *params, const void *x, int64_t n, void *out,
             void *) {
  forward<T, Loss>(params, static_cast<const T *>(x), n, static_cast<T *>(out));
}

/// Overwrites z with dloss/dz for one row and returns the row's loss:
/// softmax(z) - y for cross-entropy, z - y for squared error.
template <class T, int32_t Loss> double outputDelta(T *z, const T *y) {
  constexpr int64_t k = kOutputs<Loss>;
  double loss = 0;
  if (Loss == BLRT_LOSS_MSE) {
    for (int64_t j = 0; j < k; ++j) {
      z[j] -= y[j];
      loss += 0.5 * double(z[j]) * double(z[j]);
    }
    return loss;
  }
  T top = *std::max_element(z, z + k), sum = 0;
  for (int64_t j = 0; j < k; ++j)
    sum += z[j] = std::exp(z[j] - top);
  for (int64_t j = 0; j < k; ++j) {
    z[j] /= sum;
    if (y[j] > 0)
      loss -= double(y[j]) * std::log(double(z[j]));
    z[j] -= y[j];
  }
  return loss;
}

/// The exact batch-mean gradient of the loss of a linear layer.
template <class T, int32_t Loss>
void gradient(const void *const *params, const void *xv, const void *yv,
              int64_t n, void *const *grads, void *workspace,
              blrt_step_report *report) {
  constexpr int64_t k = kOutputs<Loss>;
  const T *x = static_cast<const T *>(xv), *y = static_cast<const T *>(yv);
  T *z = static_cast<T *>(workspace);
  forward<T, Loss>(params, x, n, z);
  double loss = 0;
  for (int64_t i = 0; i < n; ++i)
    loss += outputDelta<T, Loss>(z + i * k, y + i * k);
  T *gw = static_cast<T *>(grads[0]), *gb = static_cast<T *>(grads[1]);
  gemm(1, 0, k, kInputs, n, T(1) / T(n), z, k, x, kInputs, T(0), gw, kInputs);
  for (int64_t j = 0; j < k; ++j) {
    gb[j] = 0;
    for (int64_t i = 0; i < n; ++i)
      gb[j] += z[i * k + j] / T(n);
  }
  report->loss = loss / double(n);
  report->residual = 0;
  report->sweeps = 0;
}

template <int32_t Loss>
const blrt_param_info kParams[] = {
    {"W1", kOutputs<Loss>, kInputs, BLRT_INIT_GLOROT_UNIFORM, kInputs,
     kOutputs<Loss>},
    {"b1", kOutputs<Loss>, 1, BLRT_INIT_ZERO, kInputs, kOutputs<Loss>}};

/// A linear model: logistic regression, or least squares for MSE.
template <class T, int32_t Loss = BLRT_LOSS_SOFTMAX_CE>
blrt_model linearModel() {
  blrt_model model{};
  model.abi_version = BLRT_ABI_VERSION;
  model.precision = int32_t(sizeof(T));
  model.method = "test-linear";
  model.input_size = kInputs;
  model.output_size = kOutputs<Loss>;
  model.loss = Loss;
  model.num_params = 2;
  model.params = kParams<Loss>;
  model.workspace_bytes = workspaceBytes<T, Loss>;
  model.predict = predict<T, Loss>;
  model.gradient = gradient<T, Loss>;
  return model;
}

/// n samples around kClasses well separated centres.
Dataset separable(int64_t n, uint64_t seed) {
  Rng rng(seed);
  Matrix<float> x(n, kInputs);
  std::vector<int32_t> labels(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    int32_t c = int32_t(rng.below(kClasses));
    labels[size_t(i)] = c;
    for (int64_t j = 0; j < kInputs; ++j)
      x(i, j) = float((j % kClasses == c ? 2.0 : -1.0) + 0.4 * rng.normal());
  }
  return makeClassification(std::move(x), std::move(labels), kClasses,
                            "separable");
}

DataSplit separableSplit() {
  DataSplit split;
  split.train = separable(500, 1); // 500 = 15 full batches of 32 and 20.
  split.test = separable(200, 2);
  split.description = "separable blobs";
  return split;
}

std::vector<std::string> readLines(const std::string &path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

template <class T> void trainsWell(TrainOptions::Optimizer optimizer) {
  TempDir dir;
  blrt_model model = linearModel<T>();
  DataSplit data = separableSplit();
  TrainOptions options;
  options.batch = 32;
  options.epochs = 4;
  options.optimizer = optimizer;
  options.learningRate =
      optimizer == TrainOptions::Optimizer::Adam ? 0.05 : 0.1;
  options.quiet = true;
  options.runDir = dir / "runs/a";
  options.specText = "network { }\n";

  TrainResult result = train(model, data, options);
  REQUIRE(result.epochs.size() == 4);
  REQUIRE(result.epochs.back().trainLoss < result.epochs.front().trainLoss);
  REQUIRE(result.epochs.back().testAccuracy > 0.97);
  REQUIRE(result.epochs.back().trainAccuracy > 0.95);
  REQUIRE(result.epochs.back().samplesPerSecond > 0);

  // The run folder: metrics, spec and a checkpoint that loads back.
  std::vector<std::string> lines = readLines(options.runDir + "/metrics.csv");
  REQUIRE(lines.size() == 5);
  REQUIRE(lines[0] == kMetricsHeader);
  REQUIRE(lines[4].rfind("4,", 0) == 0);
  REQUIRE(readLines(options.runDir + "/spec.bl") ==
          std::vector<std::string>{"network { }"});
  auto arrays = readNpz(options.runDir + "/params.npz");
  REQUIRE(arrays["W1"].shape == std::vector<int64_t>{kClasses, kInputs});
  REQUIRE(arrays["b1"].shape == std::vector<int64_t>{kClasses});
  REQUIRE(arrays["W1"].dtype == (sizeof(T) == 4 ? "<f4" : "<f8"));
  auto params = loadParams<T>(options.runDir + "/params.npz", model);
  for (size_t i = 0; i < params.size(); ++i)
    for (size_t j = 0; j < params[i].size(); ++j)
      REQUIRE(double(params[i][j]) == result.params[i][j]);

  // evaluate() with the saved parameters reproduces the last test metrics.
  Evaluation eval = evaluate(model, params, data.test);
  REQUIRE(eval.accuracy == result.epochs.back().testAccuracy);
  REQUIRE(eval.loss == Approx(result.epochs.back().testLoss));

  // The double copy in TrainResult evaluates the same, whatever T is.
  Evaluation viaDouble = evaluate(model, result.params, data.test);
  REQUIRE(viaDouble.accuracy == eval.accuracy);
  REQUIRE(viaDouble.loss == Approx(eval.loss));
}

} // namespace

TEST_CASE("train fits logistic regression in float with Adam",
          "[runtime][train]") {
  trainsWell<float>(TrainOptions::Optimizer::Adam);
}

TEST_CASE("train fits logistic regression in double with SGD",
          "[runtime][train]") {
  trainsWell<double>(TrainOptions::Optimizer::Sgd);
}

TEST_CASE("training is reproducible from the seed", "[runtime][train]") {
  blrt_model model = linearModel<float>();
  DataSplit data = separableSplit();
  TrainOptions options;
  options.epochs = 2;
  options.quiet = true;
  options.evalEvery = 2;
  TrainResult a = train(model, data, options), b = train(model, data, options);
  REQUIRE(a.params == b.params);
  REQUIRE(std::isnan(a.epochs[0].testAccuracy));
  REQUIRE_FALSE(std::isnan(a.epochs[1].testAccuracy));
  options.seed = 2;
  REQUIRE(train(model, data, options).params != a.params);
}

TEST_CASE("train and loadParams report bad inputs", "[runtime][train]") {
  TempDir dir;
  blrt_model model = linearModel<double>();
  DataSplit data = separableSplit();
  TrainOptions options;
  options.quiet = true;
  options.epochs = 1;

  SECTION("an uncreatable run folder") {
    std::ofstream(dir / "file") << "x";
    options.runDir = dir / "file/run";
    REQUIRE_THROWS_WITH(train(model, data, options),
                        Catch::Contains("file/run") &&
                            Catch::Contains("run folder"));
  }
  SECTION("a data set of the wrong width") {
    data.train.x = Matrix<float>(500, kInputs + 1);
    REQUIRE_THROWS_WITH(train(model, data, options),
                        Catch::Contains("expects 6 inputs"));
  }
  SECTION("a bad model") {
    model.abi_version = 99;
    REQUIRE_THROWS_WITH(train(model, data, options), Catch::Contains("ABI"));
  }
  SECTION("a checkpoint of the wrong shape") {
    writeNpz(dir / "params.npz",
             {{"W1", NpyArray::from(std::vector<float>(10), {2, 5})},
              {"b1", NpyArray::from(std::vector<float>(3), {3})}});
    REQUIRE_THROWS_WITH(
        loadParams<double>(dir / "params.npz", model),
        Catch::Equals(
            "params.npz: W1 has shape [2, 5], the model expects [3, 6]"));
    writeNpz(dir / "params.npz",
             {{"W1", NpyArray::from(std::vector<float>(18), {3, 6})}});
    REQUIRE_THROWS_WITH(loadParams<double>(dir / "params.npz", model),
                        Catch::Contains("b1"));
  }
}

TEST_CASE("train fits least squares on regression data", "[runtime][train]") {
  // y = x . (1, -2, 0.5, 0, 3, -1) + 0.25, labels -1.
  const double w[kInputs] = {1, -2, 0.5, 0, 3, -1};
  auto make = [&](int64_t n, uint64_t seed) {
    Rng rng(seed);
    Dataset data;
    data.x = Matrix<float>(n, kInputs);
    data.y = Matrix<float>(n, 1);
    data.labels.assign(size_t(n), -1);
    for (int64_t i = 0; i < n; ++i) {
      double target = 0.25;
      for (int64_t j = 0; j < kInputs; ++j) {
        data.x(i, j) = float(rng.normal());
        target += w[j] * data.x(i, j);
      }
      data.y(i, 0) = float(target);
    }
    return data;
  };
  DataSplit data{make(400, 3), make(100, 4), "linear"};
  TrainOptions options;
  options.batch = 16;
  options.epochs = 30;
  options.learningRate = 0.05;
  options.quiet = true;
  TrainResult result =
      train(linearModel<double, BLRT_LOSS_MSE>(), data, options);
  REQUIRE(std::isnan(result.epochs.back().trainAccuracy));
  REQUIRE(std::isnan(result.epochs.back().testAccuracy));
  REQUIRE(result.epochs.back().testLoss < 1e-4);
  for (int64_t j = 0; j < kInputs; ++j)
    REQUIRE(result.params[0][size_t(j)] == Approx(w[j]).margin(1e-2));
  REQUIRE(result.params[1][0] == Approx(0.25).margin(1e-2));
}

TEST_CASE("progress prints one plain line per epoch", "[runtime][train]") {
  EpochRecord r;
  r.epoch = 2;
  r.trainLoss = 0.34121;
  r.trainAccuracy = 0.8712;
  r.testAccuracy = 0.86;
  r.testLoss = 0.4;
  r.samplesPerSecond = 41230.4;
  r.seconds = 1.46;
  REQUIRE(formatEpochLine(r, 5) == "epoch 2/5  loss 0.3412  train 87.1%  "
                                   "test 86.0%  41230 samples/s  1.5 s");

  std::FILE *out = std::tmpfile();
  REQUIRE(out);
  Progress progress(5, 10, false, out, 0);
  progress.update(2, 3, 0.5);
  progress.finishEpoch(r);
  Progress(5, 10, true, out, 0).finishEpoch(r);
  std::rewind(out);
  char buffer[256] = {};
  size_t got = std::fread(buffer, 1, sizeof buffer - 1, out);
  std::fclose(out);
  REQUIRE(std::string(buffer, got) == formatEpochLine(r, 5) + "\n");
}
