//===- Format.h - Output formats shared by every printer --------*- C++ -*-===//
//
// Each stage printer (AST, nested program, updates, ...) can write plain text
// with Unicode math, LaTeX or JSON; the tool picks one with --format.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SUPPORT_FORMAT_H
#define BILEVEL_SUPPORT_FORMAT_H

#include <optional>
#include <string_view>

namespace bilevel {

enum class Format { Text, Latex, Json };

/// Parses "text", "latex" or "json"; nullopt for anything else.
std::optional<Format> parseFormat(std::string_view name);

/// The spelling parseFormat accepts for \p format.
std::string_view formatName(Format format);

/// "text, latex, json", for the note after an unknown --format.
std::string_view formatNames();

} // namespace bilevel

#endif // BILEVEL_SUPPORT_FORMAT_H
