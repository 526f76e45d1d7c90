//===- Driver.h - The compilation pipeline as one call ----------*- C++ -*-===//
//
// The driver runs the stages in order, each block building on the one
// before: spec → nested program → derived method → kernels → C++. Stages
// are kept so that `show` can print any of them and tests can inspect them.
// Errors are reported through the DiagnosticEngine; a failed stage returns
// false and the later ones are not run.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_TOOL_DRIVER_H
#define BILEVEL_TOOL_DRIVER_H

#include "codegen/CppEmitter.h"
#include "sema/Spec.h"
#include "support/Diagnostics.h"

#include <iosfwd>
#include <optional>

struct blrt_model;

namespace bilevel {

/// The printable stages, in pipeline order (the names `show --stage` takes).
const std::vector<std::string> &stageNames();

struct CompileRequest {
  std::string specPath;
  std::vector<std::string> overrides; ///< --set KEY=VALUE
  std::optional<int> precisionBytes;  ///< overrides train.precision
  /// Run iterative inference to this sweep cap and tolerance (for check).
  std::optional<InferSpec> tighterInference;
};

/// Every stage of one spec's compilation.
class Compilation {
public:
  Compilation(SourceManager &sources, DiagnosticEngine &diags)
      : sources(sources), diags(diags) {}

  /// Runs the pipeline up to and including the C++ source. Returns false
  /// after reporting diagnostics.
  bool run(const CompileRequest &request);

  /// Prints stage \p stage (any of stageNames() except `ast`, which needs
  /// only the parser: see printAstStage).
  void print(const std::string &stage, Format format, std::ostream &os) const;

  const Spec &spec() const { return *spec_; }
  const std::string &cpp() const { return cpp_; }
  /// The data set to load: a quoted relative path written in a spec file is
  /// relative to that file (like an include); one given on the command line
  /// is relative to the working directory.
  std::string dataSource() const;
  int precisionBytes() const { return spec_->train.precisionBytes; }
  const derive::DerivedMethod &derived() const { return derived_; }

private:
  SourceManager &sources;
  DiagnosticEngine &diags;
  ir::Context ctx;
  std::optional<Spec> spec_;
  ir::NestedProgram nested_;
  derive::DerivedMethod derived_;
  lower::KernelProgram kernels_;
  std::string cpp_;
  std::string hash_;
};

/// Prints the `ast` stage of \p path. Returns false after diagnostics.
bool printAstStage(const std::string &path, Format format,
                   SourceManager &sources, DiagnosticEngine &diags,
                   std::ostream &os);

/// A stable 64-bit FNV-1a hash in hex, for banners and run metadata.
std::string stableHash(const std::string &text);

} // namespace bilevel

#endif // BILEVEL_TOOL_DRIVER_H
