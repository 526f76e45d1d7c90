//===- ObjectCache.cpp - On-disk cache of compiled objects ----------------===//
//
// Layout: <cacheDir>/jit/<key>.o holds the object and <key>.manifest lists
//
//     bilevel-jit-cache 1
//     object <sha256> <size>
//     header <sha256> <absolute path>      (one line per included header)
//
// The key is a SHA-256, not a faster non-cryptographic hash: a collision
// would silently run the wrong code, and hashing a generated source of a few
// kilobytes costs microseconds either way (LLVM 14 has no BLAKE3).
//
//===----------------------------------------------------------------------===//
#include "ObjectCache.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"

namespace bilevel::jit {

namespace {

constexpr const char *manifestHeader = "bilevel-jit-cache 1";

std::string sha256Hex(llvm::StringRef data) {
  return llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(data)),
                     /*LowerCase=*/true);
}

/// Feeds one field into the hash, length first, so that no two different
/// field sequences produce the same byte stream.
void addField(llvm::SHA256 &hash, llvm::StringRef field) {
  hash.update(std::to_string(field.size()) + ":");
  hash.update(field);
}

/// The whole file, or false if it cannot be read.
bool readFile(const std::string &path, std::string &contents) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return false;
  contents = (*buffer)->getBuffer().str();
  return true;
}

/// True when the file at path exists and hashes to expectedHash.
bool fileMatches(const std::string &path, llvm::StringRef expectedHash) {
  std::string contents;
  return readFile(path, contents) && sha256Hex(contents) == expectedHash;
}

bool writeAtomically(const std::string &path, llvm::StringRef contents) {
  llvm::Error error =
      llvm::writeFileAtomically(path + "-%%%%%%%%.tmp", path, contents);
  if (!error)
    return true;
  llvm::consumeError(std::move(error));
  return false;
}

} // namespace

ObjectCache::ObjectCache(const std::string &cacheDir) {
  if (cacheDir.empty())
    return;
  llvm::SmallString<256> path(cacheDir);
  llvm::sys::path::append(path, "jit");
  directory = std::string(path);
}

std::string ObjectCache::computeKey(const std::string &source,
                                    const std::string &sourceName,
                                    const CompileOptions &options) {
  llvm::SHA256 hash;
  addField(hash, manifestHeader);
  addField(hash, source);
  addField(hash, sourceName);

  // Relative include directories are resolved first: the same text names
  // other headers from another working directory.
  addField(hash, std::to_string(options.includeDirs.size()));
  for (const std::string &dir : options.includeDirs) {
    llvm::SmallString<256> absolute(dir);
    llvm::sys::fs::make_absolute(absolute);
    addField(hash, absolute);
  }
  addField(hash, std::to_string(options.defines.size()));
  for (const std::string &define : options.defines)
    addField(hash, define);
  addField(hash, options.optLevel);
  addField(hash, options.nativeCpu ? "native" : "generic");
  addField(hash, toolchainIdentity(options.nativeCpu));
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

bool ObjectCache::load(const std::string &key, std::string &object) const {
  if (!isEnabled())
    return false;
  std::string base = directory + "/" + key;
  std::string manifest;
  if (!readFile(base + ".manifest", manifest))
    return false;

  llvm::SmallVector<llvm::StringRef, 8> lines;
  llvm::StringRef(manifest).split(lines, '\n', -1, /*KeepEmpty=*/false);
  if (lines.size() < 2 || lines[0] != manifestHeader)
    return false;

  // The object line: its hash and size must match the file exactly.
  llvm::SmallVector<llvm::StringRef, 3> objectLine;
  lines[1].split(objectLine, ' ');
  if (objectLine.size() != 3 || objectLine[0] != "object")
    return false;
  if (!readFile(base + ".o", object) ||
      std::to_string(object.size()) != objectLine[2] ||
      sha256Hex(object) != objectLine[1])
    return false;

  // Each header line: "header <hash> <path>", the path may hold spaces.
  for (llvm::StringRef line : llvm::makeArrayRef(lines).drop_front(2)) {
    auto [kind, rest] = line.split(' ');
    auto [headerHash, path] = rest.split(' ');
    if (kind != "header" || path.empty() ||
        !fileMatches(path.str(), headerHash))
      return false;
  }
  return true;
}

bool ObjectCache::store(const std::string &key,
                        const CompiledObject &compiled) const {
  if (!isEnabled() || llvm::sys::fs::create_directories(directory))
    return false;

  std::string manifest = std::string(manifestHeader) + "\n";
  manifest += "object " + sha256Hex(compiled.object) + " " +
              std::to_string(compiled.object.size()) + "\n";
  for (const std::string &header : compiled.dependencies) {
    std::string contents;
    if (!readFile(header, contents))
      return false;
    manifest += "header " + sha256Hex(contents) + " " + header + "\n";
  }

  std::string base = directory + "/" + key;
  return writeAtomically(base + ".o", compiled.object) &&
         writeAtomically(base + ".manifest", manifest);
}

} // namespace bilevel::jit
