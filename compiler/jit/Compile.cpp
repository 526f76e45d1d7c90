//===- Compile.cpp - The compile() entry point and its cache policy -------===//
//
// compile() chooses between the two paths that produce an object (a cache
// hit, or Clang on a miss) and hands the object to the linker, so that both
// paths run exactly the same bytes. A cached object that fails to load or
// link is treated as a miss and replaced; failing to write the cache only
// costs the next run a compile.
//
//===----------------------------------------------------------------------===//
#include "jit/Jit.h"

#include "ClangFrontend.h"
#include "Linker.h"
#include "ObjectCache.h"

#include <chrono>
#include <cstdlib>

namespace bilevel::jit {

namespace {

/// Links an object from the cache, or returns nullptr on any problem.
std::unique_ptr<Module> loadCached(const ObjectCache &cache,
                                   const std::string &key,
                                   const std::string &sourceName) {
  std::string object;
  if (!cache.load(key, object))
    return nullptr;
  std::string ignored;
  return linkObject(object, sourceName + " (cached object " + key + ")",
                    ignored);
}

/// Runs Clang, links the object and, when that worked, stores it.
std::unique_ptr<Module>
compileFresh(const std::string &source, const std::string &sourceName,
             const CompileOptions &options, const ObjectCache &cache,
             const std::string &key, std::string &diagnostics) {
  CompiledObject compiled;
  if (!compileToObject(source, sourceName, options, compiled, diagnostics))
    return nullptr;

  std::string error;
  std::unique_ptr<Module> module =
      linkObject(compiled.object, sourceName, error);
  if (!module) {
    diagnostics += "error: " + error + "\n";
    return nullptr;
  }
  if (cache.isEnabled())
    cache.store(key, compiled);
  return module;
}

} // namespace

std::unique_ptr<Module> compile(const std::string &source,
                                const std::string &sourceName,
                                const CompileOptions &options,
                                std::string *diagnostics, CompileStats *stats) {
  auto start = std::chrono::steady_clock::now();
  CompileStats local;
  ObjectCache cache(options.cacheDir);
  if (cache.isEnabled())
    local.cacheKey = ObjectCache::computeKey(source, sourceName, options);

  std::unique_ptr<Module> module;
  if (cache.isEnabled())
    module = loadCached(cache, local.cacheKey, sourceName);
  local.cacheHit = module != nullptr;

  if (!module) {
    std::string messages;
    module = compileFresh(source, sourceName, options, cache, local.cacheKey,
                          messages);
    if (diagnostics)
      *diagnostics += messages;
  }

  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  local.seconds = elapsed.count();
  if (stats)
    *stats = local;
  return module;
}

std::string defaultCacheDir() {
  auto variable = [](const char *name) -> std::string {
    const char *value = std::getenv(name);
    return value ? value : "";
  };
  if (std::string dir = variable("BILEVEL_CACHE_DIR"); !dir.empty())
    return dir;
  if (std::string dir = variable("XDG_CACHE_HOME"); !dir.empty())
    return dir + "/bilevel";
  if (std::string dir = variable("HOME"); !dir.empty())
    return dir + "/.cache/bilevel";
  return "";
}

} // namespace bilevel::jit
