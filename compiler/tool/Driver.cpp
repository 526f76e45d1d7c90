//===- Driver.cpp - The compilation pipeline as one call ------------------===//
//
// Reads as the pipeline's table of contents: one block per stage. Errors
// that later stages find in the spec arrive as CompileError and are
// reported at the spec location they carry.
//
//===----------------------------------------------------------------------===//
#include "tool/Driver.h"

#include "derive/PrintUpdates.h"
#include "jit/Jit.h"
#include "sema/Frontend.h"
#include "support/Assert.h"

#include <fmt/format.h>

#include <filesystem>
#include <ostream>

namespace bilevel {

const std::vector<std::string> &stageNames() {
  static const std::vector<std::string> names = {
      "ast",     "nested",   "relaxed", "eliminated",
      "updates", "schedule", "kernels", "cpp"};
  return names;
}

std::string stableHash(const std::string &text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

bool Compilation::run(const CompileRequest &request) {
  // Front end: parse, include, override, check.
  spec_ = loadSpec(request.specPath, request.overrides, sources, diags);
  if (!spec_)
    return false;
  if (request.precisionBytes)
    spec_->train.precisionBytes = *request.precisionBytes;
  // Predictive coding is defined on pre-activation states with quadratic
  // energies (reformulation.md §4.2): the preset selects that energy model.
  if (spec_->method.preset == "pcn")
    spec_->network.states = StateModel::PreActivation;

  try {
    // The nested program of reformulation.md §1.
    nested_ = ir::buildNestedProgram(ctx, *spec_);

    // The method's rules, then its updates.
    derived_ = derive::deriveMethod(
        ctx, nested_, *spec_,
        request.tighterInference ? &*request.tighterInference : nullptr);

    // Kernels and C++.
    kernels_ = lower::lowerMethod(nested_, derived_);
    std::string key = request.specPath;
    for (const std::string &o : request.overrides)
      key += "\n" + o;
    key += fmt::format("\nprecision={}", spec_->train.precisionBytes);
    for (uint32_t id = 0; id < sources.bufferCount(); ++id)
      key += "\n" + sources.text(id);
    hash_ = stableHash(key);
    codegen::EmitOptions opts;
    opts.precisionBytes = spec_->train.precisionBytes;
    opts.specName = request.specPath;
    opts.specHash = hash_;
    cpp_ = jit::formatCpp(codegen::emitCpp(kernels_, opts));
  } catch (const CompileError &e) {
    diags.report(e.unsupported ? Severity::Unsupported : Severity::Error, e.loc,
                 e.what());
    if (!e.note.empty())
      diags.note(e.loc, e.note);
    return false;
  }
  return true;
}

void Compilation::print(const std::string &stage, Format format,
                        std::ostream &os) const {
  if (stage == "nested") {
    ir::printNested(nested_, format, os);
  } else if (stage == "relaxed") {
    rules::printRelaxed(nested_, derived_.relaxed, format, os);
  } else if (stage == "eliminated") {
    derive::printEliminated(nested_, derived_, format, os);
  } else if (stage == "updates") {
    derive::printUpdates(nested_, derived_, format, os);
  } else if (stage == "schedule") {
    derive::printSchedule(nested_, derived_, format, os);
  } else if (stage == "kernels") {
    lower::printKernels(kernels_, format, os);
  } else if (stage == "cpp") {
    os << cpp_;
  } else {
    BL_UNREACHABLE("unknown stage " + stage);
  }
}

std::string Compilation::dataSource() const {
  const TrainSpec &t = spec_->train;
  if (!t.dataIsPath || std::filesystem::path(t.data).is_absolute() ||
      !t.dataLoc.isValid() ||
      sources.name(t.dataLoc.fileId) == "<command line>")
    return t.data;
  return (std::filesystem::path(sources.name(t.dataLoc.fileId)).parent_path() /
          t.data)
      .string();
}

bool printAstStage(const std::string &path, Format format,
                   SourceManager &sources, DiagnosticEngine &diags,
                   std::ostream &os) {
  std::unique_ptr<ast::File> file = parseSpecFile(path, sources, diags);
  if (!file || diags.hasErrors())
    return false;
  printAst(*file, format, os);
  return true;
}

} // namespace bilevel
