//===- PrintKernels.cpp - The `kernels` stage printout --------------------===//
//
// One line per kernel: its kind, the buffer it writes, what it computes in
// terms of buffers (operands that were materialised print by their buffer
// name), and the fusion decision that produced it.
//
//===----------------------------------------------------------------------===//
#include "lower/Kernels.h"

#include "support/Assert.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>

namespace bilevel::lower {

namespace {

const char *kindName(Kernel::Kind k) {
  switch (k) {
  case Kernel::Kind::Gemm:
    return "gemm";
  case Kernel::Kind::Loop:
    return "loop";
  case Kernel::Kind::ColSum:
    return "colsum";
  case Kernel::Kind::SoftmaxGrad:
    return "softmax-grad";
  case Kernel::Kind::LossSum:
    return "loss";
  case Kernel::Kind::SpecNorm:
    return "spec-norm";
  case Kernel::Kind::Copy:
    return "copy";
  case Kernel::Kind::Assign:
    return "assign";
  case Kernel::Kind::SweepBegin:
    return "repeat";
  case Kernel::Kind::SweepEnd:
    return "end";
  }
  BL_UNREACHABLE("unknown kernel kind");
}

const char *bufferKindName(Buffer::Kind k) {
  switch (k) {
  case Buffer::Kind::Param:
    return "param";
  case Buffer::Kind::Input:
    return "input";
  case Buffer::Kind::Target:
    return "target";
  case Buffer::Kind::Output:
    return "output";
  case Buffer::Kind::Gradient:
    return "gradient";
  case Buffer::Kind::Temp:
    return "temp";
  }
  BL_UNREACHABLE("unknown buffer kind");
}

std::string shape(const Buffer &b) {
  return b.batch       ? fmt::format("[N×{}]", b.cols)
         : b.cols == 1 ? fmt::format("[{}]", b.rows)
                       : fmt::format("[{}×{}]", b.rows, b.cols);
}

/// What kernel \p k computes, with operands named by their buffers.
std::string describe(const Function &fn, const Kernel &k, Format format) {
  auto buf = [&](int i) { return fn.buffers[i].name; };
  switch (k.kind) {
  case Kernel::Kind::Gemm:
    return fmt::format("{}{} · {}{}{}", buf(k.a), k.transA ? "ᵀ" : "", buf(k.b),
                       k.transB ? "ᵀ" : "",
                       k.bias >= 0 ? " + " + buf(k.bias) : "");
  case Kernel::Kind::Loop: {
    ir::Names leafNames;
    for (auto [e, i] : k.leaves)
      leafNames[e] = ir::Name{buf(i)};
    return ir::Printer(format, &leafNames).expr(k.expr, true);
  }
  case Kernel::Kind::ColSum:
    return fmt::format("Σₙ {}", buf(k.src));
  case Kernel::Kind::SoftmaxGrad:
    return fmt::format("(softmax({}) − {}) / N", buf(k.src), buf(k.target));
  case Kernel::Kind::LossSum:
    return fmt::format("mean ℓ({}; {})", buf(k.src), buf(k.target));
  case Kernel::Kind::SpecNorm:
    return fmt::format("‖{}‖₂ (power iteration)", buf(k.src));
  case Kernel::Kind::Copy:
    return buf(k.src);
  case Kernel::Kind::Assign:
    return fmt::format("{} (change measured against the distance from {})",
                       buf(k.src), buf(k.target));
  case Kernel::Kind::SweepBegin:
    return k.inner
               ? fmt::format("at most {} times until converged",
                             k.maxIterations)
               : fmt::format("{}: at most {} sweeps until a sweep changes the "
                             "states by < {} of their distance from the "
                             "start",
                             k.label, k.maxIterations, k.tol);
  case Kernel::Kind::SweepEnd:
    return "";
  }
  BL_UNREACHABLE("unknown kernel kind");
}

void printFunction(const Function &fn, std::ostream &os) {
  os << "function " << fn.name << "\n  temporaries:";
  bool any = false;
  for (const Buffer &b : fn.buffers)
    if (b.kind == Buffer::Kind::Temp) {
      os << (any ? ", " : " ") << b.name << " " << shape(b);
      any = true;
    }
  os << (any ? "\n" : " none\n");
  int i = 0, depth = 0;
  for (const Kernel &k : fn.kernels) {
    if (k.kind == Kernel::Kind::SweepEnd) {
      --depth;
      continue;
    }
    std::string indent(2 * depth, ' ');
    if (k.kind == Kernel::Kind::SweepBegin) {
      os << "  " << indent << "repeat " << describe(fn, k, Format::Text)
         << "\n";
      ++depth;
      continue;
    }
    std::string lhs = k.out >= 0 ? fn.buffers[k.out].name : "loss";
    std::string line =
        fmt::format("  {}k{:<3}{:<13}{} = {}", indent, ++i, kindName(k.kind),
                    lhs, describe(fn, k, Format::Text));
    if (!k.fusion.empty())
      line += "    [fused: " + k.fusion + "]";
    os << line << "\n";
  }
}

nlohmann::json functionJson(const Function &fn) {
  nlohmann::json bufs = nlohmann::json::array();
  for (const Buffer &b : fn.buffers)
    bufs.push_back({{"name", b.name},
                    {"kind", bufferKindName(b.kind)},
                    {"shape", shape(b)}});
  nlohmann::json ks = nlohmann::json::array();
  for (const Kernel &k : fn.kernels)
    ks.push_back({{"kind", kindName(k.kind)},
                  {"out", k.out >= 0 ? fn.buffers[k.out].name : "loss"},
                  {"computes", describe(fn, k, Format::Text)},
                  {"fusion", k.fusion}});
  return {{"name", fn.name}, {"buffers", bufs}, {"kernels", ks}};
}

} // namespace

void printKernels(const KernelProgram &kp, Format format, std::ostream &os) {
  if (format == Format::Json) {
    nlohmann::json j = {
        {"stage", "kernels"},
        {"method", kp.method},
        {"functions", {functionJson(kp.predict), functionJson(kp.gradient)}}};
    os << j.dump(2) << "\n";
    return;
  }
  if (format == Format::Latex) {
    // Kernels are code, not math: LaTeX gets them verbatim.
    os << "% kernels of method " << kp.method << "\n\\begin{verbatim}\n";
    printFunction(kp.predict, os);
    printFunction(kp.gradient, os);
    os << "\\end{verbatim}\n";
    return;
  }
  os << "kernels of method " << kp.method << "\n\n";
  printFunction(kp.predict, os);
  os << "\n";
  printFunction(kp.gradient, os);
}

} // namespace bilevel::lower
