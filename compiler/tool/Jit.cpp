//===- Jit.cpp - Compiling a Compilation's C++ into a live model ----------===//
//
// Checks the descriptor the module exports before anyone calls through it:
// a model built against another ABI version or precision is refused.
//
//===----------------------------------------------------------------------===//
#include "tool/Jit.h"

#include <fmt/format.h>

namespace bilevel {

std::string runtimeIncludeDir() { return BILEVEL_RUNTIME_INCLUDE_DIR; }

LoadedModel loadModel(const std::string &cpp, const std::string &name,
                      bool useCache, std::string *error,
                      const std::string &optLevel) {
  LoadedModel m;
  jit::CompileOptions opts;
  opts.optLevel = optLevel;
  opts.includeDirs.push_back(runtimeIncludeDir());
  if (useCache)
    opts.cacheDir = jit::defaultCacheDir();
  std::string diagnostics;
  m.module = jit::compile(cpp, name, opts, &diagnostics, &m.stats);
  if (!m.module) {
    *error = "the generated code did not compile (an internal error; please "
             "report it with the spec):\n" +
             diagnostics;
    return m;
  }
  std::string why;
  void *entry = m.module->lookup(BLRT_MODEL_ENTRY, &why);
  if (!entry) {
    *error = "the generated code exports no model: " + why;
    m.module.reset();
    return m;
  }
  m.model = reinterpret_cast<blrt_model_entry_fn>(entry)();
  if (!m.model || m.model->abi_version != BLRT_ABI_VERSION) {
    *error = fmt::format("the generated model has ABI version {}, the runtime "
                         "expects {}",
                         m.model ? m.model->abi_version : -1, BLRT_ABI_VERSION);
    m.model = nullptr;
    m.module.reset();
  }
  return m;
}

} // namespace bilevel
