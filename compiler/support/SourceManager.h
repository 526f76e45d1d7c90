//===- SourceManager.h - Owns the text of every spec buffer -----*- C++ -*-===//
//
// Every file the front end reads (the main spec, each include, each
// command-line override) becomes one numbered buffer here. SourceLoc.fileId
// indexes these buffers; id 0 is a placeholder for "no file". Buffers are
// never removed or moved, so string_views into them stay valid for the
// manager's lifetime.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SUPPORT_SOURCEMANAGER_H
#define BILEVEL_SUPPORT_SOURCEMANAGER_H

#include "support/SourceLoc.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bilevel {

class SourceManager {
public:
  SourceManager();
  SourceManager(const SourceManager &) = delete;
  SourceManager &operator=(const SourceManager &) = delete;

  /// Adds an in-memory buffer called \p name (e.g. "<command line>") and
  /// returns its id, which is never 0.
  uint32_t addBuffer(std::string name, std::string text);

  /// Reads \p path into a new buffer. On failure returns nullopt and, when
  /// \p error is non-null, stores a lower-case reason ("no such file").
  std::optional<uint32_t> addFile(const std::string &path, std::string *error);

  /// The name the buffer was added under; "<unknown>" for bad ids.
  const std::string &name(uint32_t id) const;
  /// The whole text of the buffer; empty for bad ids.
  const std::string &text(uint32_t id) const;
  /// The line that \p loc points into, without its line terminator; empty
  /// when the location is invalid or out of range.
  std::string_view lineText(SourceLoc loc) const;
  /// How many buffers exist, counting the placeholder.
  uint32_t bufferCount() const { return uint32_t(buffers.size()); }

  /// Files larger than this are refused by addFile.
  static constexpr size_t kMaxFileBytes = 16u << 20;

private:
  struct Buffer {
    std::string name;
    std::string text;
    std::vector<uint32_t> lineStarts; ///< byte offset of each line
  };
  std::vector<std::unique_ptr<Buffer>> buffers;
};

} // namespace bilevel

#endif // BILEVEL_SUPPORT_SOURCEMANAGER_H
