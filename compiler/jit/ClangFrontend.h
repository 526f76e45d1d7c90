//===- ClangFrontend.h - C++ source to an object file in memory -*- C++ -*-===//
//
// The cache-miss path of compile(): Clang's driver, its cc1 front end and the
// LLVM back end, all in-process. The result is a relocatable ELF object for
// the host, the same bytes that the cache stores and the JIT links.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_JIT_CLANGFRONTEND_H
#define BILEVEL_JIT_CLANGFRONTEND_H

#include "jit/Jit.h"

#include <string>
#include <vector>

namespace bilevel::jit {

/// An object file produced from one source.
struct CompiledObject {
  /// The relocatable object's bytes.
  std::string object;
  /// Absolute paths of the non-system headers the source included; a cache
  /// entry is stale when one of them changes.
  std::vector<std::string> dependencies;
};

/// Compiles source (named sourceName in diagnostics) to an object for the
/// host. Diagnostics are appended to diagnostics. Returns false on any
/// error, including crashes inside Clang, which are contained.
bool compileToObject(const std::string &source, const std::string &sourceName,
                     const CompileOptions &options, CompiledObject &result,
                     std::string &diagnostics);

/// Names the compiler version, target triple, and the CPU and features that
/// code is generated for; part of every cache key.
std::string toolchainIdentity(bool nativeCpu);

} // namespace bilevel::jit

#endif // BILEVEL_JIT_CLANGFRONTEND_H
