//===- NumericSupport.h - Shared pieces of the numeric tests ----*- C++ -*-===//
//
// Small random networks written as specs, compiled through the real
// pipeline and JIT in float64, and the parameters and batches to feed them.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_TESTS_NUMERICSUPPORT_H
#define BILEVEL_TESTS_NUMERICSUPPORT_H

#include "tool/Driver.h"
#include "tool/Jit.h"

#include <bilevel/Rng.h>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace bilevel::test {

/// A 12-10-8-5 network (the sizes of reformulation.md's checks) with the
/// given hidden activation and loss.
inline std::string smallSpec(const std::string &hidden,
                             const std::string &loss) {
  std::ostringstream s;
  s << "network small {\n  input x[12]\n  dense h1[10] " << hidden
    << "\n  dense h2[8] " << hidden << "\n  dense out[5] identity\n  loss "
    << loss << "\n}\nmethod bp\ntrain {\n  data \"unused.npz\"\n"
    << "  precision float64\n}\n";
  return s.str();
}

/// Writes \p text to a fresh file in the temp directory and returns its path.
inline std::string writeTemp(const std::string &name, const std::string &text) {
  // One folder per process: CTest runs test cases in parallel.
  auto dir = std::filesystem::temp_directory_path() /
             ("bilevel-numeric-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path) << text;
  return path.string();
}

/// A spec compiled and loaded in float64.
struct CompiledModel {
  SourceManager sources;
  std::ostringstream diagOut;
  DiagnosticEngine diags{sources, diagOut};
  Compilation compilation{sources, diags};
  LoadedModel loaded;

  explicit CompiledModel(const std::string &specPath) {
    CompileRequest req{specPath, {}, 8};
    INFO(diagOut.str());
    REQUIRE(compilation.run(req));
    std::string error;
    loaded = loadModel(compilation.cpp(), specPath, /*useCache=*/false, &error);
    INFO(error);
    REQUIRE(loaded.model);
  }

  const blrt_model &model() const { return *loaded.model; }
};

/// Random parameters scaled like a trained network's.
inline std::vector<std::vector<double>> randomParams(const blrt_model &m,
                                                     rt::Rng &rng) {
  std::vector<std::vector<double>> params;
  for (int i = 0; i < m.num_params; ++i) {
    const blrt_param_info &p = m.params[i];
    std::vector<double> v(p.rows * p.cols);
    for (double &x : v)
      x = rng.normal() / std::sqrt(double(p.fan_in));
    params.push_back(v);
  }
  return params;
}

/// A batch of \p n rows: x standard normal, y one-hot (classification) or
/// normal (regression).
inline void randomBatch(const blrt_model &m, int64_t n, rt::Rng &rng,
                        std::vector<double> &x, std::vector<double> &y) {
  x.resize(n * m.input_size);
  y.assign(n * m.output_size, 0.0);
  for (double &v : x)
    v = rng.normal();
  for (int64_t i = 0; i < n; ++i) {
    if (m.loss == BLRT_LOSS_SOFTMAX_CE)
      y[i * m.output_size + rng.next() % m.output_size] = 1;
    else
      for (int64_t j = 0; j < m.output_size; ++j)
        y[i * m.output_size + j] = rng.normal();
  }
}

} // namespace bilevel::test

#endif // BILEVEL_TESTS_NUMERICSUPPORT_H
