//===- SyntaxPrinterTest.cpp - AST printer golden output ------------------===//
//
// Golden text and JSON for a small spec, so that any change to the printed
// AST (which `bilevelc show --stage ast` exposes) is deliberate.
//
//===----------------------------------------------------------------------===//
#include "syntax/AstPrinter.h"
#include "syntax/Parser.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace bilevel;

namespace {

const char *kSpec = "include \"net.bl\"\n"
                    "network mlp {\n"
                    "  input x[784]\n"
                    "  dense h[256] leaky_relu(slope = 0.1)\n"
                    "  loss mse\n"
                    "}\n"
                    "method fenchel_bp(beta = 1e-2, centered = true)\n"
                    "train { data \"d\\\\x\"; batch 64 }\n";

std::string print(Format format) {
  SourceManager sources;
  std::ostringstream diagnostics;
  DiagnosticEngine diags(sources, diagnostics);
  uint32_t id = sources.addBuffer("small.bl", kSpec);
  std::unique_ptr<ast::File> file = parseFile(sources, id, diags);
  REQUIRE(diagnostics.str().empty());
  std::ostringstream out;
  printAst(*file, format, out);
  return out.str();
}

} // namespace

TEST_CASE("AST printer: text golden", "[unit][syntax]") {
  CHECK(print(Format::Text) ==
        "file \"small.bl\"\n"
        "  include \"net.bl\"  @1:1\n"
        "  network mlp  @2:1\n"
        "    input x[784]  @3:3\n"
        "    dense h[256] leaky_relu(slope = 0.1)  @4:3\n"
        "    loss mse  @5:3\n"
        "  method fenchel_bp(beta = 1e-2, centered = true)  @7:1\n"
        "  train  @8:1\n"
        "    data \"d\\\\x\"  @8:9\n"
        "    batch 64  @8:22\n");
}

TEST_CASE("AST printer: JSON golden", "[unit][syntax]") {
  CHECK(print(Format::Json) ==
        R"({
  "kind": "file",
  "path": "small.bl",
  "items": [
    {"kind": "include", "path": "net.bl", "loc": [1, 1]},
    {"kind": "network", "name": "mlp", "loc": [2, 1], "body": [
      {"kind": "input", "name": "x", "loc": [3, 3], "size": {"kind": "number", "value": 784, "text": "784", "loc": [3, 11]}},
      {"kind": "dense", "name": "h", "loc": [4, 3], "size": {"kind": "number", "value": 256, "text": "256", "loc": [4, 11]}, "activation": {"kind": "call", "name": "leaky_relu", "loc": [4, 16], "args": [{"name": "slope", "loc": [4, 27], "value": {"kind": "number", "value": 0.10000000000000001, "text": "0.1", "loc": [4, 35]}}]}},
      {"kind": "setting", "key": "loss", "loc": [5, 3], "value": {"kind": "call", "name": "mse", "loc": [5, 8]}}
    ]},
    {"kind": "method", "loc": [7, 1], "preset": {"kind": "call", "name": "fenchel_bp", "loc": [7, 8], "args": [{"name": "beta", "loc": [7, 19], "value": {"kind": "number", "value": 0.01, "text": "1e-2", "loc": [7, 26]}}, {"name": "centered", "loc": [7, 32], "value": {"kind": "call", "name": "true", "loc": [7, 43]}}]}},
    {"kind": "train", "loc": [8, 1], "settings": [
      {"kind": "setting", "key": "data", "loc": [8, 9], "value": {"kind": "string", "value": "d\\x", "loc": [8, 14]}},
      {"kind": "setting", "key": "batch", "loc": [8, 22], "value": {"kind": "number", "value": 64, "text": "64", "loc": [8, 28]}}
    ]}
  ]
}
)");
}

TEST_CASE("AST printer: LaTeX escapes and nests", "[unit][syntax]") {
  std::string latex = print(Format::Latex);
  CHECK(latex.rfind("% AST of small.bl\n\\begin{itemize}\n", 0) == 0);
  CHECK(latex.find("\\item \\texttt{dense h[256] leaky\\_relu(slope = 0.1)} "
                   "\\hfill{\\small 4:3}\n") != std::string::npos);
  CHECK(latex.find("\\textbackslash{}") != std::string::npos);
  CHECK(latex.substr(latex.size() - 14) == "\\end{itemize}\n");
}
