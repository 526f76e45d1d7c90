//===- Presets.cpp - The tables of names sema knows -----------------------===//
//
// Ranges follow design/reformulation.md section 4: beta is a positive
// nudging or penalty weight, gamma a feedback or geometric factor in (0, 1),
// alpha the dual-propagation mixing weight in [0, 1]. `centered` exists only
// where the method has a sign symmetry (+beta and -beta nudges): fenchel_bp,
// ep, lpom, dualprop. CHL clamps the output, so it has no such symmetry.
//
//===----------------------------------------------------------------------===//
#include "sema/Presets.h"

#include <cmath>
#include <limits>

namespace bilevel {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ParamInfo positive(std::string_view name, double fallback) {
  return {name, ParamType::Real, 0, kInf, true, true, fallback};
}
ParamInfo unitOpen(std::string_view name, double fallback) {
  return {name, ParamType::Real, 0, 1, true, true, fallback};
}
ParamInfo unitClosed(std::string_view name, double fallback) {
  return {name, ParamType::Real, 0, 1, false, false, fallback};
}
ParamInfo atLeastOne(std::string_view name, double fallback) {
  return {name, ParamType::Integer, 1, kInf, false, true, fallback};
}
ParamInfo flag(std::string_view name) {
  return {name, ParamType::Bool, 0, 1, false, false, 0};
}

std::string numberText(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

} // namespace

bool ParamInfo::inRange(double value) const {
  bool aboveLo = loOpen ? value > lo : value >= lo;
  bool belowHi = hiOpen ? value < hi : value <= hi;
  return aboveLo && belowHi;
}

std::string ParamInfo::rangeText() const {
  if (type == ParamType::Bool)
    return "";
  if (std::isinf(lo) && std::isinf(hi))
    return "finite";
  if (std::isinf(hi))
    return (loOpen ? "> " : ">= ") + numberText(lo);
  return std::string("in ") + (loOpen ? "(" : "[") + numberText(lo) + ", " +
         numberText(hi) + (hiOpen ? ")" : "]");
}

const std::vector<MethodPreset> &methodPresets() {
  static const std::vector<MethodPreset> presets = {
      {"bp", {}},
      {"lpom",
       {positive("beta", 0.1), unitOpen("gamma", 0.1), atLeastOne("sweeps", 20),
        positive("tol", 1e-4), flag("centered")}},
      {"pcn",
       {positive("beta", 0.1), atLeastOne("sweeps", 20),
        positive("tol", 1e-4)}},
      {"fenchel_bp", {positive("beta", 0.1), flag("centered")}},
      {"ep",
       {positive("beta", 0.01), unitOpen("gamma", 0.1),
        atLeastOne("sweeps", 20), positive("tol", 1e-4), flag("centered")}},
      {"chl",
       {positive("beta", 0.1), unitOpen("gamma", 0.1), atLeastOne("sweeps", 20),
        positive("tol", 1e-4)}},
      {"dualprop",
       {positive("beta", 0.1), unitClosed("alpha", 0.5),
        atLeastOne("sweeps", 20), positive("tol", 1e-4), flag("centered")}},
  };
  return presets;
}

const std::vector<RecipeRule> &recipeRules() {
  // beta may be negative (it flips the bound, section 2) but not zero;
  // sema reports zero with its own remedy. gamma may be 1 here, unlike in
  // the presets: a recipe states the collapse factor as such.
  static const std::vector<RecipeRule> rules = {
      {"ovr",
       "ovr",
       {{"beta", ParamType::Real, -kInf, kInf, true, true, 0},
        flag("centered"),
        // After collapse: the loss is the indicator of z_L = y (CHL).
        flag("clamp")}},
      {"eliminate_conjugate", "eliminate-conjugate", {}},
      {"eliminate_quadratic", "eliminate-quadratic", {}},
      {"collapse",
       "collapse",
       {{"gamma", ParamType::Real, 0, 1, true, false, 0}}},
      {"mix_input", "mix-input", {unitClosed("alpha", 0)}},
      {"limit_bp", "limit-bp", {}},
  };
  return rules;
}

const std::vector<NameInfo> &inferSettings() {
  static const std::vector<NameInfo> names = {
      {"order"}, {"sweeps"}, {"tol"}, {"update"}};
  return names;
}

const std::vector<NameInfo> &inferOrders() {
  static const std::vector<NameInfo> names = {{"backward"}, {"forward"}};
  return names;
}

const std::vector<NameInfo> &inferUpdates() {
  static const std::vector<NameInfo> names = {
      {"auto"}, {"fixed_point"}, {"prox_gradient"}};
  return names;
}

std::string_view centeredPresetNames() {
  return "fenchel_bp, ep, lpom and dualprop";
}

const std::vector<ActivationInfo> &activations() {
  static const std::vector<ActivationInfo> table = {
      {"identity", Activation::Identity, {}},
      {"relu", Activation::Relu, {}},
      {"hard_sigmoid", Activation::HardSigmoid, {}},
      {"hard_tanh", Activation::HardTanh, {}},
      {"leaky_relu", Activation::LeakyRelu, {unitOpen("slope", 0.01)}},
      {"sigmoid", Activation::Sigmoid, {}},
      {"tanh", Activation::Tanh, {}},
      {"softmax", Activation::Softmax, {}},
  };
  return table;
}

const std::vector<OptimizerInfo> &optimizers() {
  static const std::vector<OptimizerInfo> table = {
      {"sgd",
       Optimizer::Sgd,
       {positive("lr", 0.1),
        {"momentum", ParamType::Real, 0, 1, false, true, 0.9}}},
      {"adam", Optimizer::Adam, {positive("lr", 1e-3)}},
  };
  return table;
}

namespace {

template <typename Table>
auto findIn(const Table &table, std::string_view name)
    -> decltype(&table.front()) {
  for (const auto &entry : table)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

} // namespace

const MethodPreset *findMethodPreset(std::string_view name) {
  return findIn(methodPresets(), name);
}

const RecipeRule *findRecipeRule(std::string_view spelling) {
  if (spelling == "limit")
    spelling = "limit_bp";
  else if (spelling == "eliminate conjugate")
    spelling = "eliminate_conjugate";
  else if (spelling == "eliminate quadratic")
    spelling = "eliminate_quadratic";
  return findIn(recipeRules(), spelling);
}

std::string kebabCase(std::string_view name) {
  std::string text(name);
  for (char &c : text)
    if (c == '_')
      c = '-';
  return text;
}

const ActivationInfo *findActivation(std::string_view name) {
  return findIn(activations(), name);
}

const OptimizerInfo *findOptimizer(std::string_view name) {
  return findIn(optimizers(), name);
}

std::string_view activationName(Activation activation) {
  for (const ActivationInfo &info : activations())
    if (info.activation == activation)
      return info.name;
  return "identity";
}

} // namespace bilevel
