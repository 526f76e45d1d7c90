//===- Apply.cpp - Applying a recipe to the nested program ----------------===//
//
// The levels are visited from the outermost (the output layer) inward, as
// the reformulation is defined: at each level the layer's rules rewrite the
// current objective. Until its own level is visited, a lower state appears
// in the terms as the original variable z_k; its level then replaces it
// everywhere (by a closed form, by its min copy z_k⁺, or by a mix of both
// copies), so terms written earlier follow automatically.
//
// A centered recipe is applied twice, with β and with −β, on independent
// copies of the states; the two relaxations are averaged.
//
//===----------------------------------------------------------------------===//
#include "rules/Rules.h"

#include "support/Assert.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace bilevel::rules {

using ir::Op;

namespace {

/// How many terms mention \p v.
int occurrences(const std::vector<Term> &terms, const Expr *v) {
  int n = 0;
  for (const Term &t : terms)
    n += ir::dependsOn(t.expr, v) ? 1 : 0;
  return n;
}

class Relaxer {
public:
  Relaxer(Context &ctx, const ir::NestedProgram &p, RelaxedProgram &out,
          double sign, int branch, bool eliminate)
      : ctx(ctx), p(p), out(out), sign(sign), branchId(branch),
        eliminateLevels(eliminate), pr(Format::Text) {
    br.betaSign = sign;
  }

  Branch run(const std::vector<LayerRecipe> &recipe);

private:
  void substitute(const Expr *from, const Expr *to, bool skipLoss = false);
  void addTerm(double c, const Expr *e, std::string origin, int layer = 0) {
    br.terms.push_back({ctx.scale(c, e), std::move(origin), layer});
  }
  const Expr *energyOf(const ir::Level &lv, const Expr *state) {
    return ctx.substitute(lv.energy, {{lv.state, state}});
  }

  void limitBp(const ir::Level &lv, const RuleSpec &r);
  void ovr(const ir::Level &lv, const RuleSpec &r, const RuleSpec *mix,
           const std::vector<const RuleSpec *> &elims);
  void eliminate(const ir::Level &lv, const Expr *minus, double beta,
                 const RuleSpec &r);
  void collapse(const LayerRecipe &g);

  std::string tagName(const Expr *v) { return pr.expr(v); }

