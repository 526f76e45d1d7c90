//===- Linker.cpp - Link an object file into a JIT session ----------------===//
//
// Each Module owns one LLJIT whose object layer is JITLink (ObjectLinkingLayer)
// with eh-frame registration, rather than LLVM 14's default RuntimeDyld: its
// unwind tables are registered with the host's unwinder, so stack traces and
// debuggers see through JIT frames. Unresolved names fall through to the host
// process's exported symbols. Linking is eager: every symbol the object
// defines is looked up once, so link errors surface in compile() and lookup()
// afterwards is a plain table search that never calls into LLVM.
//
//===----------------------------------------------------------------------===//
#include "Linker.h"

#include "LlvmSetup.h"

#include "llvm/ExecutionEngine/JITLink/EHFrameSupport.h"
#include "llvm/ExecutionEngine/JITLink/JITLinkMemoryManager.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/ExecutionEngine/Orc/ObjectFileInterface.h"
#include "llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h"
#include "llvm/Support/MemoryBuffer.h"

#include <unordered_map>

namespace bilevel::jit {

struct Module::Impl {
  /// Errors the session reported on its own, which would otherwise go to
  /// stderr. Declared first: the session may report while it is destroyed.
  std::string reportedErrors;
  /// Every symbol the object defines, by unmangled name.
  std::unordered_map<std::string, void *> symbols;
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

Module::Module(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}

Module::~Module() = default;

void *Module::lookup(const std::string &symbol, std::string *error) const {
  auto found = impl->symbols.find(symbol);
  if (found != impl->symbols.end())
    return found->second;
  if (error)
    *error = "symbol '" + symbol + "' is not defined by the compiled module";
  return nullptr;
}

namespace {

/// An object layer using JITLink in this process, with eh-frame support.
llvm::Expected<std::unique_ptr<llvm::orc::ObjectLayer>>
createLinkingLayer(llvm::orc::ExecutionSession &session, const llvm::Triple &) {
  auto memory = llvm::jitlink::InProcessMemoryManager::Create();
  if (!memory)
    return memory.takeError();
  auto layer = std::make_unique<llvm::orc::ObjectLinkingLayer>(
      session, std::move(*memory));
  layer->addPlugin(std::make_unique<llvm::orc::EHFrameRegistrationPlugin>(
      session, std::make_unique<llvm::jitlink::InProcessEHFrameRegistrar>()));
  return std::move(layer);
}

/// A JIT for the host that also sees the host process's symbols.
llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>> createJit() {
  auto machineBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machineBuilder)
    return machineBuilder.takeError();
  auto jit = llvm::orc::LLJITBuilder()
                 .setJITTargetMachineBuilder(std::move(*machineBuilder))
                 .setObjectLinkingLayerCreator(createLinkingLayer)
                 .create();
  if (!jit)
    return jit.takeError();

  auto host = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      (*jit)->getDataLayout().getGlobalPrefix());
  if (!host)
    return host.takeError();
  (*jit)->getMainJITDylib().addGenerator(std::move(*host));
  return jit;
}

/// Adds the object and links it; fills impl.symbols.
llvm::Error linkInto(Module::Impl &impl, const std::string &object,
                     const std::string &objectName) {
  auto jit = createJit();
  if (!jit)
    return jit.takeError();
  impl.jit = std::move(*jit);
  llvm::orc::ExecutionSession &session = impl.jit->getExecutionSession();
  session.setErrorReporter([&impl](llvm::Error error) {
    impl.reportedErrors += llvm::toString(std::move(error)) + "\n";
  });
  llvm::orc::JITDylib &dylib = impl.jit->getMainJITDylib();

  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(object, objectName);
  auto interface =
      llvm::orc::getObjectFileInterface(session, buffer->getMemBufferRef());
  if (!interface)
    return interface.takeError();
  if (llvm::Error error = impl.jit->addObjectFile(dylib, std::move(buffer)))
    return error;

  // Looking up every defined symbol links the whole object now.
  llvm::orc::SymbolLookupSet wanted;
  for (const auto &entry : interface->SymbolFlags)
    wanted.add(entry.first);
  auto resolved = session.lookup(
      llvm::orc::makeJITDylibSearchOrder(
          &dylib, llvm::orc::JITDylibLookupFlags::MatchAllSymbols),
      wanted);
  if (!resolved)
    return resolved.takeError();

  char prefix = impl.jit->getDataLayout().getGlobalPrefix();
  for (const auto &[name, symbol] : *resolved) {
    llvm::StringRef mangled = *name;
    if (prefix != '\0' && mangled.startswith(llvm::StringRef(&prefix, 1)))
      mangled = mangled.drop_front();
    impl.symbols[mangled.str()] =
        reinterpret_cast<void *>(static_cast<uintptr_t>(symbol.getAddress()));
  }
  return llvm::Error::success();
}

} // namespace

std::unique_ptr<Module> linkObject(const std::string &object,
                                   const std::string &objectName,
                                   std::string &error) {
  auto impl = std::make_unique<Module::Impl>();
  std::string linkError;
  bool completed = runSafely(
      [&] {
        if (llvm::Error failure = linkInto(*impl, object, objectName))
          linkError = llvm::toString(std::move(failure));
      },
      &error);
  if (!completed) {
    (void)impl.release(); // Its state is unknown after a crash; leak it.
    return nullptr;
  }
  if (!linkError.empty()) {
    error = "cannot link " + objectName + ": " + linkError;
    if (!impl->reportedErrors.empty() &&
        impl->reportedErrors.find(linkError) == std::string::npos)
      error += "\n" + impl->reportedErrors;
    return nullptr;
  }
  return std::make_unique<Module>(std::move(impl));
}

} // namespace bilevel::jit
