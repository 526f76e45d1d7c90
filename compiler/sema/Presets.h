//===- Presets.h - The tables of names sema knows ---------------*- C++ -*-===//
//
// Activations, losses, optimizers and method presets, each with its
// parameters (type, range, default). Sema checks specs against these tables
// and lists their names in "known ..." notes, so a new preset or activation
// is added here and nowhere else in the front end.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SEMA_PRESETS_H
#define BILEVEL_SEMA_PRESETS_H

#include "sema/Spec.h"

#include <string>
#include <string_view>
#include <vector>

namespace bilevel {

enum class ParamType { Real, Integer, Bool };

/// One parameter of a preset, activation or optimizer. The accepted range
/// is lo..hi, each end open or closed; infinite ends are unbounded.
struct ParamInfo {
  std::string_view name;
  ParamType type = ParamType::Real;
  double lo = 0;
  double hi = 0;
  bool loOpen = false;
  bool hiOpen = false;
  double defaultValue = 0;

  bool inRange(double value) const;
  /// "> 0", ">= 1", "in (0, 1)", "in [0, 1]"; empty for Bool.
  std::string rangeText() const;
};

struct MethodPreset {
  std::string_view name;
  std::vector<ParamInfo> params;
};

struct ActivationInfo {
  std::string_view name;
  Activation activation;
  std::vector<ParamInfo> params;
};

struct OptimizerInfo {
  std::string_view name;
  Optimizer optimizer;
  std::vector<ParamInfo> params;
};

/// One rule of an explicit recipe (reformulation.md sections 2-5). Only
/// the parameters' names, types and ranges matter here: the rules engine
/// applies the defaults, so RuleSpec keeps what the user wrote.
struct RecipeRule {
  std::string_view name; ///< the spelling in specs: eliminate_conjugate
  std::string_view id;   ///< the stable id in RuleSpec: eliminate-conjugate
  std::vector<ParamInfo> params;
};

/// A bare name in a table, so that joinNames can list it.
struct NameInfo {
  std::string_view name;
};

const std::vector<MethodPreset> &methodPresets();
const std::vector<ActivationInfo> &activations();
const std::vector<OptimizerInfo> &optimizers();

/// ovr, eliminate_conjugate, eliminate_quadratic, collapse, mix_input,
/// limit_bp, in the order notes list them.
const std::vector<RecipeRule> &recipeRules();
/// The settings of infer(...): order, sweeps, tol, update.
const std::vector<NameInfo> &inferSettings();
/// The values of infer's order (backward, forward) and update (auto,
/// fixed_point, prox_gradient), spelled as in specs.
const std::vector<NameInfo> &inferOrders();
const std::vector<NameInfo> &inferUpdates();

const MethodPreset *findMethodPreset(std::string_view name);
/// Also accepts the synonym `limit` and the two-word spellings
/// `eliminate conjugate` and `eliminate quadratic`.
const RecipeRule *findRecipeRule(std::string_view spelling);

/// \p name with every "_" turned into "-": prox_gradient -> prox-gradient.
std::string kebabCase(std::string_view name);
const ActivationInfo *findActivation(std::string_view name);
const OptimizerInfo *findOptimizer(std::string_view name);

/// The spelling of \p activation in specs ("leaky_relu").
std::string_view activationName(Activation activation);

/// "a, b, c" from the names of any table above.
template <typename Table> std::string joinNames(const Table &table) {
  std::string names;
  for (const auto &entry : table)
    names += (names.empty() ? "" : ", ") + std::string(entry.name);
  return names;
}

/// The presets that have a sign symmetry, so that `centered` applies.
std::string_view centeredPresetNames();

} // namespace bilevel

#endif // BILEVEL_SEMA_PRESETS_H
