//===- Lower.cpp - From derived expressions to kernels --------------------===//
//
// For each generated function the roots (its outputs) are walked in
// topological order and every node is either materialised into a buffer or
// fused into the loop of its single consumer:
//
//  1. a node is materialised when it is a root, is not elementwise (GEMMs,
//     reductions, row-wise softmax), has more than one use, or is read by a
//     kernel that needs it in memory (a GEMM operand, a reduction input);
//  2. W z + b whose product has no other use becomes one GEMM that starts
//     from the broadcast bias;
//  3. every other elementwise node is inlined into its consumer's loop.
//
// The result reads like the hand-written trainer: one GEMM per product and
// one loop per activation or δ-recursion step.
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

class FunctionLowering {
public:
  FunctionLowering(std::string name, const ir::Names &names) : names(names) {
    fn.name = std::move(name);
  }

  /// Binds \p e (a variable or a root) to a new argument buffer.
  void bind(const Expr *e, Buffer buffer) {
    fn.buffers.push_back(std::move(buffer));
    bufferOf[e] = static_cast<int>(fn.buffers.size()) - 1;
  }

  void addLossRoot(const Expr *loss) { lossRoot = loss; }

  Function run(const std::vector<const Expr *> &roots);

private:
  void countUses(const std::vector<const Expr *> &order);
  bool fusesBiasGemm(const Expr *n) const;
  int bufferFor(const Expr *n);
  void collectLeaves(const Expr *n, Kernel &k, bool top);
  void emitKernel(const Expr *n);

  const ir::Names &names;
  Function fn;
  const Expr *lossRoot = nullptr;
  std::map<const Expr *, int> bufferOf;
  std::map<const Expr *, int> uses;
  std::set<const Expr *> materialised;
  int temps = 0;
};

void FunctionLowering::countUses(const std::vector<const Expr *> &order) {
  for (const Expr *n : order)
    for (const Expr *a : n->args)
      ++uses[a];

  // Rule 1: roots, non-elementwise nodes, shared nodes, and operands of
  // kernels that read memory.
  for (const Expr *n : order) {
    if (n->op == Op::Var || n->op == Op::Const)
      continue;
    if (bufferOf.count(n) || !n->isElementwise() || uses[n] > 1)
      materialised.insert(n);
    if (!n->isElementwise())
      for (const Expr *a : n->args)
        if (a->op != Op::Var && a->op != Op::Const)
          materialised.insert(a);
  }

  // Rule 2: a product used only by its bias addition folds into that GEMM.
  for (const Expr *n : order)
    if (fusesBiasGemm(n)) {
      materialised.insert(n);
      materialised.erase(n->arg(0));
    }
}

bool FunctionLowering::fusesBiasGemm(const Expr *n) const {
  if (n->op != Op::AddBias || n->arg(0)->op != Op::Linear)
    return false;
  auto it = uses.find(n->arg(0));
  return it != uses.end() && it->second == 1 && !bufferOf.count(n->arg(0));
}

int FunctionLowering::bufferFor(const Expr *n) {
  if (auto it = bufferOf.find(n); it != bufferOf.end())
    return it->second;
  Buffer b;
  auto named = names.find(n);
  b.name =
      named != names.end() ? named->second.id() : fmt::format("t{}", ++temps);
  b.kind = Buffer::Kind::Temp;
  b.batch = n->type.isBatch();
  b.rows = n->type.isBatch() ? 1 : n->type.rows;
  b.cols = n->type.kind == ir::Type::Kind::Vector ? 1 : n->type.cols;
  bind(n, b);
  return bufferOf[n];
}

void FunctionLowering::collectLeaves(const Expr *n, Kernel &k, bool top) {
  if (n->op == Op::Const)
    return;
  if (!top && (n->op == Op::Var || materialised.count(n))) {
    BL_ASSERT(bufferOf.count(n), "leaf read before it is computed");
    k.leaves[n] = bufferOf.at(n);
    return;
  }
  for (const Expr *a : n->args)
    collectLeaves(a, k, false);
}

