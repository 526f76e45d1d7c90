//===- CppEmitter.cpp - Kernels to thin C++ -------------------------------===//
//
// The emitter is an object that accumulates lines with indentation. Each
// kernel kind has one method; loop bodies are rendered from the fused
// expression tree, reading materialised operands from their buffers.
//
//===----------------------------------------------------------------------===//
#include "codegen/CppEmitter.h"

#include "support/Assert.h"

#include <fmt/format.h>

#include <set>

namespace bilevel::codegen {

using ir::Expr;
using ir::Op;
using lower::Buffer;
using lower::Function;
using lower::Kernel;

namespace {

/// C++ helpers for an activation: f(a) and f'(a) as functions of a.
struct ActHelper {
  const char *name;
  const char *f;
  const char *df;
};

ActHelper helperFor(Activation a) {
  switch (a) {
  case Activation::Relu:
    return {"relu", "return a > 0 ? a : (real)0;",
            "return a > 0 ? (real)1 : (real)0;"};
  case Activation::HardSigmoid:
    return {"hard_sigmoid", "return a < 0 ? (real)0 : a > 1 ? (real)1 : a;",
            "return a > 0 && a < 1 ? (real)1 : (real)0;"};
  case Activation::HardTanh:
    return {"hard_tanh", "return a < -1 ? (real)-1 : a > 1 ? (real)1 : a;",
            "return a > -1 && a < 1 ? (real)1 : (real)0;"};
  case Activation::LeakyRelu:
    return {"leaky_relu", "return a >= 0 ? a : s * a;",
            "return a >= 0 ? (real)1 : s;"};
  case Activation::Sigmoid:
    return {"sigmoid", "return (real)1 / ((real)1 + exp(-a));",
            "real s = (real)1 / ((real)1 + exp(-a));\n  return s * ((real)1 - "
            "s);"};
  case Activation::Tanh:
    return {"tanh", "return tanh(a);",
            "real t = tanh(a);\n  return (real)1 - t * t;"};
  case Activation::Identity:
  case Activation::Softmax:
    break;
  }
  BL_UNREACHABLE("no elementwise helper for this activation");
}

/// The body of act_NAME_prox for potentials whose prox is not a
/// projection: ∇G(v) + κ v = w is monotone in v, solved by Newton steps kept
/// inside the bracket of G's domain (bisection when a step leaves it). With
/// κ = 0 the answer is f(w) exactly, so a gated step is the fixed point.
const char *proxHelper(Activation a) {
  switch (a) {
  case Activation::LeakyRelu: // ∇G(v) = v (v ≥ 0), v / s (v < 0)
    return "return w >= 0 ? w / (1 + kappa) : w / (1 / s + kappa);";
  case Activation::Sigmoid: // ∇G(v) = log(v / (1 − v)) on (0, 1)
    return "if (kappa == 0) return act_sigmoid(w);\n"
           "double lo = 0, hi = 1;\n"
           "double v = 1 / (1 + exp(-(double)w / (1 + 0.25 * kappa)));\n"
           "for (int it = 0; it < 60; ++it) {\n"
           "  double g = log(v / (1 - v)) + kappa * v - w;\n"
           "  if (g > 0) hi = v; else lo = v;\n"
           "  double next = v - g / (1 / (v * (1 - v)) + kappa);\n"
           "  if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);\n"
           "  if (fabs(next - v) < 1e-15) return (real)next;\n"
           "  v = next;\n"
           "}\n"
           "return (real)v;";
  case Activation::Tanh: // ∇G(v) = atanh(v) on (−1, 1)
    return "if (kappa == 0) return act_tanh(w);\n"
           "double lo = -1, hi = 1;\n"
           "double v = tanh((double)w / (1 + kappa));\n"
           "for (int it = 0; it < 60; ++it) {\n"
           "  double g = atanh(v) + kappa * v - w;\n"
           "  if (g > 0) hi = v; else lo = v;\n"
           "  double next = v - g / (1 / (1 - v * v) + kappa);\n"
           "  if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);\n"
           "  if (fabs(next - v) < 1e-15) return (real)next;\n"
           "  v = next;\n"
           "}\n"
           "return (real)v;";
  default: // the projection family is rewritten by Context::proxAct
    return nullptr;
  }
}

std::string literal(double v) { return fmt::format("(real){:.17g}", v); }

class Emitter {
public:
  Emitter(const lower::KernelProgram &kp, const EmitOptions &opts)
      : kp(kp), opts(opts) {}

