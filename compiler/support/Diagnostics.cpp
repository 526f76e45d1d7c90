//===- Diagnostics.cpp - Located errors, warnings and notes ---------------===//
//
// Formatting of diagnostics: the location prefix, the severity word, the
// message, then the source line and a caret under the column. The caret line
// copies tabs from the source line so the caret stays aligned, and counts a
// UTF-8 sequence as one column on screen.
//
//===----------------------------------------------------------------------===//
#include "support/Diagnostics.h"

#include "support/Json.h"

#include <algorithm>

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
  bool isError =
      severity == Severity::Error || severity == Severity::Unsupported;
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

  if (message.size() > kMaxMessage)
    message = message.substr(0, kMaxMessage) + "...";
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

  // Long lines are cut to a window around the column, marked with "...".
  size_t column = std::min<size_t>(loc.col - 1, line.size());
  std::string shown = "  ";
  std::string caret = "  ";
  if (line.size() > kMaxSnippet) {
    size_t begin = column > kMaxSnippet / 2 ? column - kMaxSnippet / 2 : 0;
    size_t end = std::min(line.size(), begin + kMaxSnippet);
    if (begin > 0) {
      shown += "...";
      caret += "   ";
    }
    shown += line.substr(begin, end - begin);
    if (end < line.size())
      shown += "...";
    line = line.substr(begin, end - begin);
    column -= begin;
  } else {
    shown += line;
  }

  // Control bytes and broken UTF-8 would garble a terminal; show '?'.
  for (size_t i = 0; i < shown.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(shown[i]);
    size_t n = utf8SequenceLength(shown, i);
    if ((c < 0x20 && c != '\t') || c == 0x7f || n == 0)
      shown[i] = '?';
    else
      i += n - 1;
  }
  out << shown << '\n';

  // One caret column per character: a UTF-8 sequence or a single '?'.
  for (size_t i = 0; i < column;) {
    caret += line[i] == '\t' ? '\t' : ' ';
    i += std::max<size_t>(1, utf8SequenceLength(line, i));
  }
  out << caret << "^\n";
}

} // namespace bilevel
