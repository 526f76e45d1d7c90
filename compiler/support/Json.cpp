//===- Json.cpp - Escaping strings for JSON and LaTeX output --------------===//
//
// jsonQuote passes valid UTF-8 through and writes \u00XX for control bytes
// and for bytes that are not part of a valid UTF-8 sequence (as U+FFFD would
// lose information, the raw byte value is kept).
//
//===----------------------------------------------------------------------===//
#include "support/Json.h"

#include <cstdio>

namespace bilevel {

size_t utf8SequenceLength(std::string_view s, size_t i) {
  if (i >= s.size())
    return 0;
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80)
    return 1;
  size_t n = c >= 0xF0 && c <= 0xF4   ? 4
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xC2 && c <= 0xDF ? 2
                                      : 0;
  if (n == 0 || i + n > s.size())
    return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
      return 0;
  return n;
}

std::string jsonQuote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
    case '"':
      out += "\\\"";
      continue;
    case '\\':
      out += "\\\\";
      continue;
    case '\n':
      out += "\\n";
      continue;
    case '\t':
      out += "\\t";
      continue;
    case '\r':
      out += "\\r";
      continue;
    default:
      break;
    }
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
      continue;
    }
    if (size_t n = c >= 0x80 ? utf8SequenceLength(text, i) : 0) {
      out.append(text.substr(i, n));
      i += n - 1;
      continue;
    }
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\u%04x", unsigned(c));
    out += escaped;
  }
  return out + "\"";
}

std::string latexEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '\\':
      out += "\\textbackslash{}";
      break;
    case '{':
    case '}':
    case '_':
    case '#':
    case '$':
    case '%':
    case '&':
      out += '\\';
      out += c;
      break;
    case '~':
      out += "\\textasciitilde{}";
      break;
    case '^':
      out += "\\textasciicircum{}";
      break;
    default:
      out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
    }
  }
  return out;
}

std::string quoteLiteral(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "\"";
}

} // namespace bilevel
