//===- DiagnosticsTest.cpp - Annotated malformed specs --------------------===//
//
// Runs loadSpec on every tests/diagnostics/NN_*.bl file and checks its
// output against the file's "# expect:" lines (MLIR's expected-error idea):
// each expectation must match an output line, in order, and every error in
// the output must be expected. Valid specs must load with no output at all.
//
//===----------------------------------------------------------------------===//
#include "sema/Frontend.h"

#include <catch2/catch.hpp>

#include <algorithm>
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

/// The annotated specs, NN_*.bl, sorted by name.
std::vector<fs::path> annotatedSpecs() {
  std::vector<fs::path> specs;
  for (const auto &entry :
       fs::directory_iterator(sourceDir() / "tests/diagnostics")) {
    std::string name = entry.path().filename().string();
    if (name.size() > 3 && std::isdigit(name[0]) && std::isdigit(name[1]) &&
        name[2] == '_' && entry.path().extension() == ".bl")
      specs.push_back(entry.path());
  }
  std::sort(specs.begin(), specs.end());
  return specs;
}

struct Annotations {
  std::vector<std::string> expects;
  std::vector<std::string> overrides;
};

Annotations readAnnotations(const fs::path &path) {
  Annotations notes;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# expect: ", 0) == 0)
      notes.expects.push_back(line.substr(10));
    else if (line.rfind("# set: ", 0) == 0)
      notes.overrides.push_back(line.substr(7));
  }
  return notes;
}

/// True when \p expected occurs in \p line at a field boundary, so that
/// "1:4: error" does not match "11:4: error". An expectation may stop
/// before the end of the line (notes that end in a machine-specific path).
bool matches(const std::string &line, const std::string &expected) {
  for (size_t at = line.find(expected); at != std::string::npos;
       at = line.find(expected, at + 1)) {
    char before = at == 0 ? ':' : line[at - 1];
    if (before == ':' || before == '/' || before == ' ')
      return true;
  }
  return false;
}

/// Error lines start with a location or with "error:" and contain "error: ".
bool isErrorLine(const std::string &line) {
  return line.rfind("  ", 0) != 0 && line.find("error: ") != std::string::npos;
}

std::string loadAndCapture(const std::string &path,
                           const std::vector<std::string> &overrides,
                           bool &loaded) {
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  std::optional<Spec> spec = loadSpec(path, overrides, sources, diags);
  loaded = spec.has_value();
  if (loaded && diags.hasErrors())
    out << "INTERNAL: a spec was returned although errors were reported\n";
  return out.str();
}

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    lines.push_back(line);
  return lines;
}

} // namespace

TEST_CASE("annotated malformed specs produce exactly their diagnostics",
          "[diagnostics]") {
  std::vector<fs::path> specs = annotatedSpecs();
  REQUIRE(specs.size() >= 30);

  for (const fs::path &path : specs) {
    DYNAMIC_SECTION(path.filename().string()) {
      Annotations notes = readAnnotations(path);
      REQUIRE(!notes.expects.empty());
      bool loaded = false;
      std::string output =
          loadAndCapture(path.string(), notes.overrides, loaded);
      INFO("output:\n" << output);
      CHECK_FALSE(loaded);

      // Every expectation, in order.
      std::vector<std::string> lines = splitLines(output);
      std::vector<bool> used(lines.size(), false);
      size_t cursor = 0;
      for (const std::string &expected : notes.expects) {
        size_t at = cursor;
        while (at < lines.size() && !matches(lines[at], expected))
          ++at;
        INFO("expected: " << expected);
        CHECK(at < lines.size());
        if (at < lines.size()) {
          used[at] = true;
          cursor = at + 1;
        }
      }

      // No error that was not expected.
      for (size_t i = 0; i < lines.size(); ++i) {
        INFO("unexpected: " << lines[i]);
        CHECK((used[i] || !isErrorLine(lines[i])));
      }
    }
  }
}

TEST_CASE("the examples load without diagnostics", "[diagnostics]") {
  fs::path examples = sourceDir() / "examples";
  for (const auto &entry : fs::directory_iterator(examples)) {
    if (entry.path().extension() != ".bl")
      continue;
    DYNAMIC_SECTION(entry.path().filename().string()) {
      bool loaded = false;
      std::string output = loadAndCapture(entry.path().string(), {}, loaded);
      INFO("output:\n" << output);
      CHECK(loaded);
      CHECK(output.empty());
    }
  }
}

TEST_CASE("valid inline specs load without diagnostics", "[diagnostics]") {
  const char *specs[] = {
      // The smallest spec: everything else defaults.
      "network n {\n input x[784]\n dense y[10] identity\n loss mse\n}\n",
      // Every activation and a preset with all its parameters.
      "network n {\n"
      "  input x[784]\n"
      "  dense a[8] hard_sigmoid; dense b[8] hard_tanh\n"
      "  dense c[8] leaky_relu(slope = 0.2)\n"
      "  dense d[8] sigmoid\n  dense e[8] tanh\n  dense f[8] relu\n"
      "  dense out[10] softmax\n"
      "  loss mse\n  states pre_activation\n"
      "}\n"
      "method ep(beta = 0.05, gamma = 0.2, sweeps = 30, tol = 1e-6,\n"
      "          centered = true)\n"
      "train {\n  data \"/tmp/some dir\"\n  optimizer sgd(lr = 0.1, "
      "momentum = 0)\n  precision float64\n  eval_every 2\n  seed 0\n}\n",
      // Windows line endings, no final newline, semicolons.
      "network n { input x[4]; dense y[2] identity; loss mse }\r\n"
      "method dualprop(alpha = 0, beta = 1e-2)\r\n"
      "train { data \"d.npz\" }",
      // The two recipes of the grammar's examples, and the design sketch's
      // spelling; layers left out get exact back-propagation.
      "network n {\n  input x[784]\n  dense h1[8] relu\n  dense h2[8] relu\n"
      "  dense logits[10] identity\n  loss softmax_cross_entropy\n}\n"
      "method {\n"
      "  layers logits, h2: ovr(beta = 0.05) then eliminate_conjugate\n"
      "  layers h1:         limit_bp   # exact back-propagation here\n"
      "  infer(order = backward, sweeps = 10, tol = 1e-6, "
      "update = prox_gradient)\n"
      "}\n",
      "network n {\n  input x[784]\n  dense h[8] tanh\n  dense y[10] tanh\n"
      "  loss mse\n}\n"
      "method\n{\n"
      "  all: collapse(gamma = 0.1) then ovr(beta = 0.01, centered = true)\n"
      "  infer(sweeps = 50)\n"
      "}\n",
      "network n {\n  input x[784]\n  dense h[8] relu\n  dense y[10] identity\n"
      "  loss mse\n}\n"
      "method {\n"
      "  layers y: ovr(beta = -0.05)\n"
      "            then eliminate conjugate\n"
      "}\n",
  };
  fs::path dir = fs::temp_directory_path() / "bilevel-diag-valid";
  fs::create_directories(dir);
  int index = 0;
  for (const char *text : specs) {
    DYNAMIC_SECTION("inline spec " << index) {
      fs::path path = dir / ("spec" + std::to_string(index) + ".bl");
      std::ofstream(path, std::ios::binary) << text;
      bool loaded = false;
      std::string output = loadAndCapture(path.string(), {}, loaded);
      INFO("spec:\n" << text << "\noutput:\n" << output);
      CHECK(loaded);
      CHECK(output.empty());
    }
    ++index;
  }
}
