//===- Format.cpp - Reformat generated C++ with libclangFormat ------------===//
//
// The code generator writes correct but mechanically laid-out text; this
// pass gives it the layout a person would choose (LLVM style, 80 columns),
// so that emitted projects and debug dumps are pleasant to read.
//
//===----------------------------------------------------------------------===//
#include "jit/Jit.h"

#include "LlvmSetup.h"

#include "clang/Format/Format.h"
#include "clang/Tooling/Core/Replacement.h"

namespace bilevel::jit {

std::string formatCpp(const std::string &source) {
  std::string formatted = source;
  std::string ignored;
  runSafely(
      [&] {
        clang::format::FormatStyle style =
            clang::format::getLLVMStyle(clang::format::FormatStyle::LK_Cpp);
        style.ColumnLimit = 80;
        clang::tooling::Range whole(0, static_cast<unsigned>(source.size()));
        clang::format::FormattingAttemptStatus status;
        clang::tooling::Replacements replacements = clang::format::reformat(
            style, source, {whole}, "generated.cpp", &status);
        if (!status.FormatComplete)
          return;
        auto result =
            clang::tooling::applyAllReplacements(source, replacements);
        if (!result) {
          llvm::consumeError(result.takeError());
          return;
        }
        formatted = std::move(*result);
      },
      &ignored);
  return formatted;
}

} // namespace bilevel::jit
