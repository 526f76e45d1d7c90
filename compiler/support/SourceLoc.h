//===- SourceLoc.h - A position in a spec file ------------------*- C++ -*-===//
//
// Every token, AST node and IR node keeps the SourceLoc it came from, so that
// an error found late in the pipeline still points at the user's spec.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SUPPORT_SOURCELOC_H
#define BILEVEL_SUPPORT_SOURCELOC_H

#include <cstdint>

namespace bilevel {

/// A file:line:col position. fileId indexes the SourceManager's files;
/// line and col are 1-based. A default-constructed SourceLoc is "unknown"
/// (for entities with no spelling, e.g. defaults or command-line values).
struct SourceLoc {
  uint32_t fileId = 0;
  uint32_t line = 0;
  uint32_t col = 0;

  bool isValid() const { return line != 0; }
};

} // namespace bilevel

#endif // BILEVEL_SUPPORT_SOURCELOC_H
