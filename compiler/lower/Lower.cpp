//===- Lower.cpp - From derived expressions to kernels --------------------===//
//
// A generated function is lowered as a sequence of straight-line segments,
// each computing some roots, with inference loops between them. Within a
// segment every node is either materialised into a buffer or fused into
// the loop of its single consumer:
//
//  1. a node is materialised when it is a root, is not elementwise (GEMMs,
//     reductions, row-wise softmax, spectral norms), has more than one use,
//     or is read by a kernel that needs it in memory;
//  2. W z + b whose product has no other use becomes one GEMM that starts
//     from the broadcast bias;
//  3. every other elementwise node is inlined into its consumer's loop.
//
// Across segments a buffer stays valid until a state block it depends on
// is assigned, so values that do not depend on the states (the feed-forward
// pass, spectral norms) are computed once, before the inference loops.
//
//===----------------------------------------------------------------------===//
#include "lower/Kernels.h"

#include "support/Assert.h"

#include <fmt/format.h>

#include <functional>
#include <set>

namespace bilevel::lower {

using ir::Op;

namespace {

Buffer bufferShaped(std::string name, Buffer::Kind kind, const Expr *e,
                    int argIndex = -1) {
  Buffer b;
  b.name = std::move(name);
  b.kind = kind;
  b.batch = e->type.isBatch();
  b.scalar = e->type.kind == ir::Type::Kind::Scalar;
  b.rows = b.batch ? 1 : e->type.rows;
  b.cols = e->type.kind == ir::Type::Kind::Vector ? 1 : e->type.cols;
  b.argIndex = argIndex;
  return b;
}

class FunctionLowering {
public:
  FunctionLowering(std::string name, const ir::Names &names) : names(names) {
    fn.name = std::move(name);
  }

  /// Binds \p e (a variable, a block or an output) to a new buffer.
  int bind(const Expr *e, Buffer buffer) {
    fn.buffers.push_back(std::move(buffer));
    int id = static_cast<int>(fn.buffers.size()) - 1;
    bufferOf[e] = id;
    if (e->op == Op::Var)
      valid.insert(e);
    return id;
  }

  /// Computes \p roots (each into its bound buffer or a new one).
  void segment(const std::vector<const Expr *> &roots);
  /// Computes the batch-mean loss \p loss for the step report.
  void lossSum(const Expr *loss);
  /// Computes the state-independent products that \p exprs need, so that
  /// loops that follow reuse them.
  void hoist(const std::vector<const Expr *> &exprs,
             const std::vector<const Expr *> &blocks);
  /// Copies the value of \p from into block \p v's buffer. An Assign
  /// measures the change against the distance from \p init.
  void copy(const Expr *v, const Expr *from, Kernel::Kind kind,
            const Expr *init = nullptr);
  /// Copies the value of \p from into a new buffer \p to (an output).
  void copyInto(Buffer to, const Expr *from) {
    segment({from});
    Kernel k;
    k.kind = Kernel::Kind::Copy;
    k.expr = from;
    k.src = bufferFor(from);
    fn.buffers.push_back(std::move(to));
    k.out = static_cast<int>(fn.buffers.size()) - 1;
    push(std::move(k));
  }
  void beginLoop(std::string label, int64_t max, double tol, bool inner,
                 const std::vector<const Expr *> &blocks);
  void endLoop();

  Function take() { return std::move(fn); }

private:
  std::vector<const Expr *> reachable(const std::vector<const Expr *> &roots);
  bool fusesBiasGemm(const Expr *n) const;
  int bufferFor(const Expr *n);
  void collectLeaves(const Expr *n, Kernel &k, bool top);
  void emitKernel(const Expr *n);
  void invalidate(const Expr *v);
  void push(Kernel k) { fn.kernels.push_back(std::move(k)); }

