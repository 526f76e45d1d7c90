//===- Jit.h - Compile generated C++ in-process and run it ------*- C++ -*-===//
//
// The last stage of `bilevelc train`: the C++ text written by the code
// generator is compiled in-process by Clang 14 and linked into this process by
// LLVM's ORC JIT, so its `extern "C"` entry points can be called directly.
// Compiled objects are cached on disk, keyed by a hash of everything that can
// change the machine code. This header includes neither LLVM nor Clang.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_JIT_JIT_H
#define BILEVEL_JIT_JIT_H

#include <memory>
#include <string>
#include <vector>

namespace bilevel::jit {

/// How to compile one source. The source is always compiled as C++17 with
/// -fno-exceptions -fno-rtti -fPIC.
struct CompileOptions {
  /// Directories passed as -I, searched in order.
  std::vector<std::string> includeDirs;
  /// Macro definitions, each "NAME" or "NAME=VALUE".
  std::vector<std::string> defines;
  /// Optimisation flag: "-O0", "-O1", "-O2", "-O3", "-Os" or "-Oz".
  std::string optLevel = "-O2";
  /// Compile for the host CPU (-march=native) rather than baseline x86-64.
  bool nativeCpu = true;
  /// Directory of the object cache; "" disables caching. defaultCacheDir()
  /// gives the usual location.
  std::string cacheDir;
};

/// What compile() did, for logs and benchmarks.
struct CompileStats {
  /// Wall time of the whole compile() call, cache lookup included.
  double seconds = 0;
  /// True when the object came from the cache and Clang did not run.
  bool cacheHit = false;
  /// Hex SHA-256 cache key; set whenever a cache directory was given.
  std::string cacheKey;
};

/// A compiled and linked source. It owns the JIT session: addresses returned
/// by lookup() stay valid exactly as long as the Module lives.
class Module {
public:
  /// The JIT session's state; defined and created only inside compiler/jit.
  struct Impl;

  explicit Module(std::unique_ptr<Impl> impl);
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;
  ~Module();

  /// Returns the address of the (unmangled) symbol, e.g. an `extern "C"`
  /// function's name. When it is absent, returns nullptr and, if error is
  /// not null, stores a message there.
  void *lookup(const std::string &symbol, std::string *error) const;

private:
  std::unique_ptr<Impl> impl;
};

/// Compiles source, named sourceName in diagnostics, and links it. Clang's
/// diagnostics (warnings too) are appended to *diagnostics when it is not
/// null. On any error (bad source, link failure, internal failure) returns
/// nullptr with the reason in *diagnostics; never exits or aborts the host.
/// All symbols are resolved before returning: undefined references are
/// reported here rather than by lookup(). Unresolved names are looked up in
/// the host process, whose symbols must be exported (ENABLE_EXPORTS).
std::unique_ptr<Module> compile(const std::string &source,
                                const std::string &sourceName,
                                const CompileOptions &options,
                                std::string *diagnostics,
                                CompileStats *stats = nullptr);

/// $BILEVEL_CACHE_DIR, else $XDG_CACHE_HOME/bilevel, else
/// $HOME/.cache/bilevel; "" when none of these variables is set.
std::string defaultCacheDir();

/// Reformats C++ source in LLVM style at 80 columns with libclangFormat.
/// Returns the input unchanged if formatting fails.
std::string formatCpp(const std::string &source);

} // namespace bilevel::jit

#endif // BILEVEL_JIT_JIT_H
