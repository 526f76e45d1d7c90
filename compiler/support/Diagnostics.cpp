//===- Diagnostics.cpp - Located errors, warnings and notes ---------------===//
//
// Formatting of diagnostics: the location prefix, the severity word, the
// message, then the source line and a caret under the column. The caret line
// copies tabs from the source line so the caret stays aligned, and skips
// UTF-8 continuation bytes, which take no column of their own on screen.
//
//===----------------------------------------------------------------------===//
#include "support/Diagnostics.h"

namespace bilevel {

DiagnosticEngine::DiagnosticEngine(const SourceManager &sources,
                                   std::ostream &out)
    : sources(sources), out(out) {}

void DiagnosticEngine::error(SourceLoc loc, std::string message) {
  report(Severity::Error, loc, std::move(message));
}

void DiagnosticEngine::warning(SourceLoc loc, std::string message) {
  report(Severity::Warning, loc, std::move(message));
}

void DiagnosticEngine::note(SourceLoc loc, std::string message) {
  report(Severity::Note, loc, std::move(message));
}

void DiagnosticEngine::unsupported(SourceLoc loc, std::string message) {
  report(Severity::Unsupported, loc, std::move(message));
}

void DiagnosticEngine::report(Severity severity, SourceLoc loc,
                              std::string message) {
  bool isError = severity == Severity::Error ||
                 severity == Severity::Unsupported;
  if (isError)
    ++errors;
  if (severity == Severity::Warning)
    ++warnings;

  // Past the limit, count but print nothing (notes follow their error).
  if (severity == Severity::Note && dropNotes)
    return;
  if (limitReached) {
    dropNotes = true;
    return;
  }
  dropNotes = false;
  if (isError && errorLimit != 0 && errors > errorLimit) {
    limitReached = true;
    dropNotes = true;
    out << "error: too many errors emitted, stopping now\n";
    return;
  }

  printLocation(loc);
  switch (severity) {
  case Severity::Error:
    out << "error: ";
    break;
  case Severity::Warning:
    out << "warning: ";
    break;
  case Severity::Note:
    out << "note: ";
    break;
  case Severity::Unsupported:
    out << "error: unsupported: ";
    break;
  }
  out << message << '\n';

  bool sameAsLast = loc.fileId == lastLoc.fileId && loc.line == lastLoc.line &&
                    loc.col == lastLoc.col;
  if (severity != Severity::Note || !sameAsLast)
    printSnippet(loc);
  lastLoc = loc;
}

void DiagnosticEngine::printLocation(SourceLoc loc) {
  if (loc.fileId == 0)
    return;
  out << sources.name(loc.fileId);
  if (loc.isValid())
    out << ':' << loc.line << ':' << loc.col;
  out << ": ";
}

void DiagnosticEngine::printSnippet(SourceLoc loc) {
  if (!loc.isValid() || loc.fileId == 0)
    return;
  std::string_view line = sources.lineText(loc);

  // Control bytes would garble a terminal; show them as '?'.
  std::string shown = "  ";
  for (char c : line)
    shown += (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f
                 ? '?'
                 : c;
  out << shown << '\n';

  std::string caret = "  ";
  for (size_t i = 0; i + 1 < loc.col && i < line.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80)
      continue;
    caret += c == '\t' ? '\t' : ' ';
  }
  out << caret << "^\n";
}

} // namespace bilevel
