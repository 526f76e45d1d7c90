//===- ReverseMode.cpp - Symbolic reverse-mode differentiation ------------===//
//
// Differentiates a scalar expression DAG with respect to chosen variables.
// Nodes are visited in reverse topological order; each node that reaches a
// target passes its adjoint to its operands by the op's vector-Jacobian
// product. Because the Context hash-conses, adjoints that coincide (e.g. the
// adjoint of an identity layer's output and of its pre-activation) are one
// node, which is what later lets the lowering share buffers.
//
//===----------------------------------------------------------------------===//
#include "derive/Derive.h"

#include "support/Assert.h"

#include <set>

namespace bilevel::derive {

using ir::Op;

namespace {

class Adjoints {
public:
  Adjoints(Context &ctx, bool mean) : ctx(ctx), mean(mean) {}

  void accumulate(const Expr *node, const Expr *contribution) {
    auto [it, fresh] = table.emplace(node, contribution);
    if (!fresh)
      it->second = ctx.add(it->second, contribution);
  }

  /// Passes the adjoint \p d of \p n to those operands in \p live.
  void propagate(const Expr *n, const Expr *d,
                 const std::set<const Expr *> &live);

  std::map<const Expr *, const Expr *> table;

private:
  /// The gradient of a batch mean carries 1/N; a per-sample one does not.
  const Expr *perSample(const Expr *e) { return mean ? ctx.perSample(e) : e; }
  /// The scalar seed \p d (a constant) times \p e.
  const Expr *seeded(const Expr *d, const Expr *e) {
    BL_ASSERT(d->op == Op::Const,
              "scalar adjoints are constants: objectives are linear "
              "combinations of their terms");
    return ctx.scale(d->value, e);
  }

  Context &ctx;
  bool mean;
};

void Adjoints::propagate(const Expr *n, const Expr *d,
                         const std::set<const Expr *> &live) {
  auto to = [&](size_t i, const Expr *contribution) {
    if (live.count(n->arg(i)))
      accumulate(n->arg(i), contribution);
  };
  switch (n->op) {
  case Op::Loss:
    to(0, seeded(d, ctx.lossGrad(n->loss, n->arg(0), n->arg(1), mean)));
    return;
  case Op::Conjugate: // ∇G* = f
    to(0, seeded(d, perSample(ctx.act(n->act, n->arg(0)))));
    return;
  case Op::Inner:
    to(0, seeded(d, perSample(n->arg(1))));
    to(1, seeded(d, perSample(n->arg(0))));
    return;
  case Op::SqNorm:
    to(0, seeded(d, perSample(n->arg(0))));
    return;
  case Op::Potential:
    throw CompileError(n->loc,
                       "differentiating a potential G(z) with respect to "
                       "another variable is not supported",
                       "this arises only from recipes whose states feed a "
                       "potential indirectly",
                       /*unsupported=*/true);
  case Op::Act:
    if (n->act.kind == Activation::Softmax)
      throw CompileError(n->loc,
                         "back-propagating through a softmax activation is "
                         "not supported",
                         "use an identity output layer with loss "
                         "softmax_cross_entropy",
                         /*unsupported=*/true);
    to(0, ctx.mul(ctx.actDeriv(n->act, n->arg(0)), d));
    return;
  case Op::AddBias:
    to(0, d);
    to(1, ctx.colSum(d));
    return;
  case Op::Linear: // a = W z: dW = Σ d zᵀ, dz = Wᵀ d
    to(0, ctx.outerSum(d, n->arg(1)));
    to(1, ctx.linearT(n->arg(0), d));
    return;
  case Op::LinearT: // u = Wᵀ v: dW = Σ v dᵀ, dv = W d
    to(0, ctx.outerSum(n->arg(1), d));
    to(1, ctx.linear(n->arg(0), d));
    return;
  case Op::Add:
    to(0, d);
    to(1, d);
    return;
  case Op::Sub:
    to(0, d);
    to(1, ctx.scale(-1, d));
    return;
  case Op::Mul:
    to(0, ctx.mul(d, n->arg(1)));
    to(1, ctx.mul(d, n->arg(0)));
    return;
  case Op::Scale:
    to(0, ctx.scale(n->value, d));
    return;
  default:
    BL_UNREACHABLE(std::string("no vector-Jacobian rule for op ") +
                   ir::opName(n->op));
  }
}

} // namespace

std::vector<const Expr *>
reverseMode(Context &ctx, const Expr *root,
            const std::vector<const Expr *> &wrt,
            std::map<const Expr *, const Expr *> *adjoints, bool mean) {
  BL_ASSERT(root->type.kind == ir::Type::Kind::Scalar,
            "reverse mode needs a scalar root");
  std::vector<const Expr *> order = ir::topoOrder({root});

  // A node is live when some target is reachable from it.
  std::set<const Expr *> live(wrt.begin(), wrt.end());
  for (const Expr *n : order)
    for (const Expr *a : n->args)
      if (live.count(a))
        live.insert(n);

  Adjoints adj(ctx, mean);
  adj.table.emplace(root, ctx.constant(1));
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Expr *n = *it;
    auto found = adj.table.find(n);
    if (found == adj.table.end() || n->op == Op::Var)
      continue;
    adj.propagate(n, found->second, live);
  }

  std::vector<const Expr *> grads;
  for (const Expr *v : wrt) {
    auto found = adj.table.find(v);
    BL_ASSERT(found != adj.table.end(),
              "objective does not depend on " + v->varId());
    grads.push_back(found->second);
  }
  if (adjoints)
    *adjoints = adj.table;
  return grads;
}

} // namespace bilevel::derive
