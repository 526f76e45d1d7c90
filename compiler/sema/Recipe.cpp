//===- Recipe.cpp - Checks an explicit method recipe ----------------------===//
//
// One pass over the recipe's lines. Each group is checked on its own
// (layer names, rules, rule order); what spans groups is a layer named
// twice, `all:` next to other groups and a second infer line. Layers that
// no group names are fine: the rules engine gives them exact
// back-propagation.
//
//===----------------------------------------------------------------------===//
#include "sema/Recipe.h"

#include "sema/ParamCheck.h"
#include "sema/Presets.h"
#include "syntax/AstPrinter.h"

#include <map>

namespace bilevel {

namespace {

class RecipeChecker {
public:
  RecipeChecker(const NetworkSpec *network, DiagnosticEngine &diags)
      : network(network), diags(diags) {}

  void run(const ast::MethodDecl &decl, MethodSpec &method);

private:
  void checkGroupKind(const ast::RecipeGroup &group);
  void checkLayers(const ast::RecipeGroup &group, LayerRecipe &out);
  void checkRules(const ast::RecipeGroup &group, LayerRecipe &out);
  const RecipeRule *checkRule(const ast::Value &call, RuleSpec &out);
  void checkOrder(const ast::RecipeGroup &group,
                  const std::vector<const RecipeRule *> &rules);
  void checkInfer(const ast::Value &call, InferSpec &infer);
  void checkInferName(const ast::Value &value, const std::string &what,
                      const std::vector<NameInfo> &table, std::string &out);
  bool isLayer(const std::string &name) const;

