//===- bilevelc.cpp - The Bilevel compiler's command-line tool ------------===//
//
// Parses the command line, runs the command, and is the only place that
// chooses an exit code. An internal error (a compiler bug) is reported with
// a request to file the spec instead of crashing.
//
//===----------------------------------------------------------------------===//
#include "support/Assert.h"
#include "tool/Commands.h"

#include <iostream>

int main(int argc, char **argv) {
  using namespace bilevel;
  std::string error;
  std::optional<Options> options = parseOptions(argc, argv, &error);
  if (!options) {
    std::cerr << "bilevelc: error: " << error << "\n\n" << usageText();
    return 2;
  }
  if (options->help) {
    std::cout << usageText();
    return 0;
  }
  if (options->version) {
    std::cout << "bilevelc " << BILEVEL_VERSION << "\n";
    return 0;
  }

  SourceManager sources;
  DiagnosticEngine diags(sources, std::cerr);
  try {
    return runCommand(*options, sources, diags);
  } catch (const InternalError &e) {
    std::cerr << "bilevelc: " << e.what() << "\n";
  } catch (const std::exception &e) {
    std::cerr << "bilevelc: internal compiler error: " << e.what()
              << "; please report it together with the spec\n";
  }
  return 70;
}
