//===- Assert.h - Internal-error checks -------------------------*- C++ -*-===//
//
// CompileError reports a spec problem found after sema. BL_ASSERT and
// BL_UNREACHABLE mark conditions that only a compiler bug can
// break (never bad user input: that gets a diagnostic). They throw
// InternalError, which the tool's main() reports with a request to file the
// spec, so a bug never silently produces code.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SUPPORT_ASSERT_H
#define BILEVEL_SUPPORT_ASSERT_H

#include "support/SourceLoc.h"

#include <stdexcept>
#include <string>

namespace bilevel {

class InternalError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

[[noreturn]] inline void internalError(const char *file, int line,
                                       const std::string &what) {
  throw InternalError("internal compiler error: " + what + " (" + file + ":" +
                      std::to_string(line) +
                      "); please report it together with the spec");
}

} // namespace bilevel

#define BL_ASSERT(cond, msg)                                                   \
  do {                                                                         \
    if (!(cond))                                                               \
      ::bilevel::internalError(__FILE__, __LINE__,                             \
                               std::string(#cond ": ") + (msg));               \
  } while (0)

#define BL_UNREACHABLE(msg) ::bilevel::internalError(__FILE__, __LINE__, (msg))

namespace bilevel {

/// A problem with the user's spec found after sema (for example a method
/// whose rules cannot apply to this network). It carries the spec location
/// and a remedy; the driver turns it into a diagnostic. \c unsupported marks
/// valid input that the compiler does not handle yet.
class CompileError : public std::runtime_error {
public:
  CompileError(SourceLoc loc, const std::string &message, std::string note = {},
               bool unsupported = false)
      : std::runtime_error(message), loc(loc), note(std::move(note)),
        unsupported(unsupported) {}

  SourceLoc loc;
  std::string note;
  bool unsupported;
};

} // namespace bilevel

#endif // BILEVEL_SUPPORT_ASSERT_H
