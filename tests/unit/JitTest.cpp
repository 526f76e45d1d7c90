//===- JitTest.cpp - Unit tests of compiler/jit without the cache ---------===//
//
// Compiles small `extern "C"` sources in-process and calls them: numeric
// loops over math.h functions, calls back into this executable, and the
// failure paths (syntax errors, undefined symbols, static initialisers,
// missing symbols), which must return failure with a message and never stop
// the process. Also checks formatCpp and defaultCacheDir.
//
//===----------------------------------------------------------------------===//
#include "jit/Jit.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <vector>

using namespace bilevel::jit;

// Host symbols that JIT code uses; the test executable exports them.
extern "C" double blJitTestHostScale(double x) { return 2.5 * x; }
extern "C" {
int blJitTestHostCounter = 0;
}

namespace {

/// Compiles without a cache and fails the test with the diagnostics if the
/// compile fails.
std::unique_ptr<Module> compileOrFail(const std::string &source,
                                      CompileOptions options = {}) {
  std::string diagnostics;
  std::unique_ptr<Module> module =
      compile(source, "test.cpp", options, &diagnostics);
  INFO(diagnostics);
  REQUIRE(module);
  return module;
}

template <typename Function>
Function lookupOrFail(const Module &module, const std::string &name) {
  std::string error;
  void *address = module.lookup(name, &error);
  INFO(error);
  REQUIRE(address);
  return reinterpret_cast<Function>(address);
}

const char *mathSource = R"(
#include <math.h>

extern "C" void blMathKernel(const float *x, float *y, int n) {
  for (int i = 0; i < n; ++i) {
    float v = x[i];
    y[i] = tanhf(v) + expf(0.5f * v) * logf(1.0f + v * v);
  }
}

extern "C" float blSum(const float *x, int n) {
  float total = 0.0f;
  for (int i = 0; i < n; ++i)
    total += x[i];
  return total;
}
)";

} // namespace

TEST_CASE("JIT code runs loops over math.h functions", "[jit]") {
  std::unique_ptr<Module> module = compileOrFail(mathSource);
  auto kernel = lookupOrFail<void (*)(const float *, float *, int)>(
      *module, "blMathKernel");
  auto sum = lookupOrFail<float (*)(const float *, int)>(*module, "blSum");

  std::vector<float> x(1000), y(1000);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = -3.0f + 6.0f * static_cast<float>(i) / x.size();
  kernel(x.data(), y.data(), static_cast<int>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    double v = x[i];
    double expected = std::tanh(v) + std::exp(0.5 * v) * std::log(1 + v * v);
    REQUIRE(y[i] == Approx(expected).epsilon(1e-5).margin(1e-6));
  }

  std::vector<float> ones(64, 1.0f);
  CHECK(sum(ones.data(), 64) == 64.0f);
}

TEST_CASE("JIT code calls functions and data of the host", "[jit]") {
  const char *source = R"(
extern "C" double blJitTestHostScale(double x);
extern "C" int blJitTestHostCounter;

extern "C" double blUseHost(double x) {
  ++blJitTestHostCounter;
  return blJitTestHostScale(x) + 1.0;
}
)";
  std::unique_ptr<Module> module = compileOrFail(source);
  auto useHost = lookupOrFail<double (*)(double)>(*module, "blUseHost");
  blJitTestHostCounter = 0;
  CHECK(useHost(2.0) == 6.0);
  CHECK(useHost(-4.0) == -9.0);
  CHECK(blJitTestHostCounter == 2);
}

TEST_CASE("defines and include directories reach Clang", "[jit]") {
  CompileOptions options;
  options.defines = {"BL_SCALE=3", "BL_FLAG"};
  options.optLevel = "-O0";
  options.nativeCpu = false;
  const char *source = R"(
#ifndef BL_FLAG
#error BL_FLAG is missing
#endif
extern "C" int blScaled(int x) { return BL_SCALE * x; }
)";
  std::unique_ptr<Module> module = compileOrFail(source, options);
  CHECK(lookupOrFail<int (*)(int)>(*module, "blScaled")(7) == 21);
}

TEST_CASE("a syntax error gives no module and a located diagnostic", "[jit]") {
  const char *source = "extern \"C\" int ok() { return 1; }\n"
                       "\n"
                       "extern \"C\" int broken() { return 1 + ; }\n";
  std::string diagnostics;
  CompileStats stats;
  std::unique_ptr<Module> module =
      compile(source, "bad.cpp", {}, &diagnostics, &stats);
  CHECK_FALSE(module);
  CHECK_THAT(diagnostics, Catch::Contains("bad.cpp:3:"));
  CHECK_THAT(diagnostics, Catch::Contains("error"));
  CHECK_FALSE(stats.cacheHit);
}

