//===- JitSafetyTest.cpp - Failures inside LLVM must not stop the host ----===//
//
// runSafely() is the guard around every call into Clang and LLVM: a fatal
// error raised inside it becomes a failure message. Also checks that
// compile() may run on several threads at once.
//
//===----------------------------------------------------------------------===//
#include "jit/Jit.h"
#include "jit/LlvmSetup.h"

#include "llvm/Support/ErrorHandling.h"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace bilevel::jit;

TEST_CASE("runSafely turns an LLVM fatal error into a message", "[jit]") {
  std::string error;
  CHECK(runSafely([] {}, &error));
  CHECK(error.empty());

  bool finished = false;
  CHECK_FALSE(runSafely(
      [&] {
        llvm::report_fatal_error("deliberate failure for the test");
        finished = true;
      },
      &error));
  CHECK_FALSE(finished);
  CHECK_THAT(error, Catch::Contains("deliberate failure for the test"));

  // The process, and LLVM, keep working afterwards.
  CHECK(runSafely([] {}, &error));
}

TEST_CASE("compile runs on several threads at once", "[jit]") {
  constexpr int threadCount = 4;
  std::vector<int> results(threadCount, -1);
  std::vector<std::string> messages(threadCount);
  std::vector<std::thread> threads;
  for (int t = 0; t < threadCount; ++t) {
    threads.emplace_back([t, &results, &messages] {
      std::string source = "extern \"C\" int blThread() { return " +
                           std::to_string(t * 10) + "; }\n";
      auto module = compile(source, "thread.cpp", {}, &messages[t]);
      if (!module)
        return;
      void *address = module->lookup("blThread", &messages[t]);
      if (address)
        results[t] = reinterpret_cast<int (*)()>(address)();
    });
  }
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < threadCount; ++t) {
    INFO(messages[t]);
    CHECK(results[t] == t * 10);
  }
}
