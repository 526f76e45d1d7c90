//===- Diagnostics.h - Located errors, warnings and notes -------*- C++ -*-===//
//
// The diagnostics engine prints every problem the front end finds, in the
// clang/chibicc layout:
//
//   spec.bl:4:22: error: unknown activation 'rleu'
//     dense  h1[256] rleu
//                    ^
//   spec.bl:4:22: note: known activations: identity, relu, ...
//
// Library code reports through this engine and returns failure; it never
// exits. After kDefaultErrorLimit errors the engine prints one final line
// and drops everything else, so junk input cannot flood the terminal.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SUPPORT_DIAGNOSTICS_H
#define BILEVEL_SUPPORT_DIAGNOSTICS_H

#include "support/SourceLoc.h"
#include "support/SourceManager.h"

#include <ostream>
#include <string>

namespace bilevel {

/// Unsupported marks valid input that is not handled yet; it prints as
/// "error: unsupported: ..." and counts as an error.
enum class Severity { Error, Warning, Note, Unsupported };

class DiagnosticEngine {
public:
  static constexpr unsigned kDefaultErrorLimit = 20;
  /// Longer messages and source lines are cut, so junk stays readable.
  static constexpr size_t kMaxMessage = 300;
  static constexpr size_t kMaxSnippet = 120;

  /// Prints to \p out; \p sources resolves locations to file names and
  /// source lines and must outlive the engine.
  DiagnosticEngine(const SourceManager &sources, std::ostream &out);

  /// Prints one diagnostic. A location with line 0 but a file id prints as
  /// "file: error: ..."; a fully unknown location prints no prefix. A note
  /// repeats the source line only when it points somewhere other than the
  /// diagnostic before it.
  void report(Severity severity, SourceLoc loc, std::string message);
  void error(SourceLoc loc, std::string message);
  void warning(SourceLoc loc, std::string message);
  void note(SourceLoc loc, std::string message);
  void unsupported(SourceLoc loc, std::string message);

  bool hasErrors() const { return errors != 0; }
  /// Errors reported so far, unsupported ones included, dropped ones too.
  unsigned errorCount() const { return errors; }
  unsigned warningCount() const { return warnings; }

  /// True once the error limit is reached; parsers stop early then.
  bool shouldStop() const { return limitReached; }
  /// Sets the limit; 0 means no limit.
  void setErrorLimit(unsigned limit) { errorLimit = limit; }

private:
  void printLocation(SourceLoc loc);
  void printSnippet(SourceLoc loc);

  const SourceManager &sources;
  std::ostream &out;
  unsigned errors = 0;
  unsigned warnings = 0;
  unsigned errorLimit = kDefaultErrorLimit;
  bool limitReached = false;
  bool dropNotes = false; ///< the last error was dropped, so drop its notes
  SourceLoc lastLoc;      ///< where the last printed diagnostic pointed
};

} // namespace bilevel

#endif // BILEVEL_SUPPORT_DIAGNOSTICS_H
