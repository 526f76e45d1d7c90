//===- Frontend.cpp - From a spec path to a validated Spec ----------------===//
//
// loadSpec runs four steps: parse the main file; splice each include's items
// in place of its include line (depth first, each file once, cycles
// reported); apply the command-line overrides to the spliced items; check
// them with sema. Sema runs only when parsing went cleanly, so a syntax
// error is not followed by a cascade of "missing" complaints.
//
//===----------------------------------------------------------------------===//
#include "sema/Frontend.h"

#include "sema/Presets.h"
#include "sema/Sema.h"
#include "syntax/Parser.h"

#include <filesystem>
#include <set>

namespace bilevel {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxIncludeDepth = 32;

/// The state of include expansion across the whole tree of files.
struct IncludeExpander {
  SourceManager &sources;
  DiagnosticEngine &diags;
  std::vector<std::string> stack; ///< canonical paths being expanded
  std::vector<std::string> stackNames;
  std::set<std::string> done;    ///< canonical paths already spliced
  std::vector<std::string> read; ///< display names, in reading order

  void expand(const ast::File &file, ast::File &merged);
  void include(const ast::IncludeDecl &decl, const ast::File &from,
               ast::File &merged);
};

std::string canonicalName(const std::string &path) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal().string() : canonical.string();
}

void IncludeExpander::expand(const ast::File &file, ast::File &merged) {
  stack.push_back(canonicalName(file.path));
  stackNames.push_back(file.path);
  for (const ast::Item &item : file.items) {
    if (diags.shouldStop())
      break;
    if (const auto *decl = std::get_if<ast::IncludeDecl>(&item))
      include(*decl, file, merged);
    else
      merged.items.push_back(item);
  }
  stack.pop_back();
  stackNames.pop_back();
  done.insert(canonicalName(file.path));
}

void IncludeExpander::include(const ast::IncludeDecl &decl,
                              const ast::File &from, ast::File &merged) {
  fs::path dir = fs::path(from.path).parent_path();
  std::string path = (dir / decl.path).lexically_normal().string();
  std::string canonical = canonicalName(path);

  // A cycle names every file on it, in the order they include each other.
  for (size_t i = 0; i < stack.size(); ++i) {
    if (stack[i] != canonical)
      continue;
    std::string chain;
    for (size_t k = i; k < stackNames.size(); ++k)
      chain += stackNames[k] + " -> ";
    diags.error(decl.pathLoc, "include cycle: " + chain + path);
    diags.note(decl.pathLoc, "remove one of the include lines on the cycle");
    return;
  }
  if (done.count(canonical))
    return;
  if (stack.size() >= kMaxIncludeDepth) {
    diags.error(decl.pathLoc, "includes nested too deeply");
    diags.note(decl.pathLoc, "at most 32 levels of include are allowed");
    return;
  }

  std::string reason;
  std::optional<uint32_t> id = sources.addFile(path, &reason);
  if (!id) {
    diags.error(decl.pathLoc,
                "cannot read included file '" + decl.path + "': " + reason);
    diags.note(decl.pathLoc, "include paths are relative to the including "
                             "file; this one resolved to '" +
                                 path + "'");
    return;
  }
  read.push_back(path);
  std::unique_ptr<ast::File> child = parseFile(sources, *id, diags);
  expand(*child, merged);
}

template <typename Decl> Decl *findFirst(ast::File &merged) {
  for (ast::Item &item : merged.items)
    if (auto *decl = std::get_if<Decl>(&item))
      return decl;
  return nullptr;
}

/// train.KEY=VALUE: replaces the setting in the first train block, or adds
/// it (creating the block if there is none).
void overrideTrain(const ast::Override &override, ast::File &merged) {
  auto *train = findFirst<ast::TrainDecl>(merged);
  if (!train) {
    merged.items.push_back(ast::TrainDecl{override.loc, {}});
    train = &std::get<ast::TrainDecl>(merged.items.back());
  }
  ast::Setting setting{override.key[1], override.loc, override.value};
  for (ast::Setting &existing : train->settings)
    if (existing.key == setting.key) {
      existing = setting;
      return;
    }
  train->settings.push_back(setting);
}

/// The first method block, created as `method bp` when there is none.
ast::MethodDecl &methodToOverride(const ast::Override &override,
                                  ast::File &merged) {
  if (auto *method = findFirst<ast::MethodDecl>(merged))
    return *method;
  ast::MethodDecl method;
  method.loc = override.loc;
  method.preset.kind = ast::Value::Kind::Call;
  method.preset.text = "bp";
  method.preset.loc = override.loc;
  merged.items.push_back(method);
  return std::get<ast::MethodDecl>(merged.items.back());
}

/// Sets argument \p arg of \p call, replacing one of the same name.
void setArg(ast::Value &call, const ast::Arg &arg) {
  call.hasParens = true;
  for (ast::Arg &existing : call.args)
    if (existing.name == arg.name) {
      existing = arg;
      return;
    }
  call.args.push_back(arg);
}

