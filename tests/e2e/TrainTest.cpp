//===- TrainTest.cpp - Training end to end --------------------------------===//
//
// Trains through the JIT on generated data and on Fashion-MNIST, checks
// what a run leaves behind, and builds the standalone project that
// `emit --project` writes.
//
//===----------------------------------------------------------------------===//
#include "E2eSupport.h"

#include <bilevel/Train.h>

#include <regex>

using namespace bilevel;
using namespace bilevel::test;

namespace {

/// The last data row of a metrics.csv, split at commas.
std::vector<std::string> lastRow(const fs::path &csv) {
  std::istringstream in(slurp(csv));
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty())
      last = line;
  std::vector<std::string> cells;
  std::stringstream row(last);
  for (std::string cell; std::getline(row, cell, ',');)
    cells.push_back(cell);
  return cells;
}

} // namespace

TEST_CASE("train writes a complete run folder and eval reproduces it",
          "[e2e]") {
  fs::path dir = scratch("train");
  writeTeacherData(dir / "data.npz", 3000, 1000);
  writeFile(dir / "t.bl", teacherSpec("data.npz", 4));

  RunResult r = bilevelc("train t.bl --quiet", dir);
  INFO(r.err);
  REQUIRE(r.status == 0);
  fs::path run = dir / "runs" / "t";
  CHECK(fs::exists(run / "params.npz"));
  CHECK(fs::exists(run / "model.cpp"));
  CHECK(slurp(run / "spec.bl") == slurp(dir / "t.bl"));
  std::string csv = slurp(run / "metrics.csv");
  CHECK_THAT(csv, Catch::StartsWith(rt::kMetricsHeader));
  std::vector<std::string> last = lastRow(run / "metrics.csv");
  REQUIRE(last.size() == 8);
  CHECK(last[0] == "4");
  double accuracy = std::stod(last[4]);
  CHECK(accuracy > 0.9);

  // The saved parameters give the same accuracy when evaluated again.
  RunResult e = bilevelc("eval t.bl --params runs/t/params.npz --quiet", dir);
  INFO(e.err);
  REQUIRE(e.status == 0);
  std::smatch m;
  REQUIRE(std::regex_search(e.out, m, std::regex("accuracy ([0-9.]+)%")));
  CHECK(std::stod(m[1]) / 100 == Approx(accuracy).margin(1e-4));

  // A second run never overwrites the first.
  RunResult again = bilevelc("train t.bl --quiet --epochs 1", dir);
  REQUIRE(again.status == 0);
  CHECK(fs::exists(dir / "runs" / "t-2" / "metrics.csv"));
  CHECK(lastRow(run / "metrics.csv")[0] == "4");
}

TEST_CASE("emit --project builds a trainer that trains like bilevelc",
          "[e2e]") {
  fs::path dir = scratch("project");
  writeTeacherData(dir / "data.npz", 2000, 500);
  writeFile(dir / "t.bl", teacherSpec("data.npz", 3));
  RunResult emit = bilevelc("emit t.bl --project proj", dir);
  INFO(emit.err);
  REQUIRE(emit.status == 0);
  for (const char *f : {"CMakeLists.txt", "main.cpp", "model.cpp"})
    CHECK(fs::exists(dir / "proj" / f));

  std::string build = "cd '" + dir.string() +
                      "/proj' && cmake -S . -B build -G Ninja "
                      "-DCMAKE_CXX_COMPILER=clang++-14 > build.log 2>&1 && "
                      "cmake --build build >> build.log 2>&1";
  int status = std::system(build.c_str());
  INFO(slurp(dir / "proj" / "build.log"));
  REQUIRE(status == 0);

  std::string train = "cd '" + dir.string() +
                      "' && proj/build/trainer --data data.npz --out prun "
                      "> trainer.txt 2>&1";
  REQUIRE(std::system(train.c_str()) == 0);
  std::vector<std::string> last = lastRow(dir / "prun" / "metrics.csv");
  REQUIRE(last.size() == 8);
  CHECK(last[0] == "3");
  CHECK(std::stod(last[4]) > 0.85);

  // Same spec, same seed: bilevelc's own run reaches the same accuracy.
  RunResult r = bilevelc("train t.bl --quiet --out brun", dir);
  REQUIRE(r.status == 0);
  CHECK(lastRow(dir / "brun" / "metrics.csv")[4] == last[4]);
}

TEST_CASE("back-propagation reaches 87.5% on Fashion-MNIST in 5 epochs",
          "[e2e][fashion]") {
  if (!fs::exists("/usr/share/datasets/fashion-mnist/train-images-idx3-"
                  "ubyte.gz")) {
    WARN("Fashion-MNIST is not installed (apt-get install "
         "dataset-fashion-mnist); skipped");
    return;
  }
  fs::path dir = scratch("fashion");
  RunResult r = bilevelc(std::string("train ") + BILEVEL_SOURCE_DIR +
                             "/examples/fashion_mlp.bl --quiet --out run",
                         dir);
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::vector<std::string> last = lastRow(dir / "run" / "metrics.csv");
  REQUIRE(last.size() == 8);
  CHECK(last[0] == "5");
  double accuracy = std::stod(last[4]);
  INFO("test accuracy " << accuracy);
  CHECK(accuracy >= 0.875);
}
