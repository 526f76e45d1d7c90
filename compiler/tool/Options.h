//===- Options.h - bilevelc's command line ----------------------*- C++ -*-===//
//
// Parses `bilevelc COMMAND SPEC [options]` into Options. Usage errors are
// returned as a message (the caller prints it with the usage); nothing here
// exits.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_TOOL_OPTIONS_H
#define BILEVEL_TOOL_OPTIONS_H

#include "support/Format.h"

#include <optional>
#include <string>
#include <vector>

namespace bilevel {

struct Options {
  std::string command; ///< show, emit, train, grad, eval, check
  std::string spec;
  std::string stage = "nested";
  Format format = Format::Text;
  std::string output;    ///< -o FILE
  std::string project;   ///< --project DIR
  std::string plot;      ///< --plot FILE.svg (check)
  std::string params;    ///< --params FILE
  std::string batchFile; ///< --batch FILE (grad)
  std::string runDir;    ///< --out DIR (train)
  std::optional<int> precisionBytes;
  std::vector<std::string> overrides; ///< --set, --data, --epochs, ...
  std::vector<double> betas = {1e-1, 1e-2, 1e-3}; ///< --beta (check)
  int64_t limit = -1; ///< --limit N: use the first N samples of each split
  bool quiet = false;
  bool traceRules = false;
  bool noCache = false;
  bool help = false;
  bool version = false;
};

/// Parses argv. Returns the options, or an error message in \p error.
std::optional<Options> parseOptions(int argc, char **argv, std::string *error);

/// The --help text.
const char *usageText();

} // namespace bilevel

#endif // BILEVEL_TOOL_OPTIONS_H
