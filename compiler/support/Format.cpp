//===- Format.cpp - Output formats shared by every printer ----------------===//
//
// The spellings here are what `bilevelc show --format` accepts.
//
//===----------------------------------------------------------------------===//
#include "support/Format.h"

namespace bilevel {

std::optional<Format> parseFormat(std::string_view name) {
  if (name == "text")
    return Format::Text;
  if (name == "latex")
    return Format::Latex;
  if (name == "json")
    return Format::Json;
  return std::nullopt;
}

std::string_view formatName(Format format) {
  switch (format) {
  case Format::Text:
    return "text";
  case Format::Latex:
    return "latex";
  case Format::Json:
    return "json";
  }
  return "text";
}

std::string_view formatNames() { return "text, latex, json"; }

} // namespace bilevel