  Context &ctx;
  const ir::NestedProgram &p;
  RelaxedProgram &out;
  double sign;
  int branchId;
  bool eliminateLevels;
  ir::Printer pr;
  Branch br;
};

void Relaxer::substitute(const Expr *from, const Expr *to, bool skipLoss) {
  for (Term &t : br.terms)
    if (!(skipLoss && t.origin == "loss"))
      t.expr = ctx.substitute(t.expr, {{from, to}});
}

void Relaxer::limitBp(const ir::Level &lv, const RuleSpec &r) {
  std::string why;
  const Expr *z = solveArgmin(ctx, lv.energy, lv.state, &why);
  if (!z)
    throw CompileError(r.loc, fmt::format("rule limit-bp cannot eliminate the "
                                          "level of layer '{}': {}",
                                          lv.layerName, why));
  substitute(lv.state, z);
  if (branchId == 0)
    out.trace.push_back(fmt::format(
        "limit-bp[{}]: {} = {} (closed-form minimiser of its energy)",
        lv.layerName, pr.expr(lv.state), pr.expr(z)));
}

void Relaxer::ovr(const ir::Level &lv, const RuleSpec &r, const RuleSpec *mix,
                  const std::vector<const RuleSpec *> &elims) {
  double beta = sign * r.param("beta", 0.1);
  if (beta == 0 || !std::isfinite(beta))
    throw CompileError(r.loc, "rule ovr needs a nonzero, finite beta",
                       "β = 0 is back-propagation itself: use limit_bp");
  const Expr *plus = ctx.stateCopy(lv.state, "+", branchId);
  const Expr *minus = ctx.stateCopy(lv.state, "-", branchId);
  br.beta = br.beta == 0 ? std::abs(beta) : std::min(br.beta, std::abs(beta));

  // The outer program now sees z⁺, or with mix-input the mix ᾱ of both.
  if (mix) {
    double alpha = mix->param("alpha", 0.5);
    if (alpha < 0 || alpha > 1)
      throw CompileError(mix->loc, "rule mix-input needs 0 ≤ alpha ≤ 1");
    const Expr *mixed = alpha == 1   ? plus
                        : alpha == 0 ? minus
                                     : ctx.add(ctx.scale(alpha, plus),
                                               ctx.scale(1 - alpha, minus));
    std::vector<Term> loss;
    for (const Term &t : br.terms)
      if (t.origin == "loss" && ir::dependsOn(t.expr, lv.state))
        loss.push_back(t);
    std::erase_if(br.terms, [&](const Term &t) {
      return t.origin == "loss" && ir::dependsOn(t.expr, lv.state);
    });
    substitute(lv.state, mixed);
    for (const Term &t : loss) {
      if (alpha != 0)
        addTerm(alpha, ctx.substitute(t.expr, {{lv.state, plus}}), "loss");
      if (alpha != 1)
        addTerm(1 - alpha, ctx.substitute(t.expr, {{lv.state, minus}}), "loss");
    }
  } else {
    substitute(lv.state, plus);
  }

  std::string origin = fmt::format("ovr[{}]", lv.layerName);
  addTerm(1 / beta, energyOf(lv, plus), origin, lv.k);
  addTerm(-1 / beta, energyOf(lv, minus), origin, lv.k);
  const Expr *init = out.forward.at(lv.state);
  br.blocks.push_back({plus, lv.k, beta < 0, init});
  br.blocks.push_back({minus, lv.k, beta > 0, init});
  if (branchId == 0)
    out.trace.push_back(fmt::format(
        "ovr[{}]: {} ∈ argmin E{} relaxed with β = {}: + (1/β)[E({}) − "
        "E({})]{}",
        lv.layerName, pr.expr(lv.state), pr.sub(lv.k), beta, tagName(plus),
        tagName(minus),
        mix ? fmt::format("; mix-input: the layer above reads α{} + "
                          "(1−α){}, α = {}",
                          tagName(plus), tagName(minus),
                          mix->param("alpha", 0.5))
            : ""));

  if (eliminateLevels)
    for (const RuleSpec *e : elims)
      eliminate(lv, minus, beta, *e);
}

void Relaxer::eliminate(const ir::Level &lv, const Expr *minus, double beta,
                        const RuleSpec &r) {
  int uses = occurrences(br.terms, minus);
  if (uses != 1)
    throw CompileError(
        r.loc,
        fmt::format("rule {} cannot apply to layer '{}': {} occurs in {} "
                    "terms, not only in its own energy",
                    r.id, lv.layerName, tagName(minus), uses),
        uses > 1 ? "the copy feeds other terms (through mix-input or a "
                   "collapsed energy): leave it as a variable, which "
                   "inference then computes"
                 : "");
  auto it = std::find_if(br.terms.begin(), br.terms.end(), [&](const Term &t) {
    return ir::dependsOn(t.expr, minus);
  });
  const Expr *e = it->expr->op == Op::Scale ? it->expr->arg(0) : it->expr;

  if (r.id == "eliminate-conjugate") {
    // −(1/β)[G(z⁻) − ⟨a, z⁻⟩] optimised over z⁻ is (1/β) G*(a).
    bool fenchel = e->op == Op::Sub && e->arg(0)->op == Op::Potential &&
                   e->arg(0)->arg(0) == minus && e->arg(1)->op == Op::Inner &&
                   e->arg(1)->arg(1) == minus &&
                   !ir::dependsOn(e->arg(1)->arg(0), minus);
    if (!fenchel)
      throw CompileError(r.loc,
                         fmt::format("rule eliminate-conjugate cannot apply "
                                     "to layer '{}': its energy is not of "
                                     "the form G(z) − ⟨a, z⟩",
                                     lv.layerName),
                         "use eliminate_quadratic for quadratic energies");
    it->expr =
        ctx.scale(1 / beta, ctx.conjugate(e->arg(0)->act, e->arg(1)->arg(0)));
  } else {
    // −(1/β) ½‖u⁻ − c‖² optimised over u⁻ is 0.
    bool quadratic = e->op == Op::SqNorm && e->arg(0)->op == Op::Sub &&
                     e->arg(0)->arg(0) == minus;
    if (!quadratic)
      throw CompileError(r.loc,
                         fmt::format("rule eliminate-quadratic cannot apply "
                                     "to layer '{}': its energy is not "
                                     "½‖u − c‖²",
                                     lv.layerName),
                         "quadratic energies come with `states "
                         "pre_activation` (predictive coding)");
    br.terms.erase(it);
  }
  std::erase_if(br.blocks, [&](const Block &b) { return b.var == minus; });
  if (branchId == 0)
    out.trace.push_back(fmt::format("{}[{}]: {} eliminated in closed form",
                                    r.id, lv.layerName, tagName(minus)));
}

void Relaxer::collapse(const LayerRecipe &g) {
  const RuleSpec &c = g.rules[0];
  double gamma = c.param("gamma", 0.1);
  if (!(gamma > 0 && gamma <= 1))
    throw CompileError(c.loc, "rule collapse needs 0 < gamma ≤ 1");
  if (g.rules.size() < 2 || g.rules[1].id != "ovr")
    throw CompileError(c.loc, "rule collapse must be followed by ovr",
                       "write `all: collapse(gamma = 0.1) then ovr(beta = "
                       "0.01)`");
  const RuleSpec &o = g.rules[1];
  double beta = sign * o.param("beta", 0.01);
  if (beta == 0 || !std::isfinite(beta))
    throw CompileError(o.loc, "rule ovr needs a nonzero, finite beta");
  bool clamp = o.param("clamp", 0) != 0;
  int L = static_cast<int>(p.levels.size());
  br.beta = std::abs(beta);

  if (branchId == 0) {
    out.collapsed = true;
    out.trace.push_back(fmt::format(
        "collapse: the {} levels become one, E = Σ_k γ^(k−L) E_k, γ = {}", L,
        gamma));
  }
  if (clamp)
    std::erase_if(br.terms, [](const Term &t) { return t.origin == "loss"; });

  // One copy of every state per side; the loss sees the min copies.
  for (const ir::Level &lv : p.levels) {
    const Expr *plus = ctx.stateCopy(lv.state, "+", branchId);
    const Expr *minus = ctx.stateCopy(lv.state, "-", branchId);
    double w = std::pow(gamma, lv.k - L);
    std::string origin = fmt::format("collapse[{}]", lv.layerName);
    addTerm(w / beta, lv.energy, origin + "+", lv.k);
    addTerm(-w / beta, lv.energy, origin + "-", lv.k);
    br.blocks.push_back({minus, lv.k, beta > 0, out.forward.at(lv.state)});
    if (!(clamp && lv.k == L))
      br.blocks.push_back({plus, lv.k, beta < 0, minus});
  }

  // Terms of each side name that side's copies (the loss the min side's).
  for (Term &t : br.terms) {
    bool minusSide = t.origin.ends_with("-");
    std::map<const Expr *, const Expr *> copies;
    for (const ir::Level &lv : p.levels) {
      const Expr *to =
          clamp && lv.k == L && !minusSide
              ? p.y
              : ctx.stateCopy(lv.state, minusSide ? "-" : "+", branchId);
      copies[lv.state] = to;
    }
    t.expr = ctx.substitute(t.expr, copies);
  }
  if (branchId == 0)
    out.trace.push_back(fmt::format(
        "ovr[collapsed]: relaxed with β = {}: + (1/β)[E(z⁺) − E(z⁻)]{}", beta,
        clamp ? "; the output is clamped to y (the loss is the indicator of "
                "z_L = y)"
              : ""));

  for (size_t i = 2; i < g.rules.size(); ++i) {
    const RuleSpec &r = g.rules[i];
    const Expr *minus = ctx.stateCopy(p.levels[0].state, "-", branchId);
    throw CompileError(
        r.loc,
        fmt::format("rule {} cannot apply after collapse: {} occurs in {} "
                    "terms, not only in its own energy",
                    r.id, tagName(minus), occurrences(br.terms, minus)),
        "the collapsed energy couples neighbouring layers, so the free "
        "phase stays a variable that inference computes");
  }
}

Branch Relaxer::run(const std::vector<LayerRecipe> &recipe) {
  br.terms.push_back({p.objective, "loss"});

  // A collapse takes the whole network at once.
  for (const LayerRecipe &g : recipe)
    if (!g.rules.empty() && g.rules[0].id == "collapse") {
      if (recipe.size() != 1 || !g.layers.empty())
        throw CompileError(g.rules[0].loc,
                           "rule collapse applies to every layer at once",
                           "write it in an `all:` group, alone");
      collapse(g);
      return br;
    }

  // Otherwise each layer's group, from the top level inward.
  for (auto it = p.levels.rbegin(); it != p.levels.rend(); ++it) {
    const ir::Level &lv = *it;
    const LayerRecipe *group = nullptr;
    for (const LayerRecipe &g : recipe)
      if (g.layers.empty() || std::find(g.layers.begin(), g.layers.end(),
                                        lv.layerName) != g.layers.end())
        group = &g;
    BL_ASSERT(group && !group->rules.empty(), "every layer has rules");

    const RuleSpec &first = group->rules[0];
    if (first.id == "limit-bp") {
      limitBp(lv, first);
      continue;
    }
    if (first.id != "ovr")
      throw CompileError(first.loc,
                         fmt::format("rule {} cannot start the recipe of "
                                     "layer '{}'",
                                     first.id, lv.layerName),
                         "a layer's rules start with ovr or limit_bp");
    const RuleSpec *mix = nullptr;
    std::vector<const RuleSpec *> elims;
    for (size_t i = 1; i < group->rules.size(); ++i) {
      const RuleSpec &r = group->rules[i];
      if (r.id == "mix-input")
        mix = &r;
      else if (r.id == "eliminate-conjugate" || r.id == "eliminate-quadratic")
        elims.push_back(&r);
      else
        throw CompileError(r.loc,
                           fmt::format("rule {} cannot follow ovr", r.id));
    }
    ovr(lv, first, mix, elims);
  }
  return br;
}

} // namespace