void FunctionLowering::emitKernel(const Expr *n) {
  Kernel k;
  k.expr = n;
  switch (n->op) {
  case Op::Linear:
  case Op::LinearT:
  case Op::OuterSum:
  case Op::AddBias:
    if (n->op != Op::AddBias || fusesBiasGemm(n)) {
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
      break;
    }
    [[fallthrough]];
  default:
    if (n->isElementwise()) {
      k.kind = Kernel::Kind::Loop;
      collectLeaves(n, k, true);
      break;
    }
    if (n->op == Op::ColSum) {
      k.kind = Kernel::Kind::ColSum;
      k.src = bufferFor(n->arg(0));
    } else if (n->op == Op::LossGrad) {
      k.kind = Kernel::Kind::SoftmaxGrad;
      k.src = bufferFor(n->arg(0));
      k.target = bufferFor(n->arg(1));
    } else {
      BL_UNREACHABLE(std::string("no kernel for op ") + ir::opName(n->op));
    }
  }
  k.out = bufferFor(n);
  fn.kernels.push_back(std::move(k));
}

Function FunctionLowering::run(const std::vector<const Expr *> &roots) {
  std::vector<const Expr *> all = roots;
  if (lossRoot)
    all.push_back(lossRoot);
  std::vector<const Expr *> order = ir::topoOrder(all);
  countUses(order);

  for (const Expr *n : order) {
    if (n->op == Op::Var || n->op == Op::Const || n == lossRoot ||
        !materialised.count(n))
      continue;
    emitKernel(n);
  }

  if (lossRoot) {
    Kernel k;
    k.kind = Kernel::Kind::LossSum;
    k.expr = lossRoot;
    k.src = bufferFor(lossRoot->arg(0));
    k.target = bufferFor(lossRoot->arg(1));
    fn.kernels.push_back(std::move(k));
  }

  // Name each fused loop's inlined operations, for the printout.
  for (Kernel &k : fn.kernels)
    if (k.kind == Kernel::Kind::Loop) {
      std::vector<std::string> ops;
      std::function<void(const Expr *, bool)> walk = [&](const Expr *e,
                                                         bool top) {
        if (!top &&
            (e->op == Op::Var || e->op == Op::Const || k.leaves.count(e)))
          return;
        ops.push_back(ir::opName(e->op));
        for (const Expr *a : e->args)
          walk(a, false);
      };
      walk(k.expr, true);
      if (ops.size() > 1)
        k.fusion = fmt::format("{}", fmt::join(ops, "+"));
    }
  return std::move(fn);
}

Buffer argBuffer(std::string name, Buffer::Kind kind, const Expr *e,
                 int argIndex = -1) {
  Buffer b;
  b.name = std::move(name);
  b.kind = kind;
  b.batch = e->type.isBatch();
  b.rows = b.batch ? 1 : e->type.rows;
  b.cols = e->type.kind == ir::Type::Kind::Vector ? 1 : e->type.cols;
  b.argIndex = argIndex;
  return b;
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
      fl.bind(p.params[i], argBuffer(p.params[i]->varId(), Buffer::Kind::Param,
                                     p.params[i], static_cast<int>(i)));
    fl.bind(p.x, argBuffer("x", Buffer::Kind::Input, p.x));
    if (withTarget)
      fl.bind(p.y, argBuffer("y", Buffer::Kind::Target, p.y));
  };

  FunctionLowering predict("predict", d.names);
  bindInputs(predict, false);
  predict.bind(d.prediction,
               argBuffer("out", Buffer::Kind::Output, d.prediction));
  kp.predict = predict.run({d.prediction});

  FunctionLowering gradient("gradient", d.names);
  bindInputs(gradient, true);
  for (size_t i = 0; i < p.params.size(); ++i) {
    BL_ASSERT(d.gradients[i]->op != Op::Var && d.gradients[i]->op != Op::Const,
              "a gradient that is a variable or constant needs a copy kernel");
    gradient.bind(d.gradients[i],
                  argBuffer("d" + p.params[i]->varId(), Buffer::Kind::Gradient,
                            d.gradients[i], static_cast<int>(i)));
  }
  gradient.addLossRoot(d.loss);
  kp.gradient = gradient.run(d.gradients);
  return kp;
}

} // namespace bilevel::lower