  const ir::Names &names;
  Function fn;
  std::map<const Expr *, int> bufferOf;
  std::set<const Expr *> valid;        ///< buffers holding current values
  std::map<const Expr *, int> uses;    ///< within the current segment
  std::set<const Expr *> materialised; ///< within the current segment
  int temps = 0;
};

/// The nodes a segment must compute: reachable from the roots without
/// passing through a valid buffer, children first.
std::vector<const Expr *>
FunctionLowering::reachable(const std::vector<const Expr *> &roots) {
  return ir::topoOrder(roots, [&](const Expr *n) { return valid.count(n); });
}

bool FunctionLowering::fusesBiasGemm(const Expr *n) const {
  if (n->op != Op::AddBias || n->arg(0)->op != Op::Linear ||
      valid.count(n->arg(0)))
    return false;
  auto it = uses.find(n->arg(0));
  return it != uses.end() && it->second == 1;
}

int FunctionLowering::bufferFor(const Expr *n) {
  if (auto it = bufferOf.find(n); it != bufferOf.end())
    return it->second;
  auto named = names.find(n);
  return bind(n,
              bufferShaped(named != names.end() ? named->second.id()
                                                : fmt::format("t{}", ++temps),
                           Buffer::Kind::Temp, n));
}

void FunctionLowering::collectLeaves(const Expr *n, Kernel &k, bool top) {
  if (n->op == Op::Const)
    return;
  if (!top && (valid.count(n) || materialised.count(n))) {
    k.leaves[n] = bufferFor(n);
    return;
  }
  for (const Expr *a : n->args)
    collectLeaves(a, k, false);
}

void FunctionLowering::emitKernel(const Expr *n) {
  Kernel k;
  k.expr = n;
  bool gemm = n->op == Op::Linear || n->op == Op::LinearT ||
              n->op == Op::OuterSum || fusesBiasGemm(n);
  if (gemm) {
    const Expr *g = n->op == Op::AddBias ? n->arg(0) : n;
    k.kind = Kernel::Kind::Gemm;
    if (g->op == Op::Linear) { // z Wᵀ
      k.a = bufferFor(g->arg(1)), k.b = bufferFor(g->arg(0));
      k.transB = true;
    } else if (g->op == Op::LinearT) { // v W
      k.a = bufferFor(g->arg(1)), k.b = bufferFor(g->arg(0));
    } else { // dᵀ z
      k.a = bufferFor(g->arg(0)), k.b = bufferFor(g->arg(1));
      k.transA = true;
    }
    if (n->op == Op::AddBias) {
      k.bias = bufferFor(n->arg(1));
      k.fusion = "bias";
    }
  } else if (n->isElementwise()) {
    k.kind = Kernel::Kind::Loop;
    collectLeaves(n, k, true);
    // Name the inlined operations, for the printout.
    std::vector<std::string> ops;
    std::function<void(const Expr *, bool)> walk = [&](const Expr *e,
                                                       bool top) {
      if (!top && (e->op == Op::Const || k.leaves.count(e)))
        return;
      ops.push_back(ir::opName(e->op));
      for (const Expr *a : e->args)
        walk(a, false);
    };
    walk(n, true);
    if (ops.size() > 1)
      k.fusion = fmt::format("{}", fmt::join(ops, "+"));
  } else if (n->op == Op::ColSum) {
    k.kind = Kernel::Kind::ColSum;
    k.src = bufferFor(n->arg(0));
  } else if (n->op == Op::LossGrad) {
    k.kind = Kernel::Kind::SoftmaxGrad;
    k.src = bufferFor(n->arg(0));
    k.target = bufferFor(n->arg(1));
  } else if (n->op == Op::SpecNorm) {
    k.kind = Kernel::Kind::SpecNorm;
    k.src = bufferFor(n->arg(0));
    const Buffer &w = fn.buffers[k.src];
    Buffer scratch;
    scratch.name = fmt::format("t{}", ++temps);
    scratch.batch = false;
    scratch.rows = w.rows + w.cols;
    k.target = static_cast<int>(fn.buffers.size());
    fn.buffers.push_back(scratch);
  } else {
    BL_UNREACHABLE(std::string("no kernel for op ") + ir::opName(n->op));
  }
  k.out = bufferFor(n);
  push(std::move(k));
}

void FunctionLowering::segment(const std::vector<const Expr *> &roots) {
  std::vector<const Expr *> order = reachable(roots);
  uses.clear();
  materialised.clear();
  for (const Expr *n : order)
    if (!valid.count(n))
      for (const Expr *a : n->args)
        ++uses[a];

  // Rule 1: roots, non-elementwise nodes, shared nodes, and operands of
  // kernels that read memory.
  std::set<const Expr *> rootSet(roots.begin(), roots.end());
  for (const Expr *n : order) {
    if (valid.count(n) || n->op == Op::Const)
      continue;
    if (rootSet.count(n) || !n->isElementwise() || uses[n] > 1)
      materialised.insert(n);
    if (!n->isElementwise())
      for (const Expr *a : n->args)
        if (a->op != Op::Const && !valid.count(a))
          materialised.insert(a);
  }
  // Rule 2: a product used only by its bias addition folds into that GEMM.
  for (const Expr *n : order)
    if (!valid.count(n) && fusesBiasGemm(n)) {
      materialised.insert(n);
      materialised.erase(n->arg(0));
    }

  for (const Expr *n : order)
    if (materialised.count(n)) {
      emitKernel(n);
      valid.insert(n);
    }
}

void FunctionLowering::lossSum(const Expr *loss) {
  segment({loss->arg(0)});
  Kernel k;
  k.kind = Kernel::Kind::LossSum;
  k.expr = loss;
  k.src = bufferFor(loss->arg(0));
  k.target = bufferFor(loss->arg(1));
  push(std::move(k));
}

void FunctionLowering::hoist(const std::vector<const Expr *> &exprs,
                             const std::vector<const Expr *> &blocks) {
  std::vector<const Expr *> invariant;
  for (const Expr *n : reachable(exprs)) {
    if (n->isElementwise() || n->op == Op::Var || n->op == Op::Const ||
        valid.count(n))
      continue;
    bool depends = false;
    for (const Expr *b : blocks)
      depends = depends || ir::dependsOn(n, b);
    if (!depends)
      invariant.push_back(n);
  }
  if (!invariant.empty())
    segment(invariant);
}

void FunctionLowering::invalidate(const Expr *v) {
  for (auto it = valid.begin(); it != valid.end();)
    if (*it != v && (*it)->op != Op::Var && ir::dependsOn(*it, v))
      it = valid.erase(it);
    else
      ++it;
}

void FunctionLowering::copy(const Expr *v, const Expr *from, Kernel::Kind kind,
                            const Expr *init) {
  segment({from});
  Kernel k;
  k.kind = kind;
  k.expr = v;
  k.src = bufferFor(from);
  k.out = bufferFor(v);
  if (init) {
    BL_ASSERT(valid.count(init), "a block's initial value must stay valid");
    k.target = bufferFor(init);
  }
  push(std::move(k));
  invalidate(v);
  // The new value of from may equal v (a state-free update): keep from
  // valid only if it does not depend on v.
  if (ir::dependsOn(from, v))
    valid.erase(from);
}

void FunctionLowering::beginLoop(std::string label, int64_t max, double tol,
                                 bool inner,
                                 const std::vector<const Expr *> &blocks) {
  // Values read inside the loop that depend on its blocks change every
  // iteration: they must be recomputed in the body.
  for (const Expr *b : blocks)
    invalidate(b);
  Kernel k;
  k.kind = Kernel::Kind::SweepBegin;
  k.maxIterations = max;
  k.tol = tol;
  k.inner = inner;
  k.label = std::move(label);
  push(std::move(k));
}

void FunctionLowering::endLoop() {
  Kernel k;
  k.kind = Kernel::Kind::SweepEnd;
  push(std::move(k));
}

/// Binds the blocks of \p phases and lowers their inference loops.
void lowerPhases(FunctionLowering &fl,
                 const std::vector<derive::Phase> &phases) {
  for (const derive::Phase &ph : phases) {
    for (const derive::BlockUpdate &u : ph.blocks)
      fl.bind(u.var, bufferShaped(u.var->varId(), Buffer::Kind::Temp, u.var));
    for (auto [block, snapshot] : ph.snapshots)
      fl.bind(snapshot,
              bufferShaped(snapshot->varId(), Buffer::Kind::Temp, snapshot));
  }
  for (const derive::Phase &ph : phases) {
    std::vector<const Expr *> blocks, updates;
    for (const derive::BlockUpdate &u : ph.blocks) {
      blocks.push_back(u.var);
      updates.push_back(u.update);
      fl.copy(u.var, u.init, Kernel::Kind::Copy);
    }
    fl.hoist(updates, blocks);
    fl.beginLoop(ph.name, ph.sweeps, ph.tol, false, blocks);
    for (auto [block, snapshot] : ph.snapshots)
      fl.copy(snapshot, block, Kernel::Kind::Copy);
    for (const derive::BlockUpdate &u : ph.blocks) {
      if (u.inner)
        fl.beginLoop("inner", 50, 0, true, {u.var});
      fl.copy(u.var, u.update, Kernel::Kind::Assign, u.init);
      if (u.inner)
        fl.endLoop();
    }
    fl.endLoop();
  }
}

} // namespace

KernelProgram lowerMethod(const ir::NestedProgram &p,
                          const derive::DerivedMethod &d) {
  KernelProgram kp;
  kp.method = d.method;
  kp.loss = p.loss;
  kp.inputSize = p.x->type.cols;
  kp.outputSize = p.y->type.cols;
  kp.params = p.params;
  for (const ir::Level &lv : p.levels) {
    kp.paramActs.push_back(lv.act);
    kp.paramActs.push_back(lv.act);
  }

  auto bindInputs = [&](FunctionLowering &fl, bool withTarget) {
    for (size_t i = 0; i < p.params.size(); ++i)
      fl.bind(p.params[i],
              bufferShaped(p.params[i]->varId(), Buffer::Kind::Param,
                           p.params[i], static_cast<int>(i)));
    fl.bind(p.x, bufferShaped("x", Buffer::Kind::Input, p.x));
    if (withTarget)
      fl.bind(p.y, bufferShaped("y", Buffer::Kind::Target, p.y));
  };

  // Prediction: the feed-forward pass, or the free phase's output block.
  FunctionLowering predict("predict", d.names);
  bindInputs(predict, false);
  if (d.prediction->op == Op::Var) {
    lowerPhases(predict, d.predictPhases);
    predict.copyInto(bufferShaped("out", Buffer::Kind::Output, d.prediction),
                     d.prediction);
  } else {
    predict.bind(d.prediction,
                 bufferShaped("out", Buffer::Kind::Output, d.prediction));
    predict.segment({d.prediction});
  }
  kp.predict = predict.take();

  // Gradient: the loss, inference phase by phase, then the gradients.
  FunctionLowering grad("gradient", d.names);
  bindInputs(grad, true);
  for (size_t i = 0; i < p.params.size(); ++i) {
    BL_ASSERT(d.gradients[i]->op != Op::Var && d.gradients[i]->op != Op::Const,
              "a gradient that is a variable or constant needs a copy kernel");
    grad.bind(d.gradients[i],
              bufferShaped("d" + p.params[i]->varId(), Buffer::Kind::Gradient,
                           d.gradients[i], static_cast<int>(i)));
  }
  grad.lossSum(d.loss);
  lowerPhases(grad, d.phases);
  grad.segment(d.gradients);
  kp.gradient = grad.take();
  return kp;
}

} // namespace bilevel::lower
