//===- JitCacheTest.cpp - Unit tests of the JIT's object cache ------------===//
//
// Each test uses its own temporary cache directory. A second identical
// compile must hit and still give working code; any change of source,
// options or included headers must miss; a damaged entry must be recompiled
// and replaced; a cache that cannot be written must not stop compiling.
// The hidden test "[.timing]" prints compile times for a generated-style
// source of about 200 lines (run it by name).
//
//===----------------------------------------------------------------------===//
#include "jit/Jit.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace bilevel::jit;
namespace fs = std::filesystem;

namespace {

/// A fresh directory, removed with everything in it at scope exit.
class TempDir {
public:
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("bilevel-jit-test-" + std::to_string(getpid()) + "-" +
            std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

void writeFile(const fs::path &path, const std::string &contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

std::string readFile(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

/// Compiles, requires success, and returns what blValue() gives.
int compileAndCall(const std::string &source, const CompileOptions &options,
                   CompileStats &stats) {
  std::string diagnostics;
  std::unique_ptr<Module> module =
      compile(source, "cached.cpp", options, &diagnostics, &stats);
  INFO(diagnostics);
  REQUIRE(module);
  std::string error;
  void *address = module->lookup("blValue", &error);
  INFO(error);
  REQUIRE(address);
  return reinterpret_cast<int (*)()>(address)();
}

const char *valueSource = "extern \"C\" int blValue() { return 42; }\n";

} // namespace

TEST_CASE("an identical compile hits the cache and runs", "[jit][cache]") {
  TempDir dir;
  CompileOptions options;
  options.cacheDir = dir.path.string();
  CompileStats first, second;

  CHECK(compileAndCall(valueSource, options, first) == 42);
  CHECK_FALSE(first.cacheHit);
  CHECK(first.cacheKey.size() == 64);
  CHECK(first.seconds > 0);
  CHECK(fs::exists(dir.path / "jit" / (first.cacheKey + ".o")));

  CHECK(compileAndCall(valueSource, options, second) == 42);
  CHECK(second.cacheHit);
  CHECK(second.cacheKey == first.cacheKey);
}

TEST_CASE("a changed source or option misses the cache", "[jit][cache]") {
  TempDir dir;
  CompileOptions options;
  options.cacheDir = dir.path.string();
  CompileStats base, stats;
  compileAndCall(valueSource, options, base);

  SECTION("source") {
    CHECK(compileAndCall("extern \"C\" int blValue() { return 43; }\n", options,
                         stats) == 43);
  }
  SECTION("optimisation level") {
    options.optLevel = "-O1";
    CHECK(compileAndCall(valueSource, options, stats) == 42);
  }
  SECTION("target CPU") {
    options.nativeCpu = false;
    CHECK(compileAndCall(valueSource, options, stats) == 42);
  }
  SECTION("defines") {
    options.defines = {"BL_UNUSED=1"};
    CHECK(compileAndCall(valueSource, options, stats) == 42);
  }
  CHECK_FALSE(stats.cacheHit);
  CHECK(stats.cacheKey != base.cacheKey);
}

TEST_CASE("a corrupt cache entry is recompiled and replaced", "[jit][cache]") {
  TempDir dir;
  CompileOptions options;
  options.cacheDir = dir.path.string();
  CompileStats stats;
  compileAndCall(valueSource, options, stats);
  fs::path object = dir.path / "jit" / (stats.cacheKey + ".o");
  fs::path manifest = dir.path / "jit" / (stats.cacheKey + ".manifest");
  std::string good = readFile(object);
  REQUIRE(!good.empty());

  SECTION("garbage object") { writeFile(object, "not an object file"); }
  SECTION("object with one byte flipped") {
    std::string bad = good;
    bad[bad.size() / 2] ^= 0x5a;
    writeFile(object, bad);
  }
  SECTION("truncated manifest") { writeFile(manifest, "bilevel-jit-cache"); }
  SECTION("missing object") { fs::remove(object); }

  CHECK(compileAndCall(valueSource, options, stats) == 42);
  CHECK_FALSE(stats.cacheHit);
  CHECK(readFile(object) == good);
  CHECK(compileAndCall(valueSource, options, stats) == 42);
  CHECK(stats.cacheHit);
}

TEST_CASE("an edited included header invalidates the entry", "[jit][cache]") {
  TempDir dir;
  fs::path include = dir.path / "include";
  fs::create_directories(include);
  writeFile(include / "BlValue.h", "#define BL_VALUE 1\n");
  CompileOptions options;
  options.cacheDir = (dir.path / "cache").string();
  options.includeDirs = {include.string()};
  const char *source =
      "#include \"BlValue.h\"\nextern \"C\" int blValue() { return BL_VALUE; "
      "}\n";
  CompileStats stats;

  CHECK(compileAndCall(source, options, stats) == 1);
  CHECK(compileAndCall(source, options, stats) == 1);
  CHECK(stats.cacheHit);

  writeFile(include / "BlValue.h", "#define BL_VALUE 2\n");
  CHECK(compileAndCall(source, options, stats) == 2);
  CHECK_FALSE(stats.cacheHit);
}

TEST_CASE("an unwritable cache only disables caching", "[jit][cache]") {
  TempDir dir;
  writeFile(dir.path / "file", "a regular file, not a directory");
  CompileOptions options;
  options.cacheDir = (dir.path / "file").string();
  CompileStats stats;
  CHECK(compileAndCall(valueSource, options, stats) == 42);
  CHECK(compileAndCall(valueSource, options, stats) == 42);
  CHECK_FALSE(stats.cacheHit);
}

namespace {

/// A source shaped like the code generator's output: several fused
/// elementwise loops and a reduction per block, about 200 lines in all.
std::string generatedStyleSource() {
  std::string source = "#include <math.h>\n#include <stddef.h>\n\n";
  for (int block = 0; block < 12; ++block) {
    std::string b = std::to_string(block);
    source += "extern \"C\" void blBlock" + b +
              "(const float *x, const float *w, float *y, float *g,\n"
              "                            size_t n) {\n"
              "  for (size_t i = 0; i < n; ++i) {\n"
              "    float a = w[i] * x[i] + " +
              b +
              ".0f;\n"
              "    float t = tanhf(a);\n"
              "    y[i] = t * expf(-0.5f * a * a);\n"
              "    g[i] = (1.0f - t * t) * logf(1.0f + a * a);\n"
              "  }\n"
              "  float sum = 0.0f;\n"
              "  for (size_t i = 0; i < n; ++i)\n"
              "    sum += y[i] * g[i];\n"
              "  for (size_t i = 0; i < n; ++i)\n"
              "    g[i] = g[i] / (sum + 1e-6f);\n"
              "}\n\n";
  }
  return source;
}

} // namespace

TEST_CASE("compile times of a generated-style source", "[.timing]") {
  TempDir dir;
  std::string source = generatedStyleSource();
  CompileOptions options;
  options.cacheDir = dir.path.string();
  std::string diagnostics;

  CompileStats cold, cached;
  auto module = compile(source, "timing.cpp", options, &diagnostics, &cold);
  REQUIRE(module);
  module = compile(source, "timing.cpp", options, &diagnostics, &cached);
  REQUIRE(module);
  REQUIRE(cached.cacheHit);
  int lines = static_cast<int>(std::count(source.begin(), source.end(), '\n'));
  std::printf("%d lines: cold %.3f s, cached %.4f s\n", lines, cold.seconds,
              cached.seconds);
}
