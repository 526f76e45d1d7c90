//===- ProjectEmitter.h - A standalone CMake project ------------*- C++ -*-===//
//
// `bilevelc emit --project DIR` writes the generated model next to a small
// main() and a CMakeLists.txt that links the installed (or built) runtime,
// so a user can build the trainer ahead of time or embed it.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_CODEGEN_PROJECTEMITTER_H
#define BILEVEL_CODEGEN_PROJECTEMITTER_H

#include "sema/Spec.h"

#include <map>
#include <string>

namespace bilevel::codegen {

/// File name → contents of the project for \p spec whose generated model
/// source is \p modelCpp. \p runtimePackageDir is the default location of
/// the runtime's CMake package (bilevel_runtime-config.cmake).
std::map<std::string, std::string>
emitProject(const Spec &spec, const std::string &modelCpp,
            const std::string &runtimePackageDir);

} // namespace bilevel::codegen

#endif // BILEVEL_CODEGEN_PROJECTEMITTER_H
