//===- BlockUpdate.cpp - Deriving the update of one state block -----------===//
//
// For a block v the relaxed objective J splits into v's own energy,
// c·[G(v) − ⟨a, v⟩] (or c·½‖v − a‖², which is the same with G = ½‖·‖²),
// and the rest R(v). Stationarity, c(∇G(v) − a) + ∇R(v) = 0, gives
//
//   fixed point     v ← f(a − ∇R(v)/c)                  (f = ∇G* = ∇G⁻¹)
//   prox-gradient   v ← (∇G + κ)⁻¹(a − ∇R(v)/c + κ v),  κ = Λ/|c|,
//
// where ∇R is derived by reverse mode (per sample) and Λ is a bound on its
// Lipschitz constant in v, derived from the expression (spectral norms of
// the weights it multiplies by, Lipschitz constants of activations). The
// prox-gradient step converges for any β. Its inner problem
// ∇G(v) + κ v = w is a projection for G = ½‖z‖² + ι_C (identity, relu,
// hard sigmoid, hard tanh) and a monotone scalar equation per unit for the
// entropic potentials (sigmoid, tanh), solved in the generated code.
//
//===----------------------------------------------------------------------===//
#include "derive/Derive.h"

#include "support/Assert.h"

#include <fmt/format.h>

#include <cmath>

