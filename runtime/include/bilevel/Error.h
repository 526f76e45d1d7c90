//===- bilevel/Error.h - The runtime's single exception type ------------===//
//
// Every I/O, format or contract problem the runtime detects is reported by
// throwing bilevel::rt::Error. Its message names the file (or object) at
// fault, says what is wrong and, when one is known, how to fix it, so that a
// tool can print it as is.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_ERROR_H
#define BILEVEL_ERROR_H

#include <stdexcept>
#include <string>

namespace bilevel::rt {

/// A user-facing runtime failure; what() is a complete, printable message.
class Error : public std::runtime_error {
public:
  /// Builds the message from its parts: "<where>: <problem>" and, when
  /// \p remedy is not empty, " (<remedy>)".
  Error(const std::string &where, const std::string &problem,
        const std::string &remedy = "")
      : std::runtime_error(where + ": " + problem +
                           (remedy.empty() ? "" : " (" + remedy + ")")) {}

  /// Uses \p message verbatim.
  explicit Error(const std::string &message) : std::runtime_error(message) {}
};

} // namespace bilevel::rt

#endif // BILEVEL_ERROR_H
