//===- LlvmSetup.cpp - One-time LLVM set-up and crash containment ---------===//
//
// LLVM's fatal errors normally end the process. We install a handler that,
// when the failing thread is inside runSafely(), records the reason and jumps
// back out through the CrashRecoveryContext; signals raised there are caught
// the same way. Outside runSafely() LLVM's default behaviour is kept.
//
//===----------------------------------------------------------------------===//
#include "LlvmSetup.h"

#include "llvm/Support/CrashRecoveryContext.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/TargetSelect.h"

#include <mutex>

namespace bilevel::jit {

namespace {

/// The reason given by the last fatal error on this thread.
thread_local std::string fatalReason;

void handleFatalError(void *, const char *reason, bool) {
  fatalReason = reason ? reason : "unknown fatal error";
  if (auto *context = llvm::CrashRecoveryContext::GetCurrent())
    context->HandleExit(1);
  // Outside runSafely(): fall through to LLVM's default, which exits.
}

} // namespace

void initializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
    llvm::install_fatal_error_handler(handleFatalError, nullptr);
    llvm::CrashRecoveryContext::Enable();
  });
}

bool runSafely(const std::function<void()> &work, std::string *error) {
  initializeLlvm();
  fatalReason.clear();
  llvm::CrashRecoveryContext context;
  if (context.RunSafely([&] { work(); }))
    return true;
  if (error) {
    if (!fatalReason.empty())
      *error = "internal error in LLVM: " + fatalReason;
    else
      *error = "internal error: LLVM or Clang crashed (code " +
               std::to_string(context.RetCode) + ")";
  }
  return false;
}

} // namespace bilevel::jit
