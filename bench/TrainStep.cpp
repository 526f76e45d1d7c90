//===- TrainStep.cpp - Benchmark of one training step ---------------------===//
//
// Compiles a spec (default examples/fashion_mlp.bl) through the real
// pipeline and JIT, then times the training step the runtime performs per
// batch: the generated gradient plus an Adam update, at batch 64 and 256.
// Reports samples/s and GFLOP/s, counting 2·N·in·out flops per GEMM: the
// forward product of every layer, the weight gradient of every layer and
// the input adjoint of every layer but the first. Also reports the JIT
// compile time, cold (no cache) and cached.
//
// Usage: bench_train_step [SPEC] [--set KEY=VALUE]...
// Results are printed as a Markdown table row for bench/results.md.
//
//===----------------------------------------------------------------------===//
#include "tool/Driver.h"
#include "tool/Jit.h"

#include <bilevel/Optim.h>
#include <bilevel/Params.h>
#include <bilevel/Rng.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>

using namespace bilevel;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

/// Flops of one gradient call at batch n (GEMMs only).
double stepFlops(const blrt_model &m, int64_t n) {
  double flops = 0;
  bool first = true;
  for (int i = 0; i < m.num_params; ++i) {
    const blrt_param_info &p = m.params[i];
    if (p.cols == 1 && p.name[0] == 'b')
      continue;
    double gemm = 2.0 * n * p.rows * p.cols;
    flops += gemm * (first ? 2 : 3);
    first = false;
  }
  return flops;
}

void benchBatch(const blrt_model &m, int64_t n) {
  rt::Rng rng(1);
  auto params = rt::initParams<float>(m, rng);
  std::vector<std::vector<float>> grads;
  std::vector<int64_t> sizes;
  std::vector<const void *> pp;
  std::vector<void *> gp;
  for (auto &p : params) {
    grads.emplace_back(p.size());
    sizes.push_back(int64_t(p.size()));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    pp.push_back(params[i].data());
    gp.push_back(grads[i].data());
  }
  std::vector<float> x(n * m.input_size), y(n * m.output_size, 0.f);
  for (float &v : x)
    v = float(rng.uniform());
  for (int64_t i = 0; i < n; ++i)
    y[i * m.output_size + rng.below(m.output_size)] = 1;
  std::vector<unsigned char> ws(m.workspace_bytes(n));
  rt::Adam<float> adam(sizes, 1e-3);
  std::vector<float *> pw;
  std::vector<const float *> gw;
  for (size_t i = 0; i < params.size(); ++i) {
    pw.push_back(params[i].data());
    gw.push_back(grads[i].data());
  }

  auto step = [&] {
    blrt_step_report report{};
    m.gradient(pp.data(), x.data(), y.data(), n, gp.data(), ws.data(), &report);
    adam.step(pw, gw);
  };
  for (int i = 0; i < 20; ++i) // warm up caches and the allocator
    step();

  // Repeat for at least a second; report the best of five rounds.
  double best = 1e300;
  int64_t steps = 0;
  for (int round = 0; round < 5; ++round) {
    auto start = Clock::now();
    int64_t k = 0;
    do {
      step();
      ++k;
    } while (seconds(start) < 0.2);
    best = std::min(best, seconds(start) / k);
    steps += k;
  }
  std::cout << fmt::format("| {} | {:.0f} | {:.1f} | {:.3f} ms |\n", n,
                           n / best, stepFlops(m, n) / best * 1e-9, best * 1e3);
}

} // namespace

int main(int argc, char **argv) {
  CompileRequest req{
      std::string(BILEVEL_SOURCE_DIR) + "/examples/fashion_mlp.bl", {}, 4};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--set" && i + 1 < argc)
      req.overrides.push_back(argv[++i]);
    else
      req.specPath = a;
  }
  SourceManager sources;
  DiagnosticEngine diags(sources, std::cerr);
  Compilation c(sources, diags);
  if (!c.run(req))
    return 1;

  // Cold compile into an empty cache, then a cached one.
  auto cache = std::filesystem::temp_directory_path() / "bilevel-bench-cache";
  std::filesystem::remove_all(cache);
  setenv("BILEVEL_CACHE_DIR", cache.c_str(), 1);
  std::string error;
  LoadedModel cold = loadModel(c.cpp(), req.specPath, true, &error);
  if (!cold.model) {
    std::cerr << error << "\n";
    return 1;
  }
  LoadedModel warm = loadModel(c.cpp(), req.specPath, true, &error);
  std::cout << fmt::format("spec {} (method {})\nJIT compile: {:.3f} s cold, "
                           "{:.4f} s cached\n\n",
                           req.specPath, c.spec().method.preset,
                           cold.stats.seconds, warm.stats.seconds);
  std::cout << "| batch | samples/s | GFLOP/s | time per step |\n"
               "|---|---|---|---|\n";
  for (int64_t n : {64, 256})
    benchBatch(*warm.model, n);
  return 0;
}
