//===- ClangFrontend.cpp - C++ source to an object file in memory ---------===//
//
// Three steps. Clang's driver, given the path of the installed clang++, turns
// an ordinary command line into cc1 arguments; that is how libstdc++, the
// resource directory and -march=native are found. A CompilerInstance then
// runs EmitLLVMOnlyAction on the source, served from memory as a remapped
// file, which yields an optimised llvm::Module. Finally a TargetMachine with
// the CPU and features Clang chose emits the module as a PIC object into
// memory. Diagnostics of all three steps go to one string, never to stderr.
//
//===----------------------------------------------------------------------===//
#include "ClangFrontend.h"

#include "LlvmSetup.h"

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/DiagnosticFrontend.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/Version.h"
#include "clang/CodeGen/CodeGenAction.h"
#include "clang/Driver/Compilation.h"
#include "clang/Driver/Driver.h"
#include "clang/Driver/Job.h"
#include "clang/Driver/Tool.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/Frontend/Utils.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Host.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

#include <algorithm>

namespace bilevel::jit {

namespace {

/// The installed driver binary. Clang derives the GCC installation (for
/// libstdc++) and its resource directory from this path; it is never run.
constexpr const char *clangPath = "/usr/lib/llvm-14/bin/clang++";

/// The command line a user would type to compile the source.
std::vector<std::string> driverArguments(const std::string &sourceName,
                                         const CompileOptions &options) {
  std::vector<std::string> args = {clangPath,         "-std=c++17",
                                   "-fno-exceptions", "-fno-rtti",
                                   "-fPIC",           "-fno-color-diagnostics",
                                   options.optLevel};
  if (options.nativeCpu)
    args.push_back("-march=native");
  for (const std::string &dir : options.includeDirs)
    args.push_back("-I" + dir);
  for (const std::string &define : options.defines)
    args.push_back("-D" + define);
  args.push_back("-c");
  // The source is C++ whatever its name ends with (callers name it after
  // the spec, e.g. "model.bl").
  args.push_back("-xc++");
  args.push_back(sourceName);
  return args;
}

/// Builds the cc1 invocation through Clang's driver. Returns nullptr after
/// reporting an error through diags.
std::shared_ptr<clang::CompilerInvocation>
buildInvocation(const std::vector<std::string> &args,
                clang::DiagnosticsEngine &diags) {
  std::vector<const char *> argv;
  for (const std::string &arg : args)
    argv.push_back(arg.c_str());

  clang::driver::Driver driver(clangPath, llvm::sys::getDefaultTargetTriple(),
                               diags, "bilevel jit");
  driver.setCheckInputsExist(false);
  std::unique_ptr<clang::driver::Compilation> compilation(
      driver.BuildCompilation(argv));
  if (!compilation || diags.hasErrorOccurred())
    return nullptr;

  // Exactly one job is expected: the cc1 compile of our single input.
  const clang::driver::JobList &jobs = compilation->getJobs();
  if (jobs.size() != 1 || !llvm::isa<clang::driver::Command>(*jobs.begin())) {
    diags.Report(clang::diag::err_fe_expected_compiler_job) << "";
    return nullptr;
  }
  const auto &command = llvm::cast<clang::driver::Command>(*jobs.begin());
  llvm::ArrayRef<const char *> cc1Args = command.getArguments();
  if (!cc1Args.empty() && llvm::StringRef(cc1Args.front()) == "-cc1")
    cc1Args = cc1Args.drop_front();

  auto invocation = std::make_shared<clang::CompilerInvocation>();
  if (!clang::CompilerInvocation::CreateFromArgs(*invocation, cc1Args, diags,
                                                 clangPath))
    return nullptr;
  return invocation;
}

/// Code that needs static construction or registers destructors would need
/// run-time support the JIT does not provide; reject it with a message.
bool checkNoStaticInit(const llvm::Module &module, llvm::raw_ostream &diag) {
  for (const char *name : {"llvm.global_ctors", "llvm.global_dtors"}) {
    if (module.getNamedGlobal(name)) {
      diag << "error: JIT code must not need static initialisation or "
              "destruction (found "
           << name << ")\n";
      return false;
    }
  }
  for (const char *name : {"__cxa_atexit", "__cxa_thread_atexit"}) {
    if (module.getFunction(name)) {
      diag << "error: JIT code must not register exit-time destructors "
              "(it calls "
           << name << ")\n";
      return false;
    }
  }
  return true;
}

llvm::CodeGenOpt::Level codeGenLevel(unsigned optimizationLevel) {
  switch (optimizationLevel) {
  case 0:
    return llvm::CodeGenOpt::None;
  case 1:
    return llvm::CodeGenOpt::Less;
  case 2:
    return llvm::CodeGenOpt::Default;
  default:
    return llvm::CodeGenOpt::Aggressive;
  }
}

/// Emits module as an object file for the CPU and features in targetOpts.
bool emitObject(llvm::Module &module, const clang::TargetOptions &targetOpts,
                unsigned optimizationLevel, std::string &object,
                llvm::raw_ostream &diag) {
  std::string error;
  const std::string &triple = module.getTargetTriple();
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target) {
    diag << "error: no LLVM target for " << triple << ": " << error << "\n";
    return false;
  }

