//===- Catalogue.cpp - The rule catalogue ---------------------------------===//
//
// One entry per rule: identity, side condition, parameters. The same text
// is in compiler/rules/README.md; keep the two in step.
//
//===----------------------------------------------------------------------===//
#include "rules/Rules.h"

#include <fmt/format.h>

#include <algorithm>

namespace bilevel::rules {

const std::vector<RuleInfo> &ruleCatalogue() {
  // clang-format off
  static const std::vector<RuleInfo> rules = {
    {"ovr",
     "Φ(z), z ∈ argmin E ⟶ min_{z⁺} max_{z⁻} Φ(z⁺) + (1/β)[E(z⁺) − E(z⁻)]",
     "the level is an argmin constraint of the current program; β ≠ 0 "
     "(β < 0 swaps min and max)",
     "beta, centered"},
    {"eliminate-conjugate",
     "max_{z⁻} −(1/β) [G(z⁻) − ⟨a, z⁻⟩]  ⟶  (1/β) G*(a)",
     "z⁻ occurs in no other term, its energy is G(z) − ⟨a, z⟩ with a free "
     "of z⁻, and G* is known",
     ""},
    {"eliminate-quadratic",
     "max_{u⁻} −(1/2β) ‖u⁻ − c‖²  ⟶  0",
     "u⁻ occurs in no other term and its energy is ½‖u − c‖² with c free "
     "of u⁻",
     ""},
    {"collapse",
     "z_k ∈ argmin E_k, k = L..1 ⟶ z ∈ argmin Σ_k γ^{k−L} E_k(z_k; a_k)",
     "applies to every layer at once, before any other rule; 0 < γ ≤ 1",
     "gamma"},
    {"mix-input",
     "the layer above reads α z⁺ + (1−α) z⁻; the loss is αℓ(z⁺) + (1−α)ℓ(z⁻)",
     "follows an ovr of the same layer; 0 ≤ α ≤ 1",
     "alpha"},
    {"limit-bp",
     "z ∈ argmin G(z) − ⟨a, z⟩ ⟶ z = ∇G*(a) = f(a); ½‖z − c‖² ⟶ z = c",
     "the energy has one of these closed-form minimisers; alone in its group",
     ""},
  };
  // clang-format on
  return rules;
}

const RuleInfo *findRule(const std::string &id) {
  for (const RuleInfo &r : ruleCatalogue())
    if (id == r.id)
      return &r;
  return nullptr;
}

std::string ruleText(const RuleSpec &rule) {
  // Spelled as in a spec, so that a printed recipe can be pasted into one.
  std::string s = rule.id;
  std::replace(s.begin(), s.end(), '-', '_');
  if (!rule.params.empty()) {
    std::vector<std::string> ps;
    for (const MethodParam &p : rule.params)
      ps.push_back(
          p.name == "centered" || p.name == "clamp"
              ? fmt::format("{} = {}", p.name, p.value != 0 ? "true" : "false")
              : fmt::format("{} = {:.6g}", p.name, p.value));
    s += fmt::format("({})", fmt::join(ps, ", "));
  }
  return s;
}

} // namespace bilevel::rules
