//===- SyntaxRecipeTest.cpp - Explicit method recipes ---------------------===//
//
// The Spec that an explicit `method { ... }` recipe produces (rule ids,
// layer groups, only the parameters written, infer settings), the spellings
// the grammar accepts for the same rule, `method.PARAM=VALUE` overrides on
// a recipe, and the AST printers' rendering of a recipe.
//
//===----------------------------------------------------------------------===//
#include "sema/Frontend.h"
#include "syntax/Parser.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace bilevel;

namespace {

const char *kNetwork = "network mlp {\n"
                       "  input x[784]\n"
                       "  dense h1[256] relu\n"
                       "  dense h2[256] relu\n"
                       "  dense logits[10] identity\n"
                       "  loss softmax_cross_entropy\n"
                       "}\n";

const char *kHybrid =
    "method {\n"
    "  layers logits, h2: ovr(beta = 0.05) then eliminate_conjugate\n"
    "  layers h1:         limit_bp               # exact BP here\n"
    "  infer(order = backward, sweeps = 10, tol = 1e-6, "
    "update = prox_gradient)\n"
    "}\n";

const char *kCollapse =
    "method {\n"
    "  all: collapse(gamma = 0.1) then ovr(beta = 0.01, centered = true)\n"
    "  infer(sweeps = 50)\n"
    "}\n";

struct Loaded {
  std::optional<Spec> spec;
  std::string output;
};

/// Loads kNetwork followed by \p method from a fresh temporary file; the
/// method text starts on line 8.
Loaded load(const std::string &method,
            const std::vector<std::string> &overrides = {}) {
  // One folder per process: CTest may run the test cases in parallel.
  fs::path dir = fs::temp_directory_path() /
                 ("bilevel-recipe-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path path = dir / "spec.bl";
  std::ofstream(path, std::ios::binary | std::ios::trunc) << kNetwork << method;
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  Loaded loaded;
  loaded.spec = loadSpec(path.string(), overrides, sources, diags);
  loaded.output = out.str();
  return loaded;
}

/// "ovr(beta=0.05) then eliminate-conjugate" style summary of a group.
std::string describe(const LayerRecipe &group) {
  std::string text;
  for (const std::string &layer : group.layers)
    text += layer + " ";
  text += ":";
  for (const RuleSpec &rule : group.rules) {
    text += " " + rule.id;
    for (const MethodParam &param : rule.params) {
      std::ostringstream value;
      value << param.value;
      text += " " + param.name + "=" + value.str();
    }
  }
  return text;
}

} // namespace

TEST_CASE("a per-layer hybrid recipe fills MethodSpec", "[unit][syntax]") {
  Loaded loaded = load(kHybrid);
  INFO(loaded.output);
  REQUIRE(loaded.spec);
  CHECK(loaded.output.empty());
  const MethodSpec &method = loaded.spec->method;
  CHECK(method.preset == "recipe");
  CHECK(method.params.empty());
  CHECK(method.loc.line == 8);
  REQUIRE(method.recipe.size() == 2);

  const LayerRecipe &top = method.recipe[0];
  CHECK(top.layers == std::vector<std::string>{"logits", "h2"});
  REQUIRE(top.layerLocs.size() == 2);
  CHECK(top.layerLocs[1].line == 9);
  CHECK(top.layerLocs[1].col == 18);
  CHECK(top.loc.col == 3);
  REQUIRE(top.rules.size() == 2);
  CHECK(top.rules[0].id == "ovr");
  REQUIRE(top.rules[0].params.size() == 1);
  CHECK(top.rules[0].params[0].name == "beta");
  CHECK(top.rules[0].params[0].value == 0.05);
  CHECK(top.rules[0].params[0].loc.col == 26);
  CHECK(top.rules[0].param("centered", -1) == -1); // not written
  CHECK(top.rules[1].id == "eliminate-conjugate");
  CHECK(top.rules[1].params.empty());
  CHECK(top.rules[1].loc.col == 44);

  CHECK(describe(method.recipe[1]) == "h1 : limit-bp");

  const InferSpec &infer = method.infer;
  CHECK(infer.order == "backward");
  CHECK(infer.sweeps == 10);
  CHECK(infer.tol == 1e-6);
  CHECK(infer.update == "prox-gradient");
  CHECK(infer.loc.line == 11);
}

TEST_CASE("an all-layers recipe has an empty layer list", "[unit][syntax]") {
  Loaded loaded = load(kCollapse);
  INFO(loaded.output);
  REQUIRE(loaded.spec);
  const MethodSpec &method = loaded.spec->method;
  REQUIRE(method.recipe.size() == 1);
  CHECK(method.recipe[0].layers.empty());
  CHECK(describe(method.recipe[0]) ==
        ": collapse gamma=0.1 ovr beta=0.01 centered=1");
  CHECK(method.infer.sweeps == 50);
  CHECK(method.infer.order == "backward"); // defaults stay
  CHECK(method.infer.tol == 1e-4);
  CHECK(method.infer.update == "auto");

  // Without an infer line the settings keep their defaults, unlocated.
  Loaded bare = load("method { all: collapse(gamma = 1) then ovr(beta = -1) "
                     "}\n");
  INFO(bare.output);
  REQUIRE(bare.spec);
  CHECK(describe(bare.spec->method.recipe[0]) ==
        ": collapse gamma=1 ovr beta=-1");
  CHECK_FALSE(bare.spec->method.infer.loc.isValid());
  CHECK(bare.spec->method.infer.sweeps == 20);
}

TEST_CASE("every spelling of a rule gives the same id", "[unit][syntax]") {
  Loaded sketch = load("method {\n"
                       "  layers logits, h2: ovr(beta = 0.05) then "
                       "eliminate conjugate\n"
                       "  layers h1:         limit\n"
                       "}\n");
  INFO(sketch.output);
  REQUIRE(sketch.spec);
  const MethodSpec &method = sketch.spec->method;
  REQUIRE(method.recipe.size() == 2);
  CHECK(describe(method.recipe[0]) ==
        "logits h2 : ovr beta=0.05 eliminate-conjugate");
  CHECK(describe(method.recipe[1]) == "h1 : limit-bp");

  // A chain may break before or after "then"; mix_input and the quadratic
  // elimination in both spellings; order and update in kebab-case.
  Loaded split = load("method\n{\n"
                      "  layers logits: ovr(beta = 0.1)\n"
                      "                 then eliminate quadratic\n"
                      "  layers h2, h1: mix_input(alpha = 0.5) then\n"
                      "                 ovr(beta = 0.1) then "
                      "eliminate_quadratic\n"
                      "  infer(order = forward,\n"
                      "        update = fixed_point)\n"
                      "}\n");
  INFO(split.output);
  REQUIRE(split.spec);
  const MethodSpec &other = split.spec->method;
  REQUIRE(other.recipe.size() == 2);
  CHECK(describe(other.recipe[0]) == "logits : ovr beta=0.1 "
                                     "eliminate-quadratic");
  CHECK(describe(other.recipe[1]) == "h2 h1 : mix-input alpha=0.5 ovr "
                                     "beta=0.1 eliminate-quadratic");
  CHECK(other.infer.order == "forward");
  CHECK(other.infer.update == "fixed-point");

  // An empty recipe is every layer by exact back-propagation.
  Loaded empty = load("method { }\n");
  REQUIRE(empty.spec);
  CHECK(empty.spec->method.preset == "recipe");
  CHECK(empty.spec->method.recipe.empty());
}

TEST_CASE("method overrides on a recipe", "[unit][syntax]") {
  const char *twoOvr = "method {\n"
                       "  layers logits: ovr(beta = 0.05) then "
                       "eliminate_conjugate\n"
                       "  layers h2:     ovr then eliminate_conjugate\n"
                       "  layers h1:     limit_bp\n"
                       "}\n";
  Loaded loaded = load(twoOvr, {"method.beta=0.2", "method.sweeps=7"});
  INFO(loaded.output);
  REQUIRE(loaded.spec);
  const MethodSpec &method = loaded.spec->method;
  REQUIRE(method.recipe.size() == 3);
  CHECK(describe(method.recipe[0]) ==
        "logits : ovr beta=0.2 eliminate-conjugate");
  CHECK(describe(method.recipe[1]) == "h2 : ovr beta=0.2 eliminate-conjugate");
  CHECK(describe(method.recipe[2]) == "h1 : limit-bp");
  // The overridden value is located on the command line.
  SourceLoc betaLoc = method.recipe[1].rules[0].params[0].loc;
  CHECK((betaLoc.line == 1 && betaLoc.col == 1));
  CHECK(method.infer.sweeps == 7);

  // A bad value is reported like one written in the file.
  Loaded zero = load(twoOvr, {"method.beta=0"});
  CHECK_FALSE(zero.spec);
  CHECK(zero.output.find("<command line>:1:13: error: beta must be nonzero") !=
        std::string::npos);

  // A parameter no rule takes is an error, not silently dropped.
  Loaded none = load(twoOvr, {"method.alpha=0.5"});
  CHECK_FALSE(none.spec);
  CHECK(none.output.find("error: no rule of the method recipe takes "
                         "'alpha'") != std::string::npos);

  // method=PRESET still replaces a recipe as a whole.
  Loaded preset = load(twoOvr, {"method=fenchel_bp(beta=0.3)"});
  INFO(preset.output);
  REQUIRE(preset.spec);
  CHECK(preset.spec->method.preset == "fenchel_bp");
  CHECK(preset.spec->method.recipe.empty());
  CHECK(preset.spec->method.param("beta", 0) == 0.3);
}

namespace {

std::string printRecipe(Format format) {
  SourceManager sources;
  std::ostringstream diagnostics;
  DiagnosticEngine diags(sources, diagnostics);
  uint32_t id = sources.addBuffer(
      "recipe.bl", "method {\n"
                   "  layers out, h: ovr(beta = 5e-2) then eliminate "
                   "conjugate\n"
                   "  all: limit\n"
                   "  infer(sweeps = 10)\n"
                   "}\n");
  std::unique_ptr<ast::File> file = parseFile(sources, id, diags);
  REQUIRE(diagnostics.str().empty());
  std::ostringstream out;
  printAst(*file, format, out);
  return out.str();
}

} // namespace

TEST_CASE("AST printer: a recipe in text and JSON", "[unit][syntax]") {
  CHECK(printRecipe(Format::Text) ==
        "file \"recipe.bl\"\n"
        "  method  @1:1\n"
        "    layers out, h: ovr(beta = 5e-2) then eliminate conjugate  @2:3\n"
        "    all: limit  @3:3\n"
        "    infer(sweeps = 10)  @4:3\n");

  CHECK(printRecipe(Format::Json) ==
        R"({
  "kind": "file",
  "path": "recipe.bl",
  "items": [
    {"kind": "method", "loc": [1, 1], "recipe": [
      {"kind": "layers", "loc": [2, 3], "layers": [{"name": "out", "loc": [2, 10]}, {"name": "h", "loc": [2, 15]}], "rules": [{"kind": "call", "name": "ovr", "loc": [2, 18], "args": [{"name": "beta", "loc": [2, 22], "value": {"kind": "number", "value": 0.050000000000000003, "text": "5e-2", "loc": [2, 29]}}]}, {"kind": "call", "name": "eliminate conjugate", "loc": [2, 40]}]},
      {"kind": "all", "loc": [3, 3], "rules": [{"kind": "call", "name": "limit", "loc": [3, 8]}]},
      {"kind": "infer", "loc": [4, 3], "value": {"kind": "call", "name": "infer", "loc": [4, 3], "args": [{"name": "sweeps", "loc": [4, 9], "value": {"kind": "number", "value": 10, "text": "10", "loc": [4, 18]}}]}}
    ]}
  ]
}
)");

  std::string latex = printRecipe(Format::Latex);
  CHECK(latex.find("  \\begin{itemize}\n    \\item \\texttt{layers out, h: "
                   "ovr(beta = 5e-2) then eliminate conjugate} \\hfill{\\small "
                   "2:3}\n") != std::string::npos);
}
