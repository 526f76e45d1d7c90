//===- Commands.h - What each bilevelc command does -------------*- C++ -*-===//
//
// One function per command. Each reports problems (spec diagnostics, data
// errors) itself and returns the process exit code:
//   0 success, 1 spec errors, 2 usage errors, 3 data or file errors.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_TOOL_COMMANDS_H
#define BILEVEL_TOOL_COMMANDS_H

#include "support/Diagnostics.h"
#include "tool/Options.h"

namespace bilevel {

int runCommand(const Options &options, SourceManager &sources,
               DiagnosticEngine &diags);

} // namespace bilevel

#endif // BILEVEL_TOOL_COMMANDS_H
