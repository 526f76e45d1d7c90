//===- Linker.h - Link an object file into a JIT session -------*- C++ -*-===//
//
// Both paths of compile() end here: a relocatable object, fresh from Clang or
// read from the cache, is linked into a new ORC session in this process.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_JIT_LINKER_H
#define BILEVEL_JIT_LINKER_H

#include "jit/Jit.h"

#include <memory>
#include <string>

namespace bilevel::jit {

/// Links object (named objectName in messages) into a new JIT session and
/// resolves all of its symbols, host symbols included. Returns nullptr with
/// a message in error if the object is malformed or a symbol is undefined.
std::unique_ptr<Module> linkObject(const std::string &object,
                                   const std::string &objectName,
                                   std::string &error);

} // namespace bilevel::jit

#endif // BILEVEL_JIT_LINKER_H