  const NetworkSpec *network;
  DiagnosticEngine &diags;
  std::map<std::string, SourceLoc> named; ///< layer -> where first named
  const ast::RecipeGroup *firstAll = nullptr;
  const ast::RecipeGroup *firstLayers = nullptr;
  bool mixReported = false;
};

void RecipeChecker::run(const ast::MethodDecl &decl, MethodSpec &method) {
  method.preset = "recipe";
  method.loc = decl.loc;
  method.params.clear();
  method.recipe.clear();
  method.infer = InferSpec();

  const ast::InferDecl *firstInfer = nullptr;
  for (const ast::RecipeStmt &stmt : decl.recipe) {
    if (const auto *infer = std::get_if<ast::InferDecl>(&stmt)) {
      if (firstInfer) {
        diags.error(infer->call.loc, "duplicate infer line");
        diags.note(firstInfer->call.loc, "first given here; a recipe has one "
                                         "infer line with all its settings");
        continue;
      }
      firstInfer = infer;
      checkInfer(infer->call, method.infer);
      continue;
    }

    const auto &group = std::get<ast::RecipeGroup>(stmt);
    LayerRecipe out;
    out.loc = group.loc;
    checkGroupKind(group);
    checkLayers(group, out);
    checkRules(group, out);
    method.recipe.push_back(std::move(out));
  }
}

/// `all:` stands alone: it cannot repeat or sit next to `layers` groups.
void RecipeChecker::checkGroupKind(const ast::RecipeGroup &group) {
  if (group.all && firstAll) {
    diags.error(group.loc, "duplicate 'all:' group");
    diags.note(firstAll->loc, "first given here; chain all its rules in "
                              "one group with 'then'");
    return;
  }
  const ast::RecipeGroup *&first = group.all ? firstAll : firstLayers;
  first = first ? first : &group;
  if (!firstAll || !firstLayers || mixReported)
    return;
  mixReported = true;
  diags.error(firstAll->loc, "'all:' cannot be combined with 'layers' groups");
  diags.note(firstLayers->loc, "a 'layers' group is here; keep 'all:' alone, "
                               "or name the layers of every group");
}

bool RecipeChecker::isLayer(const std::string &name) const {
  for (const LayerSpec &layer : network->layers)
    if (layer.name == name)
      return true;
  return false;
}

/// Every name must be a layer of the network, in one group only.
void RecipeChecker::checkLayers(const ast::RecipeGroup &group,
                                LayerRecipe &out) {
  for (size_t i = 0; i < group.layers.size(); ++i) {
    const std::string &name = group.layers[i];
    SourceLoc loc = group.layerLocs[i];
    if (network && !isLayer(name)) {
      std::string layers;
      for (const LayerSpec &layer : network->layers)
        layers += (layers.empty() ? "" : ", ") + layer.name;
      diags.error(loc, "unknown layer '" + name + "'");
      if (name == network->inputName)
        diags.note(loc, "'" + name +
                            "' is the network's input, which "
                            "takes no rules; the layers are: " +
                            layers);
      else
        diags.note(loc, "the network's layers are: " + layers);
      continue;
    }
    if (auto [it, fresh] = named.emplace(name, loc); !fresh) {
      diags.error(loc, "layer '" + name + "' is named twice in the recipe");
      diags.note(it->second, "first named here; each layer takes one chain "
                             "of rules");
      continue;
    }
    out.layers.push_back(name);
    out.layerLocs.push_back(loc);
  }
}

void RecipeChecker::checkRules(const ast::RecipeGroup &group,
                               LayerRecipe &out) {
  if (group.rules.empty()) {
    diags.error(group.loc, "layer group has no rules");
    diags.note(group.loc, "give at least one rule after ':', or delete the "
                          "line: layers that no group names get exact "
                          "back-propagation");
    return;
  }
  std::vector<const RecipeRule *> rules;
  for (const ast::Value &call : group.rules) {
    RuleSpec rule;
    rules.push_back(checkRule(call, rule));
    if (rules.back())
      out.rules.push_back(std::move(rule));
  }
  checkOrder(group, rules);
}

/// Resolves one rule and checks its parameters; null for an unknown rule.
const RecipeRule *RecipeChecker::checkRule(const ast::Value &call,
                                           RuleSpec &out) {
  const RecipeRule *info = findRecipeRule(call.text);
  if (!info) {
    diags.error(call.loc, "unknown rule '" + call.text + "'");
    if (findMethodPreset(call.text))
      diags.note(call.loc, "'" + call.text +
                               "' is a method preset, not a "
                               "rule; write 'method " +
                               call.text + "(...)' instead of a recipe");
    diags.note(call.loc, "known rules: " + joinNames(recipeRules()));
    return nullptr;
  }
  out.id = std::string(info->id);
  out.loc = call.loc;
  checkParams(call, info->params, "rule '" + call.text + "'", out.params, diags,
              /*addDefaults=*/false);

  // beta = 0 is no relaxation at all; it has its own rule.
  for (size_t i = 0; i < out.params.size(); ++i) {
    if (out.params[i].name != "beta" || out.params[i].value != 0)
      continue;
    SourceLoc loc = out.params[i].loc;
    for (const ast::Arg &arg : call.args)
      if (arg.name == "beta")
        loc = arg.value.loc;
    diags.error(loc, "beta must be nonzero (β = 0 is back-propagation "
                     "itself: use limit_bp)");
    diags.note(loc, "write 'limit_bp' for exact back-propagation on these "
                    "layers, or give a small beta such as 0.01 (a negative "
                    "beta flips the bound)");
    out.params.erase(out.params.begin() + long(i));
    break;
  }
  return info;
}

/// The conditions that depend only on the order of the rules in a group.
/// \p rules holds null for the unknown ones.
void RecipeChecker::checkOrder(const ast::RecipeGroup &group,
                               const std::vector<const RecipeRule *> &rules) {
  bool seenOvr = false;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (!rules[i])
      continue;
    const std::string id(rules[i]->id);
    const ast::Value &call = group.rules[i];
    std::string quoted = "'" + call.text + "'";

    if (id == "collapse" && !group.all) {
      diags.error(call.loc, quoted + " applies to every layer at once: use "
                                     "it in an 'all:' group");
      diags.note(call.loc, "collapse merges the whole chain of lower levels "
                           "into one total energy, so it cannot take some "
                           "layers only");
    } else if (id == "collapse" && i != 0) {
      diags.error(call.loc, quoted + " must be the first rule of its group");
      diags.note(call.loc, "collapse rewrites the lower levels before any "
                           "other rule sees them; move it to the front");
    } else if (id.rfind("eliminate-", 0) == 0 && !seenOvr) {
      diags.error(call.loc,
                  quoted + " needs an 'ovr' before it in the same group");
      diags.note(call.loc, "an elimination removes the inner copy that ovr "
                           "introduces; write 'ovr(beta = 0.1) then " +
                               call.text + "'");
    } else if (id == "limit-bp" && rules.size() > 1) {
      diags.error(call.loc, quoted + " must be the only rule of its group");
      diags.note(call.loc, "limit_bp keeps exact back-propagation on these "
                           "layers; give the other rules a group of their "
                           "own");
    }
    seenOvr = seenOvr || id == "ovr";
  }
}

//===----------------------------------------------------------------------===//
// infer(order = ..., sweeps = ..., tol = ..., update = ...)
//===----------------------------------------------------------------------===//

void RecipeChecker::checkInfer(const ast::Value &call, InferSpec &infer) {
  infer.loc = call.loc;
  std::map<std::string, const ast::Arg *> given;
  for (const ast::Arg &arg : call.args) {
    bool known = false;
    for (const NameInfo &setting : inferSettings())
      known = known || setting.name == arg.name;
    if (!known) {
      diags.error(arg.loc, "unknown infer setting '" + arg.name + "'");
      diags.note(arg.loc, "infer takes: " + joinNames(inferSettings()));
      continue;
    }
    if (auto [it, fresh] = given.emplace(arg.name, &arg); !fresh) {
      diags.error(arg.loc, "duplicate parameter '" + arg.name + "'");
      diags.note(it->second->loc, "first given here");
      continue;
    }

    const ast::Value &value = arg.value;
    if (arg.name == "order") {
      checkInferName(value, "order", inferOrders(), infer.order);
    } else if (arg.name == "update") {
      checkInferName(value, "update", inferUpdates(), infer.update);
    } else if (arg.name == "sweeps") {
      checkInteger(value, "sweeps", 1, 1e9, infer.sweeps, diags);
    } else if (value.kind != ast::Value::Kind::Number) {
      diags.error(value.loc,
                  "tol must be a number, got " + valueToString(value));
    } else if (!(value.number > 0)) {
      diags.error(value.loc, "tol must be > 0, got " + value.text);
      diags.note(value.loc, "tol bounds the relative change of the states "
                            "between sweeps, as in 'tol = 1e-4'");
    } else {
      infer.tol = value.number;
    }
  }
}

/// order and update take a name from \p table, stored in kebab-case.
void RecipeChecker::checkInferName(const ast::Value &value,
                                   const std::string &what,
                                   const std::vector<NameInfo> &table,
                                   std::string &out) {
  if (value.isName())
    for (const NameInfo &entry : table)
      if (entry.name == value.text) {
        out = kebabCase(entry.name);
        return;
      }
  std::string shown =
      value.isName() ? "'" + value.text + "'" : valueToString(value);
  diags.error(value.loc, "unknown inference " + what + " " + shown);
  diags.note(value.loc, "known values of " + what + ": " + joinNames(table));
}

} // namespace

void checkRecipe(const ast::MethodDecl &decl, const NetworkSpec *network,
                 MethodSpec &method, DiagnosticEngine &diags) {
  RecipeChecker(network, diags).run(decl, method);
}

} // namespace bilevel