  std::string run();

private:
  void line(const std::string &s) {
    out += std::string(2 * depth, ' ') + s + "\n";
  }
  void open(const std::string &s) {
    line(s.empty() ? "{" : s + " {");
    ++depth;
  }
  void close(const std::string &tail = "") {
    --depth;
    line("}" + tail);
  }

  void emitHelpers();
  void emitFunction(const Function &fn);
  void emitKernel(const Function &fn, const Kernel &k);
  void emitGemm(const Function &fn, const Kernel &k);
  void emitLoop(const Function &fn, const Kernel &k);
  void emitRowwise(const Function &fn, const Kernel &k);
  void emitInference(const Function &fn, const Kernel &k);
  void emitDescriptor();
  std::string rows(const Buffer &b) const {
    return b.batch ? "n" : std::to_string(b.rows);
  }
  std::string body(const Function &fn, const Kernel &k, const Expr *e,
                   bool top);

  const lower::KernelProgram &kp;
  const EmitOptions &opts;
  std::string out;
  int depth = 0;
  int loopDepth = 0; ///< open inference loops
  std::vector<std::string> loopTol;
  std::vector<bool> loopInner;
};

std::string Emitter::run() {
  line(fmt::format("// Generated by bilevelc from {} (method {}, {}).",
                   opts.specName, kp.method,
                   opts.precisionBytes == 8 ? "float64" : "float32"));
  line(fmt::format("// Spec and options hash {}. Do not edit: regenerate "
                   "with `bilevelc emit`.",
                   opts.specHash));
  line("#include <bilevel/abi.h>");
  line("#include <math.h>");
  line("");
  line(std::string("typedef ") +
       (opts.precisionBytes == 8 ? "double" : "float") + " real;");
  line("");
  open("namespace");
  line("");
  line("/// Workspace buffers start on 64-byte boundaries.");
  line("inline int64_t pad(int64_t count) { return (count + 15) & ~15LL; }");
  emitHelpers();
  emitFunction(kp.predict);
  emitFunction(kp.gradient);
  close(" // namespace");
  emitDescriptor();
  return out;
}

void Emitter::emitHelpers() {
  std::set<Activation> used;
  for (const Function *fn : {&kp.predict, &kp.gradient})
    for (const Kernel &k : fn->kernels)
      if (k.kind == Kernel::Kind::Loop)
        for (const Expr *e : ir::topoOrder({k.expr}))
          if (e->op == Op::Act || e->op == Op::ActDeriv || e->op == Op::ProxAct)
            used.insert(e->act.kind);
  for (Activation a : used) {
    ActHelper h = helperFor(a);
    std::string extra = a == Activation::LeakyRelu ? ", real s" : "";
    line("");
    // Helpers are prefixed so that they never shadow <math.h> (tanh).
    open(fmt::format("inline real act_{}(real a{})", h.name, extra));
    line(h.f);
    close();
    line("");
    open(fmt::format("inline real act_{}_deriv(real a{})", h.name, extra));
    line(h.df);
    close();
    if (const char *prox = proxHelper(a)) {
      line("");
      line("/// The v solving ∇G(v) + kappa v = w (a prox step of the "
           "potential).");
      open(fmt::format("inline real act_{}_prox(real w, real kappa{})", h.name,
                       extra));
      for (std::string_view rest = prox; !rest.empty();) {
        size_t nl = rest.find('\n');
        line(std::string(rest.substr(0, nl)));
        rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
      }
      close();
    }
  }
}

void Emitter::emitFunction(const Function &fn) {
  bool grad = fn.name == "gradient";
  line("");
  open(fmt::format("int64_t {}_workspace(int64_t n)", fn.name));
  std::string sum = "0";
  for (const Buffer &b : fn.buffers)
    if (b.kind == Buffer::Kind::Temp)
      sum += fmt::format(" + pad({} * {})", rows(b), b.cols);
  line(fmt::format("return ({}) * (int64_t)sizeof(real);", sum));
  close();
  line("");
  if (grad)
    open("void gradient(const void *const *params, const void *x_, "
         "const void *y_, int64_t n, void *const *grads, void *ws_, "
         "blrt_step_report *report)");
  else
    open("void predict(const void *const *params, const void *x_, "
         "int64_t n, void *out_, void *ws_)");

  for (const Buffer &b : fn.buffers) {
    switch (b.kind) {
    case Buffer::Kind::Param:
      line(fmt::format("const real *{} = (const real *)params[{}];", b.name,
                       b.argIndex));
      break;
    case Buffer::Kind::Input:
      line(fmt::format("const real *{} = (const real *)x_;", b.name));
      break;
    case Buffer::Kind::Target:
      line(fmt::format("const real *{} = (const real *)y_;", b.name));
      break;
    case Buffer::Kind::Output:
      line(fmt::format("real *{} = (real *)out_;", b.name));
      break;
    case Buffer::Kind::Gradient:
      line(fmt::format("real *{} = (real *)grads[{}];", b.name, b.argIndex));
      break;
    case Buffer::Kind::Temp:
      break;
    }
  }
  line("real *ws = (real *)ws_;");
  for (const Buffer &b : fn.buffers)
    if (b.kind == Buffer::Kind::Temp)
      line(fmt::format("real *{} = ws;  ws += pad({} * {});", b.name, rows(b),
                       b.cols));
  line("const real inv_n = (real)1 / (real)n;");
  line("(void)inv_n;");
  line("(void)ws;");
  // Inference loops (in either function) report through these.
  line("double final_residual = 0;");
  line("int64_t sweeps_done = 0;");
  line("(void)final_residual;");
  line("(void)sweeps_done;");
  for (const Kernel &k : fn.kernels)
    emitKernel(fn, k);
  if (grad) {
    line("report->residual = final_residual;");
    line("report->sweeps = (int32_t)sweeps_done;");
  }
  close();
}

void Emitter::emitKernel(const Function &fn, const Kernel &k) {
  line("");
  switch (k.kind) {
  case Kernel::Kind::Gemm:
    return emitGemm(fn, k);
  case Kernel::Kind::Loop:
    return emitLoop(fn, k);
  case Kernel::Kind::ColSum:
  case Kernel::Kind::SoftmaxGrad:
  case Kernel::Kind::LossSum:
    return emitRowwise(fn, k);
  case Kernel::Kind::SpecNorm:
  case Kernel::Kind::Copy:
  case Kernel::Kind::Assign:
  case Kernel::Kind::SweepBegin:
  case Kernel::Kind::SweepEnd:
    return emitInference(fn, k);
  }
}

void Emitter::emitInference(const Function &fn, const Kernel &k) {
  const char *prec = opts.precisionBytes == 8 ? "f64" : "f32";
  switch (k.kind) {
  case Kernel::Kind::SpecNorm: {
    const Buffer &w = fn.buffers[k.src];
    line(fmt::format("// {} = ‖{}‖₂", fn.buffers[k.out].name, w.name));
    line(fmt::format("{}[0] = (real)blrt_spectral_norm_{}({}, {}, {}, {});",
                     fn.buffers[k.out].name, prec, w.name, w.rows, w.cols,
                     fn.buffers[k.target].name));
    return;
  }
  case Kernel::Kind::Copy:
  case Kernel::Kind::Assign: {
    const Buffer &v = fn.buffers[k.out], &src = fn.buffers[k.src];
    line(fmt::format("// {} ← {}", v.name, src.name));
    open(fmt::format("for (int64_t i = 0; i < {} * {}; ++i)", rows(v), v.cols));
    if (k.kind == Kernel::Kind::Assign) {
      line(fmt::format("real nv = {}[i];", src.name));
      // The change is measured against how far the state has moved from
      // its initial value: the gradient is made of that movement.
      line(fmt::format("double diff = (double)nv - (double){}[i];", v.name));
      line(fmt::format("double moved = (double)nv - (double){}[i];",
                       fn.buffers[k.target].name));
      for (int d = 0; d < loopDepth; ++d)
        line(fmt::format("num{0} += diff * diff, den{0} += moved * moved;", d));
      line(fmt::format("{}[i] = nv;", v.name));
    } else {
      line(fmt::format("{}[i] = {}[i];", v.name, src.name));
    }
    close();
    return;
  }
  case Kernel::Kind::SweepBegin: {
    int d = loopDepth++;
    line(k.inner ? "// iterate this block's update to convergence"
                 : fmt::format("// {}", k.label));
    open("");
    line(fmt::format("int64_t iter{} = 0;", d));
    line(fmt::format("double residual{} = 0;", d));
    open(fmt::format("for (; iter{0} < {1}; ++iter{0})", d, k.maxIterations));
    line(fmt::format("double num{0} = 0, den{0} = 0;", d));
    loopTol.push_back(k.inner ? "(sizeof(real) == 4 ? 1e-6 : 1e-13)"
                              : fmt::format("{:.17g}", k.tol));
    loopInner.push_back(k.inner);
    return;
  }
  case Kernel::Kind::SweepEnd: {
    int d = --loopDepth;
    line(fmt::format("residual{0} = sqrt(num{0} / (den{0} > 1e-300 ? den{0} "
                     ": 1e-300));",
                     d));
    open(fmt::format("if (residual{} < {})", d, loopTol.back()));
    line(fmt::format("++iter{};", d));
    line("break;");
    close();
    close();
    if (!loopInner.back()) {
      line(fmt::format("sweeps_done += iter{};", d));
      line(fmt::format("if (residual{0} > final_residual) final_residual = "
                       "residual{0};",
                       d));
    }
    close();
    loopTol.pop_back();
    loopInner.pop_back();
    return;
  }
  default:
    BL_UNREACHABLE("not an inference kernel");
  }
}

void Emitter::emitGemm(const Function &fn, const Kernel &k) {
  const Buffer &a = fn.buffers[k.a], &b = fn.buffers[k.b],
               &c = fn.buffers[k.out];
  std::string m = k.transA ? std::to_string(a.cols) : rows(a);
  std::string kk = k.transA ? rows(a) : std::to_string(a.cols);
  std::string nn = k.transB ? rows(b) : std::to_string(b.cols);
  line(fmt::format("// {} = {}{} {}{}{}", c.name, a.name, k.transA ? "ᵀ" : "",
                   b.name, k.transB ? "ᵀ" : "",
                   k.bias >= 0 ? " + " + fn.buffers[k.bias].name : ""));
  if (k.bias >= 0) {
    open(fmt::format("for (int64_t i = 0; i < {}; ++i)", rows(c)));
    line(fmt::format("for (int64_t j = 0; j < {}; ++j) {}[i * {} + j] = "
                     "{}[j];",
                     c.cols, c.name, c.cols, fn.buffers[k.bias].name));
    close();
  }
  line(fmt::format("blrt_gemm_{}({}, {}, {}, {}, {}, 1, {}, {}, {}, {}, {}, "
                   "{}, {});",
                   opts.precisionBytes == 8 ? "f64" : "f32", int(k.transA),
                   int(k.transB), m, nn, kk, a.name, a.cols, b.name, b.cols,
                   k.bias >= 0 ? 1 : 0, c.name, c.cols));
}

std::string Emitter::body(const Function &fn, const Kernel &k, const Expr *e,
                          bool top) {
  if (!top) {
    auto leaf = k.leaves.find(e);
    if (leaf != k.leaves.end()) {
      const Buffer &b = fn.buffers[leaf->second];
      if (b.scalar)
        return b.name + "[0]";
      bool vector = !b.batch && b.cols == 1 &&
                    fn.buffers[k.out].cols == b.rows && fn.buffers[k.out].batch;
      return vector ? b.name + "[j]"
                    : fmt::format("{}[i * {} + j]", b.name, b.cols);
    }
  }
  auto arg = [&](size_t i) { return body(fn, k, e->arg(i), false); };
  switch (e->op) {
  case Op::Const:
    return literal(e->value);
  case Op::Act:
  case Op::ActDeriv: {
    std::string name = helperFor(e->act.kind).name;
    std::string extra = e->act.kind == Activation::LeakyRelu
                            ? ", " + literal(e->act.slope)
                            : "";
    return fmt::format("act_{}{}({}{})", name,
                       e->op == Op::ActDeriv ? "_deriv" : "", arg(0), extra);
  }
  case Op::AddBias:
  case Op::Add:
    return "(" + arg(0) + " + " + arg(1) + ")";
  case Op::Sub:
    return "(" + arg(0) + " - " + arg(1) + ")";
  case Op::Mul:
    return "(" + arg(0) + " * " + arg(1) + ")";
  case Op::Scale:
    return "(" + literal(e->value) + " * " + arg(0) + ")";
  case Op::LossGrad: // the elementwise (MSE) case: z − y, over N for a mean
    return "((" + arg(0) + " - " + arg(1) + ")" +
           (e->value == 1 ? " * inv_n)" : ")");
  case Op::PerSample:
    return "(" + arg(0) + " * inv_n)";
  case Op::Gate: // a prox weight, zero where the fixed point contracts
    return fmt::format("({0} * {1} >= 1 ? {1} : (real)0)", literal(e->value),
                       arg(0));
  case Op::ProxAct: {
    std::string extra = e->act.kind == Activation::LeakyRelu
                            ? ", " + literal(e->act.slope)
                            : "";
    return fmt::format("act_{}_prox({}, {}{})", helperFor(e->act.kind).name,
                       arg(0), arg(1), extra);
  }
  case Op::ScaleBy:
    return "(" + arg(0) + " * " + arg(1) + ")";
  case Op::Recip:
    return "((real)1 / " + arg(0) + ")";
  default:
    BL_UNREACHABLE(std::string("op cannot be fused into a loop: ") +
                   ir::opName(e->op));
  }
}

void Emitter::emitLoop(const Function &fn, const Kernel &k) {
  const Buffer &o = fn.buffers[k.out];
  line(fmt::format("// {}{}", o.name,
                   k.fusion.empty() ? "" : " (fused: " + k.fusion + ")"));
  open(fmt::format("for (int64_t i = 0; i < {}; ++i)", rows(o)));
  line(fmt::format("for (int64_t j = 0; j < {}; ++j)", o.cols));
  line(fmt::format("  {}[i * {} + j] = {};", o.name, o.cols,
                   body(fn, k, k.expr, true)));
  close();
}

void Emitter::emitRowwise(const Function &fn, const Kernel &k) {
  const Buffer &src = fn.buffers[k.src];
  int64_t c = src.cols;
  if (k.kind == Kernel::Kind::ColSum) {
    const Buffer &o = fn.buffers[k.out];
    line(fmt::format("// {} = Σₙ {}", o.name, src.name));
    line(fmt::format("for (int64_t j = 0; j < {}; ++j) {}[j] = 0;", c, o.name));
    open("for (int64_t i = 0; i < n; ++i)");
    line(fmt::format("for (int64_t j = 0; j < {}; ++j) {}[j] += {}[i * {} + "
                     "j];",
                     c, o.name, src.name, c));
    close();
    return;
  }
  const Buffer &y = fn.buffers[k.target];
  bool ce = kp.loss == bilevel::Loss::SoftmaxCrossEntropy;
  if (k.kind == Kernel::Kind::LossSum)
    line("double loss = 0;");
  else
    line(fmt::format("// {} = (softmax({}) − {}) / n", fn.buffers[k.out].name,
                     src.name, y.name));
  open("for (int64_t i = 0; i < n; ++i)");
  line(fmt::format("const real *zi = {} + i * {};", src.name, c));
  line(fmt::format("const real *yi = {} + i * {};", y.name, c));
  if (ce || k.kind == Kernel::Kind::SoftmaxGrad) {
    line("real m = zi[0];");
    line(fmt::format("for (int64_t j = 1; j < {}; ++j) m = zi[j] > m ? zi[j] "
                     ": m;",
                     c));
    line("real s = 0;");
    line(fmt::format("for (int64_t j = 0; j < {}; ++j) s += exp(zi[j] - m);",
                     c));
  }
  if (k.kind == Kernel::Kind::SoftmaxGrad) {
    line(fmt::format("real *oi = {} + i * {};", fn.buffers[k.out].name, c));
    line(fmt::format("for (int64_t j = 0; j < {}; ++j)", c));
    line(k.expr->value == 1 ? "  oi[j] = (exp(zi[j] - m) / s - yi[j]) * inv_n;"
                            : "  oi[j] = exp(zi[j] - m) / s - yi[j];");
  } else if (ce) {
    line("real lse = m + log(s);");
    line(fmt::format("for (int64_t j = 0; j < {}; ++j) loss += yi[j] * (lse "
                     "- zi[j]);",
                     c));
  } else {
    line(fmt::format("for (int64_t j = 0; j < {}; ++j)", c));
    line("  loss += 0.5 * (zi[j] - yi[j]) * (zi[j] - yi[j]);");
  }
  close();
  if (k.kind == Kernel::Kind::LossSum)
    line("report->loss = loss / (double)n;");
}

void Emitter::emitDescriptor() {
  line("");
  open("static const blrt_param_info param_info[] =");
  for (size_t i = 0; i < kp.params.size(); ++i) {
    const Expr *p = kp.params[i];
    bool matrix = p->type.kind == ir::Type::Kind::Matrix;
    Activation a = kp.paramActs[i].kind;
    bool he = a == Activation::Relu || a == Activation::LeakyRelu;
    const char *init = !matrix ? "BLRT_INIT_ZERO"
                       : he    ? "BLRT_INIT_HE_NORMAL"
                               : "BLRT_INIT_GLOROT_UNIFORM";
    // fan-in and fan-out belong to the layer, for the bias too.
    const Expr *w = kp.params[i - (matrix ? 0 : 1)];
    line(fmt::format("{{\"{}\", {}, {}, {}, {}, {}}},", p->varId(),
                     p->type.rows, matrix ? p->type.cols : 1, init,
                     w->type.cols, w->type.rows));
  }
  close(";");
  line("");
  open("static int64_t workspace_bytes(int64_t n)");
  line("int64_t p = predict_workspace(n), g = gradient_workspace(n);");
  line("return p > g ? p : g;");
  close();
  line("");
  open("static const blrt_model model =");
  line("BLRT_ABI_VERSION,");
  line(fmt::format("{},", opts.precisionBytes));
  line(fmt::format("\"{}\",", kp.method));
  line(fmt::format("{},", kp.inputSize));
  line(fmt::format("{},", kp.outputSize));
  line(kp.loss == bilevel::Loss::Mse ? "BLRT_LOSS_MSE,"
                                     : "BLRT_LOSS_SOFTMAX_CE,");
  line(fmt::format("{},", kp.params.size()));
  line("param_info,");
  line("workspace_bytes,");
  line("predict,");
  line("gradient,");
  close(";");
  line("");
  line("extern \"C\" const blrt_model *bilevel_model(void) { return &model; }");
}

} // namespace

std::string emitCpp(const lower::KernelProgram &kp, const EmitOptions &opts) {
  return Emitter(kp, opts).run();
}

} // namespace bilevel::codegen