RelaxedProgram applyRecipe(Context &ctx, const ir::NestedProgram &p,
                           const MethodSpec &method,
                           const std::vector<LayerRecipe> &recipe,
                           const InferSpec &infer, bool eliminate) {
  RelaxedProgram out;
  out.method = method.preset;
  out.infer = infer;
  for (const LayerRecipe &g : recipe) {
    std::vector<std::string> rs;
    for (const RuleSpec &r : g.rules)
      rs.push_back(ruleText(r));
    out.recipe.push_back(fmt::format(
        "{}: {}",
        g.layers.empty()
            ? "all"
            : "layers " + fmt::format("{}", fmt::join(g.layers, ", ")),
        fmt::join(rs, " then ")));
  }

  // Feed-forward values: every level solved in closed form, bottom-up.
  std::map<const Expr *, const Expr *> chain;
  for (const ir::Level &lv : p.levels) {
    const Expr *z =
        solveArgmin(ctx, ctx.substitute(lv.energy, chain), lv.state, nullptr);
    BL_ASSERT(z, "the nested program's levels have closed forms");
    chain[lv.state] = z;
  }
  out.forward = chain;

  bool centered = false;
  for (const LayerRecipe &g : recipe)
    for (const RuleSpec &r : g.rules)
      centered = centered || (r.id == "ovr" && r.param("centered", 0) != 0);
  for (int b = 0; b < (centered ? 2 : 1); ++b) {
    Branch br = Relaxer(ctx, p, out, b == 0 ? 1 : -1, b, eliminate).run(recipe);
    br.weight = centered ? 0.5 : 1;
    out.branches.push_back(std::move(br));
  }
  if (centered)
    out.trace.push_back("ovr-centered: the relaxation is repeated with −β "
                        "on fresh copies and the two are averaged");
  return out;
}

} // namespace bilevel::rules
