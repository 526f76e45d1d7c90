//===- Method.cpp - Deriving a method's updates from its rules ------------===//
//
// deriveMethod applies, in order, the rules a method names. Back-propagation
// is the rule `limit-bp`: every lower level is replaced by its closed-form
// minimiser (the β → 0 limit of any relaxation, reformulation.md §4.6),
// which leaves a single-level objective ℓ(z_L(θ); y); reverse-mode
// differentiation of that objective gives the parameter gradient.
//
//===----------------------------------------------------------------------===//
#include "derive/Derive.h"

#include "support/Assert.h"

#include <fmt/format.h>

namespace bilevel::derive {

namespace {

DerivedMethod deriveLimitBp(Context &ctx, const ir::NestedProgram &p) {
  DerivedMethod d;
  d.method = "bp";
  ir::Printer pr(Format::Text, &d.names);

  // Solve the levels bottom-up; each solution feeds the level above.
  std::map<const Expr *, const Expr *> solved;
  for (const ir::Level &lv : p.levels) {
    const Expr *energy = ctx.substitute(lv.energy, solved);
    std::string why;
    const Expr *z = solveArgmin(ctx, energy, lv.state, &why);
    if (!z)
      throw CompileError(lv.loc,
                         fmt::format("rule limit-bp cannot eliminate the "
                                     "level of layer '{}': {}",
                                     lv.layerName, why));
    // An identity layer's state is its pre-activation: one binding, z_k.
    if (z->op == ir::Op::Act) {
      d.names[z->arg(0)] = ir::Name{"a", lv.k};
      d.forward.push_back({ir::Name{"a", lv.k}, z->arg(0)});
    }
    d.names[z] = ir::Name{"z", lv.k};
    d.forward.push_back({ir::Name{"z", lv.k}, z});
    solved[lv.state] = z;
    d.trace.push_back(fmt::format(
        "limit-bp: level {} ({}) has the closed-form minimiser {} = ∇G*({}) "
        "= {}",
        lv.k, lv.layerName, pr.name({"z", lv.k}), pr.name({"a", lv.k}),
        pr.expr(z, /*expand=*/true)));
  }

  d.objective = ctx.substitute(p.objective, solved);
  d.prediction = solved.at(p.top().state);
  d.loss = d.objective;

  std::map<const Expr *, const Expr *> adjoint;
  d.gradients = reverseMode(ctx, d.objective, p.params, &adjoint);
  d.trace.push_back(fmt::format(
      "reverse-mode: differentiated {} with respect to {} parameters",
      pr.expr(d.objective), p.params.size()));

  // Name the adjoints of the forward states, top layer first, so that the
  // backward sweep reads as δ-recursions.
  for (auto it = d.forward.rbegin(); it != d.forward.rend(); ++it) {
    auto found = adjoint.find(it->value);
    if (found == adjoint.end() || d.names.count(found->second))
      continue;
    ir::Name bar = it->name;
    bar.bar = true;
    d.names[found->second] = bar;
    d.adjoints.push_back({bar, found->second});
  }
  return d;
}

} // namespace

DerivedMethod deriveMethod(Context &ctx, const ir::NestedProgram &program,
                           const MethodSpec &method) {
  if (method.preset == "bp")
    return deriveLimitBp(ctx, program);
  throw CompileError(
      method.loc,
      fmt::format("method '{}' is not implemented yet", method.preset),
      "use method bp; the reformulation rules for the other "
      "presets are being added",
      /*unsupported=*/true);
}

} // namespace bilevel::derive