TEST_CASE("a missing header is an error, not a crash", "[jit]") {
  std::string diagnostics;
  CHECK_FALSE(
      compile("#include \"no/such/header.h\"\n", "inc.cpp", {}, &diagnostics));
  CHECK_THAT(diagnostics, Catch::Contains("inc.cpp:1:"));
  CHECK_THAT(diagnostics, Catch::Contains("not found"));
}

TEST_CASE("an undefined symbol fails at compile time", "[jit]") {
  const char *source = R"(
extern "C" int blNoSuchHostFunction(int);
extern "C" int blCallsMissing(int x) { return blNoSuchHostFunction(x); }
)";
  std::string diagnostics;
  CHECK_FALSE(compile(source, "undefined.cpp", {}, &diagnostics));
  CHECK_THAT(diagnostics, Catch::Contains("blNoSuchHostFunction"));
}

TEST_CASE("static initialisers are rejected with a message", "[jit]") {
  const char *source = R"(
extern "C" int blInit();
static int value = blInit();
extern "C" int blGet() { return value; }
)";
  std::string diagnostics;
  CHECK_FALSE(compile(source, "static.cpp", {}, &diagnostics));
  CHECK_THAT(diagnostics, Catch::Contains("static initialisation"));
}

TEST_CASE("bad options are diagnosed", "[jit]") {
  CompileOptions options;
  options.optLevel = "-O7";
  std::string diagnostics;
  CHECK_FALSE(compile("int x;\n", "opt.cpp", options, &diagnostics));
  CHECK_THAT(diagnostics, Catch::Contains("-O7"));
}

TEST_CASE("lookup of an absent symbol returns null and a message", "[jit]") {
  std::unique_ptr<Module> module = compileOrFail(mathSource);
  std::string error;
  CHECK(module->lookup("blNotThere", &error) == nullptr);
  CHECK_THAT(error, Catch::Contains("blNotThere"));

  // Host symbols are not part of the module.
  CHECK(module->lookup("blJitTestHostScale", nullptr) == nullptr);
}

TEST_CASE("modules are independent and outlive each other", "[jit]") {
  auto first = compileOrFail("extern \"C\" int blValue() { return 1; }\n");
  auto second = compileOrFail("extern \"C\" int blValue() { return 2; }\n");
  auto secondValue = lookupOrFail<int (*)()>(*second, "blValue");
  first.reset();
  CHECK(secondValue() == 2);
}

TEST_CASE("formatCpp lays out a one-line function", "[jit]") {
  std::string source = "extern \"C\" void blZero(float*y,int n){for(int i=0;"
                       "i<n;++i){y[i]=0.0f;}}";
  std::string expected = "extern \"C\" void blZero(float *y, int n) {\n"
                         "  for (int i = 0; i < n; ++i) {\n"
                         "    y[i] = 0.0f;\n"
                         "  }\n"
                         "}";
  CHECK(formatCpp(source) == expected);
  CHECK(formatCpp(expected) == expected);
  CHECK(formatCpp("") == "");
}

TEST_CASE("defaultCacheDir follows the environment", "[jit]") {
  auto saved = [](const char *name) -> std::pair<bool, std::string> {
    const char *value = std::getenv(name);
    return {value != nullptr, value ? value : ""};
  };
  auto restore = [](const char *name, std::pair<bool, std::string> value) {
    if (value.first)
      setenv(name, value.second.c_str(), 1);
    else
      unsetenv(name);
  };
  auto bilevel = saved("BILEVEL_CACHE_DIR");
  auto xdg = saved("XDG_CACHE_HOME");
  auto home = saved("HOME");

  setenv("BILEVEL_CACHE_DIR", "/tmp/a", 1);
  setenv("XDG_CACHE_HOME", "/tmp/b", 1);
  setenv("HOME", "/tmp/c", 1);
  CHECK(defaultCacheDir() == "/tmp/a");
  unsetenv("BILEVEL_CACHE_DIR");
  CHECK(defaultCacheDir() == "/tmp/b/bilevel");
  unsetenv("XDG_CACHE_HOME");
  CHECK(defaultCacheDir() == "/tmp/c/.cache/bilevel");

  restore("BILEVEL_CACHE_DIR", bilevel);
  restore("XDG_CACHE_HOME", xdg);
  restore("HOME", home);
}