namespace bilevel::derive {

using ir::ActFn;
using ir::Op;

namespace {

double activationLipschitz(Activation a) {
  return a == Activation::Sigmoid ? 0.25 : 1.0;
}

bool piecewiseLinear(Activation a) {
  return a == Activation::Identity || a == Activation::Relu ||
         a == Activation::HardSigmoid || a == Activation::HardTanh ||
         a == Activation::LeakyRelu;
}

/// G = ½‖z‖² + ι_C: the prox of G is a projection, as cheap as f itself.
bool projectionFamily(Activation a) {
  return a == Activation::Identity || a == Activation::Relu ||
         a == Activation::HardSigmoid || a == Activation::HardTanh;
}

/// A product of two bounds (nullptr stays unknown).
const Expr *times(Context &ctx, const Expr *a, const Expr *b) {
  if (!a || !b)
    return nullptr;
  if (a->isConst(0) || b->isConst(0))
    return ctx.constant(0);
  return ctx.mul(a, b);
}

/// v's own energy within one term, if the term is one.
struct Own {
  double c = 0;
  ActFn f;
  const Expr *a = nullptr;
};

std::optional<Own> ownEnergy(const Expr *term, const Expr *v) {
  double c = 1;
  const Expr *e = term;
  if (e->op == Op::Scale) {
    c = e->value;
    e = e->arg(0);
  }
  if (e->op == Op::Sub && e->arg(0)->op == Op::Potential &&
      e->arg(0)->arg(0) == v && e->arg(1)->op == Op::Inner &&
      e->arg(1)->arg(1) == v && !ir::dependsOn(e->arg(1)->arg(0), v))
    return Own{c, e->arg(0)->act, e->arg(1)->arg(0)};
  if (e->op == Op::SqNorm && e->arg(0)->op == Op::Sub &&
      e->arg(0)->arg(0) == v && !ir::dependsOn(e->arg(0)->arg(1), v))
    return Own{c, ActFn{Activation::Identity}, e->arg(0)->arg(1)};
  return std::nullopt;
}

/// True when some matrix product on the way from \p v to \p e depends on v.
bool productDependsOn(const Expr *e, const Expr *v) {
  for (const Expr *n : ir::topoOrder({e}))
    if ((n->op == Op::Linear || n->op == Op::LinearT) && ir::dependsOn(n, v))
      return true;
  return false;
}

} // namespace

const Expr *lipschitzBound(Context &ctx, const Expr *e, const Expr *v) {
  if (!ir::dependsOn(e, v))
    return ctx.constant(0);
  if (e == v)
    return ctx.constant(1);
  auto L = [&](size_t i) { return lipschitzBound(ctx, e->arg(i), v); };
  switch (e->op) {
  case Op::Linear:
  case Op::LinearT:
    return times(ctx, ctx.specNorm(e->arg(0)), L(1));
  case Op::AddBias:
  case Op::PerSample:
    return L(0);
  case Op::Act:
    return times(ctx, ctx.constant(activationLipschitz(e->act.kind)), L(0));
  case Op::Add:
  case Op::Sub: {
    const Expr *a = L(0), *b = L(1);
    return a && b ? ctx.add(a, b) : nullptr;
  }
  case Op::Scale:
    return times(ctx, ctx.constant(std::abs(e->value)), L(0));
  case Op::LossGrad: // z − y, or softmax(z) − y (softmax is 1-Lipschitz)
    return L(0);
  case Op::Mul:
    // |f′| ≤ Lip(f): a derivative factor free of v is a bounded scale, and
    // so is one of a piecewise-linear f, whose f′ is piecewise constant in
    // v (the bound then holds on each piece, i.e. almost everywhere).
    for (int i = 0; i < 2; ++i) {
      const Expr *k = e->arg(i), *other = e->arg(1 - i);
      if (k->op == Op::ActDeriv &&
          (!ir::dependsOn(k, v) || piecewiseLinear(k->act.kind)))
        return times(ctx, ctx.constant(activationLipschitz(k->act.kind)),
                     lipschitzBound(ctx, other, v));
    }
    return nullptr;
  default:
    return nullptr;
  }
}

BlockUpdate deriveBlockUpdate(Context &ctx, const rules::Branch &br,
                              const rules::Block &blk, const std::string &mode,
                              SourceLoc loc) {
  const Expr *v = blk.var;
  ir::Printer pr(Format::Text);

  // Split J into v's own energy and the rest.
  std::vector<Own> own;
  const Expr *rest = nullptr;
  for (const rules::Term &t : br.terms) {
    if (!ir::dependsOn(t.expr, v))
      continue;
    if (std::optional<Own> o = ownEnergy(t.expr, v))
      own.push_back(*o);
    else
      rest = rest ? ctx.add(rest, t.expr) : t.expr;
  }
  if (own.empty())
    throw CompileError(loc,
                       fmt::format("cannot derive an update for {}: no term "
                                   "is its own energy G(z) − ⟨a, z⟩",
                                   pr.expr(v)),
                       "this recipe leaves a state without an energy of its "
                       "own; check the rules of its layer",
                       /*unsupported=*/true);

  // Several own terms of one potential add up: Σ c_i (G − ⟨a_i, v⟩).
  double c = 0;
  const Expr *a = nullptr;
  for (const Own &o : own) {
    if (o.f != own[0].f)
      throw CompileError(loc,
                         fmt::format("cannot derive an update for {}: its "
                                     "energies have different potentials",
                                     pr.expr(v)),
                         "", /*unsupported=*/true);
    c += o.c;
    a = a ? ctx.add(a, ctx.scale(o.c, o.a)) : ctx.scale(o.c, o.a);
  }
  BL_ASSERT(c != 0, "own energies cancel");
  a = ctx.scale(1 / c, a);
  ActFn f = own[0].f;

  BlockUpdate u;
  u.var = v;
  u.init = blk.init;
  const Expr *gradRest =
      rest ? reverseMode(ctx, rest, {v}, nullptr, /*mean=*/false)[0] : nullptr;
  const Expr *target =
      gradRest ? ctx.sub(a, ctx.scale(1 / c, gradRest)) : a; // a − ∇R/c

  const Expr *lip = gradRest ? lipschitzBound(ctx, gradRest, v) : nullptr;
  bool prox =
      mode == "prox-gradient" || (mode == "auto" && lip && !lip->isConst(0));
  if (prox && f.kind == Activation::Softmax)
    throw CompileError(loc,
                       fmt::format("a prox-gradient step for {} needs an "
                                   "elementwise activation",
                                   pr.expr(v)),
                       "use update = fixed_point");
  if (prox && !lip)
    throw CompileError(loc,
                       fmt::format("no Lipschitz bound could be derived for "
                                   "the update of {}",
                                   pr.expr(v)),
                       "use update = fixed_point");

  if (prox && !lip->isConst(0)) {
    // Linearise the rest at the current v with step 1/Λ and solve the own
    // energy exactly: ∇G(v) + κ v = target + κ v_current, κ = Λ/|c|. For
    // the entropic potentials, whose prox is an iterative solve, the fixed
    // point is used where it is a contraction (Lip(f)·κ < 1): under `auto`
    // the weight is gated to 0 there.
    const Expr *kappa = ctx.mul(lip, ctx.constant(1 / std::abs(c)));
    if (mode == "auto" && !projectionFamily(f.kind))
      kappa = ctx.gate(kappa, activationLipschitz(f.kind));
    u.update = ctx.proxAct(f, ctx.add(target, ctx.scaleBy(kappa, v)), kappa);
    u.form = kappa->op == Op::Gate
                 ? "prox-gradient, or the fixed point where it contracts"
                 : "prox-gradient";
    u.lipschitz = lip;
  } else {
    u.update = ctx.act(f, target);
    u.form = gradRest ? "fixed point" : "closed form";
  }
  u.inner = ir::dependsOn(u.update, v) && !productDependsOn(u.update, v);
  return u;
}

} // namespace bilevel::derive
