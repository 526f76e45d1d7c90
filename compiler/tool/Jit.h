//===- Jit.h - Compiling a Compilation's C++ into a live model --*- C++ -*-===//
//
// Glue between the pipeline and compiler/jit: compiles the emitted source
// with the runtime's include directory and the object cache, and returns the
// model descriptor the runtime drives.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_TOOL_JIT_H
#define BILEVEL_TOOL_JIT_H

#include "jit/Jit.h"

#include <bilevel/abi.h>

#include <memory>
#include <string>

namespace bilevel {

struct LoadedModel {
  std::unique_ptr<jit::Module> module; ///< keeps the code alive
  const blrt_model *model = nullptr;
  jit::CompileStats stats;
};

/// JIT-compiles \p cpp (named \p name in diagnostics). On failure returns
/// an empty model and the reason in \p error.
/// \p optLevel is Clang's -O flag: training wants -O2; checks of small
/// networks compile faster at -O1.
LoadedModel loadModel(const std::string &cpp, const std::string &name,
                      bool useCache, std::string *error,
                      const std::string &optLevel = "-O2");

/// Where the runtime's public headers are (for generated code).
std::string runtimeIncludeDir();

} // namespace bilevel

#endif // BILEVEL_TOOL_JIT_H