  // PIC and the small code model: JIT memory may lie anywhere, so every
  // reference outside the object goes through the GOT or a stub.
  std::string features = llvm::join(targetOpts.Features, ",");
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, targetOpts.CPU, features, llvm::TargetOptions(),
      llvm::Reloc::PIC_, llvm::CodeModel::Small,
      codeGenLevel(optimizationLevel)));
  if (!machine) {
    diag << "error: cannot create a target machine for " << triple << "\n";
    return false;
  }
  module.setDataLayout(machine->createDataLayout());

  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream stream(buffer);
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, stream, nullptr,
                                   llvm::CGFT_ObjectFile)) {
    diag << "error: the target cannot emit object files\n";
    return false;
  }
  passes.run(module);
  object.assign(buffer.begin(), buffer.end());
  return true;
}

/// Absolute paths of the headers collected during the compile, without the
/// main file.
std::vector<std::string> headerPaths(const clang::DependencyCollector &deps,
                                     const std::string &sourceName) {
  std::vector<std::string> paths;
  for (const std::string &dep : deps.getDependencies()) {
    if (dep == sourceName)
      continue;
    llvm::SmallString<256> path(dep);
    llvm::sys::fs::make_absolute(path);
    paths.push_back(std::string(path));
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

/// The driver quietly accepts any -O spelling; only the documented ones
/// are allowed.
bool isKnownOptLevel(const std::string &flag) {
  for (const char *known : {"-O0", "-O1", "-O2", "-O3", "-Os", "-Oz"})
    if (flag == known)
      return true;
  return false;
}

/// The body of compileToObject(), run under crash recovery.
bool compileUnsafe(const std::string &source, const std::string &sourceName,
                   const CompileOptions &options, CompiledObject &result,
                   llvm::raw_ostream &diagStream) {
  if (!isKnownOptLevel(options.optLevel)) {
    diagStream << "error: unknown optimisation level '" << options.optLevel
               << "' (expected -O0, -O1, -O2, -O3, -Os or -Oz)\n";
    return false;
  }

  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> driverDiagOpts =
      new clang::DiagnosticOptions();
  clang::DiagnosticsEngine driverDiags(
      new clang::DiagnosticIDs(), driverDiagOpts,
      new clang::TextDiagnosticPrinter(diagStream, driverDiagOpts.get()));
  std::shared_ptr<clang::CompilerInvocation> invocation =
      buildInvocation(driverArguments(sourceName, options), driverDiags);
  if (!invocation)
    return false;

  // Free memory normally (the driver asks cc1 to leak it, as a process
  // would exit anyway) and serve the source from memory.
  clang::CompilerInstance compiler;
  compiler.setInvocation(invocation);
  compiler.createDiagnostics(new clang::TextDiagnosticPrinter(
                                 diagStream, &compiler.getDiagnosticOpts()),
                             /*ShouldOwnClient=*/true);
  compiler.setVerboseOutputStream(diagStream);
  compiler.getFrontendOpts().DisableFree = false;
  compiler.getCodeGenOpts().DisableFree = false;
  compiler.getPreprocessorOpts().addRemappedFile(
      sourceName,
      llvm::MemoryBuffer::getMemBufferCopy(source, sourceName).release());
  auto dependencies = std::make_shared<clang::DependencyCollector>();
  compiler.addDependencyCollector(dependencies);

  llvm::LLVMContext context;
  clang::EmitLLVMOnlyAction action(&context);
  if (!compiler.ExecuteAction(action))
    return false;
  std::unique_ptr<llvm::Module> module = action.takeModule();
  if (!module) {
    diagStream << "error: Clang produced no LLVM module\n";
    return false;
  }

  if (!checkNoStaticInit(*module, diagStream))
    return false;
  if (!emitObject(*module, compiler.getTargetOpts(),
                  compiler.getCodeGenOpts().OptimizationLevel, result.object,
                  diagStream))
    return false;
  result.dependencies = headerPaths(*dependencies, sourceName);
  return true;
}

} // namespace

bool compileToObject(const std::string &source, const std::string &sourceName,
                     const CompileOptions &options, CompiledObject &result,
                     std::string &diagnostics) {
  llvm::raw_string_ostream diagStream(diagnostics);
  bool ok = false;
  std::string crash;
  bool completed = runSafely(
      [&] {
        ok = compileUnsafe(source, sourceName, options, result, diagStream);
      },
      &crash);
  diagStream.flush();
  if (!completed) {
    diagnostics += "error: " + crash + "\n";
    return false;
  }
  return ok;
}

std::string toolchainIdentity(bool nativeCpu) {
  std::string identity = clang::getClangFullVersion() + "\n" +
                         llvm::sys::getDefaultTargetTriple() + "\n";
  if (!nativeCpu)
    return identity + "generic\n";

  // The CPU name alone can hide differences (a virtual machine may mask
  // AVX-512), so the enabled features are part of the identity too.
  identity += llvm::sys::getHostCPUName().str() + "\n";
  llvm::StringMap<bool> features;
  std::vector<std::string> enabled;
  if (llvm::sys::getHostCPUFeatures(features))
    for (const auto &feature : features)
      if (feature.getValue())
        enabled.push_back(feature.getKey().str());
  std::sort(enabled.begin(), enabled.end());
  for (const std::string &feature : enabled)
    identity += feature + ",";
  return identity + "\n";
}

} // namespace bilevel::jit
