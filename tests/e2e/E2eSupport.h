//===- E2eSupport.h - Running bilevelc from tests ---------------*- C++ -*-===//
//
// Runs the real bilevelc binary in a scratch folder and captures its exit
// status, standard output and standard error separately.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_TESTS_E2ESUPPORT_H
#define BILEVEL_TESTS_E2ESUPPORT_H

#include <bilevel/Npz.h>
#include <bilevel/Rng.h>

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bilevel::test {

namespace fs = std::filesystem;

struct RunResult {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fresh, empty folder for one test.
inline fs::path scratch(const std::string &name) {
  fs::path dir = fs::temp_directory_path() / "bilevel-e2e" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// Runs `bilevelc ARGS` inside \p cwd.
inline RunResult bilevelc(const std::string &args, const fs::path &cwd) {
  std::string cmd = "cd '" + cwd.string() + "' && " + BILEVELC_PATH + " " +
                    args + " > out.txt 2> err.txt";
  RunResult r;
  int raw = std::system(cmd.c_str());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(cwd / "out.txt");
  r.err = slurp(cwd / "err.txt");
  return r;
}

inline std::string writeFile(const fs::path &p, const std::string &text) {
  std::ofstream(p) << text;
  return p.string();
}

/// A learnable 3-class problem: labels from a random linear teacher on 20
/// standard-normal features, as x_train/y_train/x_test/y_test in \p path.
inline void writeTeacherData(const fs::path &path, int64_t nTrain,
                             int64_t nTest) {
  rt::Rng rng(11);
  const int64_t d = 20, k = 3;
  std::vector<double> teacher(d * k);
  for (double &v : teacher)
    v = rng.normal();
  auto make = [&](int64_t n, std::vector<float> &x, std::vector<int64_t> &y) {
    x.resize(n * d);
    y.resize(n);
    for (int64_t i = 0; i < n; ++i) {
      double best = -1e300;
      for (int64_t j = 0; j < d; ++j)
        x[i * d + j] = float(rng.normal());
      for (int64_t c = 0; c < k; ++c) {
        double s = 0;
        for (int64_t j = 0; j < d; ++j)
          s += teacher[c * d + j] * x[i * d + j];
        if (s > best)
          best = s, y[i] = c;
      }
    }
  };
  std::vector<float> xtr, xte;
  std::vector<int64_t> ytr, yte;
  make(nTrain, xtr, ytr);
  make(nTest, xte, yte);
  rt::writeNpz(path.string(),
               {{"x_train", rt::NpyArray::from(xtr, {nTrain, d})},
                {"y_train", rt::NpyArray::from(ytr, {nTrain})},
                {"x_test", rt::NpyArray::from(xte, {nTest, d})},
                {"y_test", rt::NpyArray::from(yte, {nTest})}});
}

/// A 20-32-3 classifier spec for the teacher data.
inline std::string teacherSpec(const std::string &data, int epochs) {
  return "network teacher {\n  input x[20]\n  dense h[32] tanh\n"
         "  dense out[3] identity\n  loss softmax_cross_entropy\n}\n"
         "method bp\ntrain {\n  data \"" +
         data + "\"\n  batch 32\n  epochs " + std::to_string(epochs) +
         "\n  optimizer adam(lr = 1e-2)\n  seed 3\n}\n";
}

} // namespace bilevel::test

#endif // BILEVEL_TESTS_E2ESUPPORT_H
