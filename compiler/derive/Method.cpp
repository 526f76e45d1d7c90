//===- Method.cpp - Deriving a method's updates from its rules ------------===//
//
// deriveMethod is the same for every method:
//
//  1. expand the method into its recipe and apply the rules (compiler/rules):
//     a relaxed objective J over state blocks, per branch;
//  2. derive each block's update from J (BlockUpdate.cpp) and group the
//     blocks into inference phases;
//  3. differentiate J with respect to θ with the blocks held at their
//     inferred values (Danskin), weighting and adding the branches.
//
// Back-propagation is the recipe `all: limit-bp`: every level is replaced
// by its closed form, no block is left, and step 3 is reverse-mode
// differentiation of ℓ(z_L(θ); y) (reformulation.md §4.6).
//
//===----------------------------------------------------------------------===//
#include "derive/Derive.h"

#include "support/Assert.h"

#include <fmt/format.h>

#include <algorithm>

namespace bilevel::derive {

using ir::Op;

namespace {

/// Names the feed-forward chain a_k, z_k (u_k for predictive coding).
void nameForward(const ir::NestedProgram &p, const rules::RelaxedProgram &r,
                 DerivedMethod &d) {
  for (const ir::Level &lv : p.levels) {
    const Expr *z = r.forward.at(lv.state);
    if (z->op == Op::Act) {
      d.names[z->arg(0)] = ir::Name{"a", lv.k};
      d.forward.push_back({ir::Name{"a", lv.k}, z->arg(0)});
    }
    d.names[z] = ir::Name{lv.state->name, lv.k};
    d.forward.push_back({ir::Name{lv.state->name, lv.k}, z});
  }
}

const Expr *sumTerms(Context &ctx, const rules::Branch &br) {
  const Expr *j = nullptr;
  for (const rules::Term &t : br.terms)
    j = j ? ctx.add(j, t.expr) : t.expr;
  return j;
}

/// The inference phases of one branch: a single phase when the two sides
/// of the saddle problem are coupled, else the max side (the free phase)
/// before the min side, which starts from it.
std::vector<Phase> phasesOf(Context &ctx, const rules::Branch &br,
                            const InferSpec &infer, SourceLoc loc,
                            const std::string &suffix) {
  bool coupled = false;
  for (const rules::Term &t : br.terms) {
    bool plus = false, minus = false;
    for (const rules::Block &b : br.blocks) {
      if (!ir::dependsOn(t.expr, b.var))
        continue;
      (b.var->tag == "+" ? plus : minus) = true;
    }
    coupled = coupled || (plus && minus);
  }

  auto order = [&](std::vector<const rules::Block *> bs) {
    std::stable_sort(bs.begin(), bs.end(), [&](auto *x, auto *y) {
      return infer.order == "forward" ? x->layer < y->layer
                                      : x->layer > y->layer;
    });
    return bs;
  };
  std::vector<std::vector<const rules::Block *>> groups;
  std::vector<std::string> names;
  if (coupled || br.blocks.empty()) {
    std::vector<const rules::Block *> all;
    for (const rules::Block &b : br.blocks)
      all.push_back(&b);
    groups.push_back(order(all));
    names.push_back("inference");
  } else {
    std::vector<const rules::Block *> minus, plus;
    for (const rules::Block &b : br.blocks)
      (b.var->tag == "+" ? plus : minus).push_back(&b);
    if (!minus.empty()) {
      groups.push_back(order(minus));
      names.push_back("free phase");
    }
    if (!plus.empty()) {
      groups.push_back(order(plus));
      names.push_back("nudged phase");
    }
  }

  std::vector<Phase> phases;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].empty())
      continue;
    Phase ph;
    ph.name = names[i] + suffix;
    ph.sweeps = infer.sweeps;
    ph.tol = infer.tol;
    // A phase that the next one starts from must be converged well below
    // the next phase's movement, which is O(β): whatever it leaves
    // unconverged would otherwise be read as part of the nudge.
    if (i + 1 < groups.size() && br.beta > 0 && br.beta < 1)
      ph.tol = infer.tol * br.beta;
    for (const rules::Block *b : groups[i])
      ph.blocks.push_back(deriveBlockUpdate(ctx, br, *b, infer.update, loc));
    phases.push_back(std::move(ph));
  }
  return phases;
}

} // namespace

