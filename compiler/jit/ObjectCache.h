//===- ObjectCache.h - On-disk cache of compiled objects -------*- C++ -*-===//
//
// Compiling generated code costs Clang a few hundred milliseconds; the cache
// makes a repeated `bilevelc train` of an unchanged spec skip Clang entirely.
// An entry is a relocatable object plus a manifest that records the object's
// hash and the hashes of the headers it included, so a corrupt object or an
// edited runtime header turns the entry into a miss instead of wrong code.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_JIT_OBJECTCACHE_H
#define BILEVEL_JIT_OBJECTCACHE_H

#include "ClangFrontend.h"

#include <string>

namespace bilevel::jit {

/// The cache entries under one directory. Every operation fails softly: a
/// cache that cannot be read or written behaves as an empty one.
class ObjectCache {
public:
  /// Uses cacheDir/jit; an empty cacheDir gives a disabled cache.
  explicit ObjectCache(const std::string &cacheDir);

  bool isEnabled() const { return !directory.empty(); }

  /// Hex SHA-256 of everything that determines the object: the source, its
  /// name, the options, the compiler version and the target CPU.
  static std::string computeKey(const std::string &source,
                                const std::string &sourceName,
                                const CompileOptions &options);

  /// Returns true and the object when an intact entry whose headers are
  /// unchanged exists for key.
  bool load(const std::string &key, std::string &object) const;

  /// Writes the entry atomically (temporary file, then rename), the manifest
  /// after the object, so a reader never sees half an entry. Returns false
  /// if it could not be written.
  bool store(const std::string &key, const CompiledObject &compiled) const;

private:
  std::string directory;
};

} // namespace bilevel::jit

#endif // BILEVEL_JIT_OBJECTCACHE_H
