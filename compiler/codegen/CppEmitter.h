//===- CppEmitter.h - Kernels to thin C++ -----------------------*- C++ -*-===//
//
// Emits one self-contained C++ translation unit per spec: a banner, the
// activation helpers it uses, one static function per kernel function
// (predict, gradient) made of runtime GEMM calls and plain loops, and the
// blrt_model descriptor exported as `bilevel_model`. The unit includes only
// <bilevel/abi.h> and <math.h>, so it compiles in a fraction of a second.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_CODEGEN_CPPEMITTER_H
#define BILEVEL_CODEGEN_CPPEMITTER_H

#include "lower/Kernels.h"

namespace bilevel::codegen {

struct EmitOptions {
  int precisionBytes = 4; ///< 4 = float, 8 = double
  std::string specName;   ///< shown in the banner
  std::string specHash;   ///< hash of the spec and options, in the banner
};

/// The C++ source implementing \p kp.
std::string emitCpp(const lower::KernelProgram &kp, const EmitOptions &opts);

} // namespace bilevel::codegen

#endif // BILEVEL_CODEGEN_CPPEMITTER_H