DerivedMethod deriveMethod(Context &ctx, const ir::NestedProgram &p,
                           const Spec &spec, const InferSpec *tighter) {
  DerivedMethod d;
  d.method = spec.method.preset;
  ir::Printer pr(Format::Text, &d.names);

  // 1. The rules.
  InferSpec infer;
  std::vector<LayerRecipe> recipe =
      rules::expandRecipe(spec.method, spec.network, &infer);
  if (tighter && infer.sweeps > 1) {
    infer.sweeps = tighter->sweeps;
    infer.tol = tighter->tol;
  }
  d.relaxed = rules::applyRecipe(ctx, p, spec.method, recipe, infer,
                                 /*eliminate=*/false);
  d.eliminated = rules::applyRecipe(ctx, p, spec.method, recipe, infer);
  d.trace = d.eliminated.trace;
  nameForward(p, d.eliminated, d);
  const Expr *fwdObjective = ctx.substitute(p.objective, d.eliminated.forward);
  d.prediction = fwdObjective->arg(0);
  d.loss = fwdObjective;

  // 2. Inference.
  const std::vector<rules::Branch> &branches = d.eliminated.branches;
  for (size_t b = 0; b < branches.size(); ++b) {
    std::string suffix =
        branches.size() > 1 ? (b == 0 ? " (+β)" : " (−β)") : "";
    for (Phase &ph : phasesOf(ctx, branches[b], d.eliminated.infer,
                              spec.method.loc, suffix))
      d.phases.push_back(std::move(ph));
  }

  // Test time: a collapsed energy predicts with its free phase, the
  // network with feedback it defines (reformulation.md §6); the others
  // predict with the feed-forward pass.
  if (d.eliminated.collapsed && !d.phases.empty()) {
    const Phase &free = d.phases.front();
    for (const BlockUpdate &u : free.blocks)
      if (u.var->index == p.top().k) {
        d.predictPhases = {free};
        d.prediction = u.var;
      }
  }

  // 3. The parameter gradient at the inferred states. Each layer's energy
  // is differentiated at the states it had when its own block was last
  // updated: in a top-down sweep the layer below still held its value from
  // the start of the sweep. At a converged state this changes nothing; for
  // a single sweep (Fenchel BP) it is what makes the finite targets a
  // gradient estimate (reformulation.md §4.3: the forward z_{k-1} is used).
  std::map<const Expr *, const Expr *> adjoint;
  d.gradients.assign(p.params.size(), nullptr);
  for (const rules::Branch &br : branches) {
    rules::Branch snap = br;
    if (d.eliminated.infer.order == "backward")
      for (rules::Term &t : snap.terms)
        for (const rules::Block &b : br.blocks)
          if (t.layer > 0 && b.layer < t.layer &&
              ir::dependsOn(t.expr, b.var)) {
            const Expr *old =
                ctx.stateCopy(b.var, b.var->tag + "°", b.var->branch);
            t.expr = ctx.substitute(t.expr, {{b.var, old}});
            for (Phase &ph : d.phases)
              for (const BlockUpdate &u : ph.blocks)
                if (u.var == b.var &&
                    std::find(ph.snapshots.begin(), ph.snapshots.end(),
                              std::pair{b.var, old}) == ph.snapshots.end())
                  ph.snapshots.push_back({b.var, old});
          }
    const Expr *j = sumTerms(ctx, snap);
    if (!d.objective)
      d.objective = sumTerms(ctx, br);
    std::vector<const Expr *> g = reverseMode(ctx, j, p.params, &adjoint);
    for (size_t i = 0; i < g.size(); ++i) {
      const Expr *w = ctx.scale(br.weight, g[i]);
      d.gradients[i] = d.gradients[i] ? ctx.add(d.gradients[i], w) : w;
    }
  }
  d.trace.push_back(fmt::format(
      "reverse-mode: differentiated the relaxed "
      "objective with respect to {} parameters{}",
      p.params.size(), d.phases.empty() ? "" : " at the inferred states"));

  // Name the adjoints of the forward states (the δ-recursion of BP).
  for (auto it = d.forward.rbegin(); it != d.forward.rend(); ++it) {
    auto found = adjoint.find(it->value);
    if (found == adjoint.end() || d.names.count(found->second) ||
        found->second->op == Op::Var)
      continue;
    ir::Name bar = it->name;
    bar.bar = true;
    d.names[found->second] = bar;
    d.adjoints.push_back({bar, found->second});
  }
  return d;
}

} // namespace bilevel::derive
