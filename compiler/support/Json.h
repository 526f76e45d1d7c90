//===- Json.h - Escaping strings for JSON and LaTeX output ------*- C++ -*-===//
//
// Printers build JSON and LaTeX by hand; these helpers make any byte string
// safe to embed. Invalid UTF-8 and control bytes are escaped, so the output
// is always valid whatever the spec contained.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SUPPORT_JSON_H
#define BILEVEL_SUPPORT_JSON_H

#include <string>
#include <string_view>

namespace bilevel {

/// The length of the valid UTF-8 sequence that starts at byte \p i of
/// \p text, or 0 when the bytes there are not valid UTF-8 (or ASCII).
size_t utf8SequenceLength(std::string_view text, size_t i);

/// \p text as a JSON string literal, quotes included.
std::string jsonQuote(std::string_view text);

/// \p text as a double-quoted literal with `"` and `\` escaped: the form a
/// spec string and a C++ string literal share.
std::string quoteLiteral(std::string_view text);

/// \p text with LaTeX special characters escaped, for use in text mode.
std::string latexEscape(std::string_view text);

} // namespace bilevel

#endif // BILEVEL_SUPPORT_JSON_H
