//===- SyntaxFrontendTest.cpp - loadSpec: values, overrides, includes -----===//
//
// The Spec that loadSpec builds for the example, how --set overrides change
// it (and how bad ones are reported on "<command line>"), and include
// handling with temporary files: relative paths, a network from an included
// file, a file included twice, a missing file and a cycle.
//
//===----------------------------------------------------------------------===//
#include "sema/Frontend.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using namespace bilevel;

namespace {

fs::path sourceDir() {
  const char *dir = std::getenv("BILEVEL_SOURCE_DIR");
  return dir ? fs::path(dir) : fs::current_path();
}

struct Loaded {
  std::optional<Spec> spec;
  std::string output;
};

Loaded load(const fs::path &path, std::vector<std::string> overrides = {}) {
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  Loaded loaded;
  loaded.spec = loadSpec(path.string(), overrides, sources, diags);
  loaded.output = out.str();
  return loaded;
}

/// A fresh temporary directory for one test.
fs::path tempDir(const std::string &name) {
  fs::path dir =
      fs::temp_directory_path() /
      ("bilevel-frontend-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path &path, const std::string &text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

const char *kNetwork = "network mlp {\n"
                       "  input x[784]\n"
                       "  dense h[32] tanh\n"
                       "  dense out[10] identity\n"
                       "  loss softmax_cross_entropy\n"
                       "}\n";

} // namespace

TEST_CASE("the example loads into the expected Spec", "[unit][syntax]") {
  Loaded loaded = load(sourceDir() / "examples/fashion_mlp.bl");
  INFO(loaded.output);
  REQUIRE(loaded.spec);
  const Spec &spec = *loaded.spec;
  CHECK(spec.network.name == "mlp");
  CHECK(spec.network.inputName == "x");
  CHECK(spec.network.inputSize == 784);
  REQUIRE(spec.network.layers.size() == 3);
  CHECK(spec.network.layers[0].name == "h1");
  CHECK(spec.network.layers[0].size == 256);
  CHECK(spec.network.layers[0].activation == Activation::Relu);
  CHECK(spec.network.layers[0].loc.line == 7);
  CHECK(spec.network.layers[2].activation == Activation::Identity);
  CHECK(spec.network.loss == Loss::SoftmaxCrossEntropy);
  CHECK(spec.network.states == StateModel::PostActivation);
  CHECK(spec.method.preset == "bp");
  CHECK(spec.method.params.empty());
  CHECK(spec.train.data == "fashion_mnist");
  CHECK_FALSE(spec.train.dataIsPath);
  CHECK(spec.train.batch == 64);
  CHECK(spec.train.epochs == 5);
  CHECK(spec.train.optimizer == Optimizer::Adam);
  CHECK(spec.train.learningRate == 1e-3);
  CHECK(spec.train.seed == 1);
  CHECK(spec.train.precisionBytes == 4);
}

TEST_CASE("overrides replace and add settings", "[unit][syntax]") {
  fs::path dir = tempDir("overrides");
  write(dir / "spec.bl", std::string(kNetwork) + "method fenchel_bp\n");

  Loaded loaded =
      load(dir / "spec.bl",
           {"train.epochs=1", "train.batch=128", "train.data=\"/data/fm\"",
            "train.optimizer=sgd(lr=0.5)", "train.precision=float64",
            "method.beta=0.05", "method.centered=true"});
  INFO(loaded.output);
  REQUIRE(loaded.spec);
  const Spec &spec = *loaded.spec;
  CHECK(spec.train.epochs == 1);
  CHECK(spec.train.batch == 128);
  CHECK(spec.train.data == "/data/fm");
  CHECK(spec.train.dataIsPath);
  CHECK(spec.train.optimizer == Optimizer::Sgd);
  CHECK(spec.train.learningRate == 0.5);
  CHECK(spec.train.momentum == 0.9);
  CHECK(spec.train.precisionBytes == 8);
  CHECK(spec.method.preset == "fenchel_bp");
  CHECK(spec.method.param("beta", 0) == 0.05);
  CHECK(spec.method.param("centered", 0) == 1);

  // A whole preset replaces the file's method; defaults fill the rest.
  Loaded ep = load(dir / "spec.bl", {"method=ep(gamma=0.5)"});
  REQUIRE(ep.spec);
  CHECK(ep.spec->method.preset == "ep");
  CHECK(ep.spec->method.param("gamma", 0) == 0.5);
  CHECK(ep.spec->method.param("beta", 0) == 0.01);
  CHECK(ep.spec->method.param("sweeps", 0) == 20);
  for (const MethodParam &param : ep.spec->method.params)
    CHECK(param.loc.isValid() == (param.name == "gamma"));
}

TEST_CASE("bad overrides are reported on the command line", "[unit][syntax]") {
  fs::path dir = tempDir("bad-overrides");
  write(dir / "spec.bl", kNetwork);

  Loaded syntax = load(dir / "spec.bl", {"train.epochs"});
  CHECK_FALSE(syntax.spec);
  CHECK(syntax.output.find("<command line>:1:13: error: expected '=' after "
                           "'train.epochs', got end of file\n"
                           "  train.epochs\n"
                           "              ^\n") != std::string::npos);

  Loaded range = load(dir / "spec.bl", {"train.batch=-3"});
  CHECK_FALSE(range.spec);
  CHECK(range.output.find("<command line>:1:13: error: batch must be > 0, "
                          "got -3") != std::string::npos);

  Loaded method = load(dir / "spec.bl", {"method=3"});
  CHECK(method.output.find("error: expected a method name, got 3") !=
        std::string::npos);

  Loaded junk = load(dir / "spec.bl", {"method=bp junk"});
  CHECK(junk.output.find("error: expected the end of the override, got "
                         "'junk'") != std::string::npos);
}

TEST_CASE("includes are resolved relative to the including file",
          "[unit][syntax]") {
  fs::path dir = tempDir("includes");
  write(dir / "nets/common.bl", kNetwork);
  write(dir / "nets/shared.bl", "include \"common.bl\"\n");
  write(dir / "spec.bl", "include \"nets/common.bl\"\n"
                         "include \"nets/shared.bl\"   # common.bl again\n"
                         "method pcn(beta = 0.2)\n");

  Loaded loaded = load(dir / "spec.bl");
  INFO(loaded.output);
  REQUIRE(loaded.spec);
  CHECK(loaded.output.empty());
  CHECK(loaded.spec->network.layers.size() == 2);
  CHECK(loaded.spec->method.preset == "pcn");
  CHECK(loaded.spec->sources.size() == 3);

  // Errors inside an included file point into that file.
  write(dir / "nets/bad.bl", "network n {\n  input x[784]\n  dense o[10] "
                             "rleu\n  loss mse\n}\n");
  write(dir / "bad.bl", "include \"nets/bad.bl\"\n");
  Loaded bad = load(dir / "bad.bl");
  CHECK_FALSE(bad.spec);
  CHECK(bad.output.find("nets/bad.bl:3:15: error: unknown activation "
                        "'rleu'") != std::string::npos);
}

TEST_CASE("missing includes and include cycles are diagnosed",
          "[unit][syntax]") {
  fs::path dir = tempDir("include-errors");
  write(dir / "missing.bl", "include \"nowhere.bl\"\n");
  Loaded missing = load(dir / "missing.bl");
  CHECK_FALSE(missing.spec);
  CHECK(missing.output.find("missing.bl:1:9: error: cannot read included "
                            "file 'nowhere.bl': no such file") !=
        std::string::npos);

  write(dir / "a.bl", "include \"b.bl\"\n");
  write(dir / "b.bl", "include \"a.bl\"\n");
  Loaded cycle = load(dir / "a.bl");
  CHECK_FALSE(cycle.spec);
  CHECK(cycle.output.find("b.bl:1:9: error: include cycle: ") !=
        std::string::npos);
  CHECK(cycle.output.find("a.bl -> ") != std::string::npos);

  write(dir / "self.bl", "include \"self.bl\"\n");
  Loaded self = load(dir / "self.bl");
  CHECK(self.output.find("error: include cycle") != std::string::npos);

  Loaded none = load(dir / "does-not-exist.bl");
  CHECK_FALSE(none.spec);
  CHECK(none.output.find("error: cannot read spec file") != std::string::npos);
}

TEST_CASE("parseSpecFile keeps includes unexpanded", "[unit][syntax]") {
  fs::path dir = tempDir("parse-only");
  write(dir / "spec.bl", "include \"missing.bl\"\nmethod bp\n");
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  std::unique_ptr<ast::File> file =
      parseSpecFile((dir / "spec.bl").string(), sources, diags);
  REQUIRE(file);
  CHECK(out.str().empty());
  CHECK(file->items.size() == 2);
  CHECK(std::holds_alternative<ast::IncludeDecl>(file->items[0]));
}
