//===- Consumer.cpp - A program linked against the installed runtime ----===//
//
// Proves that the exported package carries the include path, the C++
// standard and the shared library: it calls a C entry point and a C++ API
// and exits with 0 when both give the expected answers.
//
//===----------------------------------------------------------------------===//
#include "bilevel/Runtime.h"

#include <cstdio>

int main() {
  float a[4] = {1, 2, 3, 4}, identity[4] = {1, 0, 0, 1}, c[4];
  blrt_gemm_f32(0, 0, 2, 2, 2, 1.0f, a, 2, identity, 2, 0.0f, c, 2);
  bilevel::rt::Rng first(9), second(9);
  bool ok = c[0] == 1 && c[1] == 2 && c[2] == 3 && c[3] == 4 &&
            first.next() == second.next();
  std::puts(ok ? "runtime package works" : "runtime package is broken");
  return ok ? 0 : 1;
}
