//===- LlvmSetup.h - One-time LLVM set-up and crash containment -*- C++ -*-===//
//
// Everything in compiler/jit that calls into Clang or LLVM goes through these
// two functions: the first initialises the native target once per process,
// the second turns a crash or a fatal error inside LLVM into a failure
// message, because library code must never take the host process down.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_JIT_LLVMSETUP_H
#define BILEVEL_JIT_LLVMSETUP_H

#include <functional>
#include <string>

namespace bilevel::jit {

/// Initialises the native target, its asm printer and parser, and crash
/// recovery. Safe to call from several threads; only the first call works.
void initializeLlvm();

/// Runs work. Returns true if it completed. If LLVM reports a fatal error or
/// the work crashes (a signal), returns false with a message in *error;
/// memory the work had allocated is then leaked.
bool runSafely(const std::function<void()> &work, std::string *error);

} // namespace bilevel::jit

#endif // BILEVEL_JIT_LLVMSETUP_H