bool ruleTakes(const std::string &rule, const std::string &param) {
  const RecipeRule *info = findRecipeRule(rule);
  if (!info)
    return false;
  for (const ParamInfo &candidate : info->params)
    if (candidate.name == param)
      return true;
  return false;
}

/// "ovr: beta, centered; collapse: gamma; ...; infer: order, ...", for the
/// note after a recipe override that nothing takes.
std::string recipeParamsText() {
  std::string text;
  for (const RecipeRule &rule : recipeRules())
    if (!rule.params.empty())
      text += std::string(rule.name) + ": " + joinNames(rule.params) + "; ";
  return text + "infer: " + joinNames(inferSettings());
}

/// method.PARAM=VALUE on a recipe: an infer setting goes to the infer line
/// (added if missing); any other PARAM is set on every rule that takes it,
/// so that `method.beta=...` sweeps the beta of every ovr.
bool overrideRecipe(const ast::Override &override, ast::MethodDecl &method,
                    DiagnosticEngine &diags) {
  ast::Arg arg{override.key[1], override.loc, override.value};
  for (const NameInfo &setting : inferSettings()) {
    if (setting.name != arg.name)
      continue;
    for (ast::RecipeStmt &stmt : method.recipe)
      if (auto *infer = std::get_if<ast::InferDecl>(&stmt)) {
        setArg(infer->call, arg);
        return true;
      }
    ast::InferDecl infer;
    infer.call.kind = ast::Value::Kind::Call;
    infer.call.text = "infer";
    infer.call.loc = override.loc;
    setArg(infer.call, arg);
    method.recipe.push_back(std::move(infer));
    return true;
  }

  int changed = 0;
  for (ast::RecipeStmt &stmt : method.recipe) {
    auto *group = std::get_if<ast::RecipeGroup>(&stmt);
    if (!group)
      continue;
    for (ast::Value &rule : group->rules)
      if (ruleTakes(rule.text, arg.name)) {
        setArg(rule, arg);
        ++changed;
      }
  }
  if (changed)
    return true;
  diags.error(override.loc,
              "no rule of the method recipe takes '" + arg.name + "'");
  diags.note(override.loc, "method.PARAM=VALUE sets PARAM on every rule of "
                           "the recipe that takes it; " +
                               recipeParamsText());
  return false;
}

} // namespace

bool applyOverride(const ast::Override &override, ast::File &merged,
                   DiagnosticEngine &diags) {
  const std::vector<std::string> &key = override.key;
  if (key.size() == 2 && key[0] == "train") {
    overrideTrain(override, merged);
    return true;
  }

  if (key.size() == 1 && key[0] == "method") {
    if (override.value.kind != ast::Value::Kind::Call) {
      diags.error(override.value.loc, "expected a method name, got " +
                                          valueToString(override.value));
      diags.note(override.value.loc, "write method=PRESET or "
                                     "method=PRESET(NAME=VALUE, ...)");
      return false;
    }
    ast::MethodDecl &method = methodToOverride(override, merged);
    method.isRecipe = false;
    method.recipe.clear();
    method.preset = override.value;
    return true;
  }

  if (key.size() == 2 && key[0] == "method") {
    ast::MethodDecl &method = methodToOverride(override, merged);
    if (method.isRecipe)
      return overrideRecipe(override, method, diags);
    setArg(method.preset, {key[1], override.loc, override.value});
    return true;
  }

  diags.error(override.loc, "unknown override '" + override.keyText() + "'");
  diags.note(override.loc, "overrides have the form train.KEY=VALUE, "
                           "method=PRESET(...) or method.PARAM=VALUE");
  return false;
}

std::unique_ptr<ast::File> parseSpecFile(const std::string &path,
                                         SourceManager &sources,
                                         DiagnosticEngine &diags) {
  std::string reason;
  std::optional<uint32_t> id = sources.addFile(path, &reason);
  if (!id) {
    diags.error({}, "cannot read spec file '" + path + "': " + reason);
    return nullptr;
  }
  return parseFile(sources, *id, diags);
}

std::optional<Spec> loadSpec(const std::string &path,
                             const std::vector<std::string> &overrides,
                             SourceManager &sources, DiagnosticEngine &diags) {
  unsigned before = diags.errorCount();
  std::unique_ptr<ast::File> main = parseSpecFile(path, sources, diags);
  if (!main)
    return std::nullopt;

  IncludeExpander expander{sources, diags, {}, {}, {}, {path}};
  ast::File merged;
  merged.path = main->path;
  merged.fileId = main->fileId;
  expander.expand(*main, merged);

  for (const std::string &text : overrides) {
    uint32_t id = sources.addBuffer("<command line>", text);
    if (std::optional<ast::Override> override =
            parseOverride(sources, id, diags))
      applyOverride(*override, merged, diags);
  }
  if (diags.errorCount() != before)
    return std::nullopt;

  std::optional<Spec> spec = checkSpec(merged, main->fileId, diags);
  if (!spec)
    return std::nullopt;
  spec->path = path;
  spec->sources = expander.read;
  return spec;
}

} // namespace bilevel
