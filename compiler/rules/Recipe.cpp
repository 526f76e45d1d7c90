//===- Recipe.cpp - Presets as recipes ------------------------------------===//
//
// Every preset is a recipe over the network's layers, written out here the
// way a user would write it, so that `show --stage relaxed` prints exactly
// what a preset stands for and a user can copy it into a hybrid.
//
//===----------------------------------------------------------------------===//
#include "rules/Rules.h"

#include "support/Assert.h"

#include <cmath>
#include <set>

namespace bilevel::rules {

namespace {

RuleSpec rule(std::string id, std::vector<MethodParam> params = {},
              SourceLoc loc = {}) {
  return RuleSpec{std::move(id), std::move(params), loc};
}

/// One group per layer, top layer first, each with \p rules(k).
template <class F>
std::vector<LayerRecipe> perLayer(const NetworkSpec &net, F rules) {
  std::vector<LayerRecipe> out;
  int L = static_cast<int>(net.layers.size());
  for (int k = L; k >= 1; --k) {
    LayerRecipe g;
    g.layers = {net.layers[k - 1].name};
    g.rules = rules(k, L);
    out.push_back(std::move(g));
  }
  return out;
}

} // namespace

std::vector<LayerRecipe>
expandRecipe(const MethodSpec &m, const NetworkSpec &net, InferSpec *infer) {
  const std::string &p = m.preset;
  double beta = m.param("beta", 0.1);
  double gamma = m.param("gamma", 0.1);
  std::vector<MethodParam> centered;
  if (m.param("centered", 0) != 0)
    centered.push_back({"centered", 1, m.loc});
  infer->sweeps = static_cast<int64_t>(m.param("sweeps", 20));
  infer->tol = m.param("tol", 1e-4);
  infer->order = "backward";
  infer->update = "auto";
  infer->loc = m.loc;

  auto ovr = [&](double b) {
    std::vector<MethodParam> ps = {{"beta", b, m.loc}};
    ps.insert(ps.end(), centered.begin(), centered.end());
    return rule("ovr", ps, m.loc);
  };

  if (p == "recipe") {
    // Layers no group names keep exact back-propagation.
    std::vector<LayerRecipe> out = m.recipe;
    bool all = false;
    std::set<std::string> named;
    for (const LayerRecipe &g : out) {
      all = all || g.layers.empty();
      named.insert(g.layers.begin(), g.layers.end());
    }
    for (auto it = net.layers.rbegin(); !all && it != net.layers.rend(); ++it)
      if (!named.count(it->name))
        out.push_back(LayerRecipe{{it->name}, {}, {rule("limit-bp")}, {}});
    *infer = m.infer;
    return out;
  }
  if (p == "bp")
    return {LayerRecipe{{}, {}, {rule("limit-bp")}, m.loc}};
  if (p == "fenchel_bp") {
    // One backward sweep of single fixed-point steps from the forward pass.
    infer->sweeps = 1;
    infer->update = "fixed-point";
    return {
        LayerRecipe{{}, {}, {ovr(beta), rule("eliminate-conjugate")}, m.loc}};
  }
  if (p == "lpom") {
    // Geometric weights β_k = β γ^{L−k} keep inference convergent for every
    // activation (reformulation.md §4.1).
    return perLayer(net, [&](int k, int L) {
      return std::vector<RuleSpec>{ovr(beta * std::pow(gamma, L - k)),
                                   rule("eliminate-conjugate")};
    });
  }
  if (p == "pcn")
    return {
        LayerRecipe{{}, {}, {ovr(beta), rule("eliminate-quadratic")}, m.loc}};
  if (p == "dualprop") {
    infer->update = "fixed-point";
    return {LayerRecipe{
        {},
        {},
        {ovr(beta),
         rule("mix-input", {{"alpha", m.param("alpha", 0.5), m.loc}})},
        m.loc}};
  }
  if (p == "ep" || p == "chl") {
    infer->update = "fixed-point";
    // Two phases, the first to a tight tolerance: allow more sweeps unless
    // the user chose.
    for (const MethodParam &mp : m.params)
      if (mp.name == "sweeps" && !mp.loc.isValid())
        infer->sweeps = 100;
    std::vector<MethodParam> ps = {{"beta", p == "chl" ? 1.0 : beta, m.loc}};
    if (p == "chl")
      ps.push_back({"clamp", 1, m.loc});
    ps.insert(ps.end(), centered.begin(), centered.end());
    return {LayerRecipe{{},
                        {},
                        {rule("collapse", {{"gamma", gamma, m.loc}}, m.loc),
                         rule("ovr", ps, m.loc)},
                        m.loc}};
  }
  throw CompileError(m.loc, "method '" + p + "' has no recipe",
                     "the presets are bp, lpom, pcn, fenchel_bp, ep, chl, "
                     "dualprop");
}

} // namespace bilevel::rules
