//===- CliTest.cpp - The command line's contract --------------------------===//
//
// Exit codes, where output goes, and the diagnostics a user sees for bad
// invocations, bad specs and bad data.
//
//===----------------------------------------------------------------------===//
#include "E2eSupport.h"

#include <regex>

using namespace bilevel::test;

TEST_CASE("usage errors exit with 2 and say what is wrong", "[cli]") {
  fs::path dir = scratch("usage");
  struct Case {
    const char *args;
    const char *message;
  } cases[] = {
      {"", "no command given"},
      {"frobnicate x.bl", "unknown command 'frobnicate'"},
      {"show", "no spec file given"},
      {"show x.bl --stage nope", "unknown stage 'nope'; the stages are: ast"},
      {"show x.bl --format yaml", "unknown format 'yaml'"},
      {"show x.bl --stage", "--stage needs a value"},
      {"train x.bl --bogus", "unknown option '--bogus'"},
      {"train x.bl --limit -3", "--limit needs a positive whole number"},
      {"train x.bl --precision half", "--precision takes float32 or float64"},
  };
  for (const Case &c : cases) {
    INFO("bilevelc " << c.args);
    RunResult r = bilevelc(c.args, dir);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
    CHECK(r.out.empty());
  }
}

TEST_CASE("help and version go to stdout", "[cli]") {
  fs::path dir = scratch("help");
  RunResult help = bilevelc("--help", dir);
  CHECK(help.status == 0);
  CHECK_THAT(help.out, Catch::Contains("usage: bilevelc COMMAND SPEC"));
  RunResult version = bilevelc("--version", dir);
  CHECK(version.status == 0);
  CHECK_THAT(version.out, Catch::StartsWith("bilevelc "));
}

TEST_CASE("a bad spec gives located diagnostics and exit 1", "[cli]") {
  fs::path dir = scratch("badspec");
  writeFile(dir / "bad.bl", "network n {\n  input x[4]\n  dense h[3] rleu\n"
                            "  dense o[2] identity\n  loss mse\n}\n");
  RunResult r = bilevelc("train bad.bl", dir);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Catch::Contains("bad.bl:3:14: error: unknown activation "
                                    "'rleu'"));
  CHECK_THAT(r.err, Catch::Contains("note: known activations:"));
  CHECK_FALSE(fs::exists(dir / "runs"));

  RunResult missing = bilevelc("show nowhere.bl", dir);
  CHECK(missing.status == 1);
  CHECK_THAT(missing.err, Catch::Contains("nowhere.bl"));
}

TEST_CASE("missing or malformed data is reported, not a crash", "[cli]") {
  fs::path dir = scratch("baddata");
  writeFile(dir / "t.bl", teacherSpec("absent.npz", 1));
  RunResult r = bilevelc("train t.bl --quiet", dir);
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Catch::Contains("absent.npz"));

  writeFile(dir / "junk.npz", "this is not a zip archive");
  writeFile(dir / "j.bl", teacherSpec("junk.npz", 1));
  RunResult junk = bilevelc("train j.bl --quiet", dir);
  CHECK(junk.status == 3);
  CHECK_THAT(junk.err, Catch::Contains("junk.npz"));
}

TEST_CASE("show writes stages to stdout or to -o", "[cli]") {
  fs::path dir = scratch("show");
  writeFile(dir / "t.bl", teacherSpec("data.npz", 1));
  RunResult r = bilevelc("show t.bl --stage updates", dir);
  CHECK(r.status == 0);
  // The printer writes a bar as a combining macron (U+0304).
  CHECK_THAT(r.out, Catch::Contains("∂W₁ = Σₙ a\u0304₁ xᵀ"));
  RunResult o =
      bilevelc("show t.bl --stage nested --format json -o n.json", dir);
  CHECK(o.status == 0);
  CHECK(o.out.empty());
  CHECK_THAT(slurp(dir / "n.json"), Catch::Contains("\"stage\": \"nested\""));
  RunResult trace = bilevelc("show t.bl --stage updates --trace-rules", dir);
  CHECK_THAT(trace.err,
             Catch::Contains("rule limit-bp[h]: z₁ = tanh(W₁ x + b₁)"));
  CHECK_THAT(trace.err, Catch::Contains("rule reverse-mode"));
}

TEST_CASE("a data path in a spec is relative to the spec file", "[cli]") {
  fs::path dir = scratch("relative");
  fs::create_directories(dir / "specs");
  writeTeacherData(dir / "specs" / "data.npz", 200, 100);
  writeFile(dir / "specs" / "t.bl", teacherSpec("data.npz", 1));
  RunResult r = bilevelc("train specs/t.bl --quiet --out run", dir);
  INFO(r.err);
  CHECK(r.status == 0);

  // On the command line a relative path means the working directory.
  RunResult cli =
      bilevelc("train specs/t.bl --quiet --out run2 --data data.npz", dir);
  CHECK(cli.status == 3);
  CHECK_THAT(cli.err, Catch::Contains("data.npz"));
}

TEST_CASE("a rule whose side condition fails is refused at its location",
          "[cli]") {
  fs::path dir = scratch("refusal");
  const char *network = "network n {\n  input x[4]\n  dense h[3] relu\n"
                        "  dense o[2] identity\n  loss mse\n}\n"
                        "train {\n  data \"d.npz\"\n}\n";
  struct Case {
    const char *method;
    const char *message;
  } cases[] = {
      // z⁻ of h feeds the layer above through the mix: not eliminable.
      {"method {\n  layers h: ovr(beta = 0.1) then mix_input(alpha = 0.5) "
       "then eliminate_conjugate\n}\n",
       "rule eliminate-conjugate cannot apply to layer 'h': z⁻₁ occurs in 2 "
       "terms, not only in its own energy"},
      // Post-activation energies are not quadratic.
      {"method {\n  all: ovr(beta = 0.1) then eliminate_quadratic\n}\n",
       "rule eliminate-quadratic cannot apply to layer 'o': its energy is "
       "not ½‖u − c‖²"},
      // The collapsed energy couples the layers.
      {"method {\n  all: collapse(gamma = 0.1) then ovr(beta = 0.01) then "
       "eliminate_conjugate\n}\n",
       "rule eliminate-conjugate cannot apply after collapse"},
  };
  for (const Case &c : cases) {
    std::string spec = std::string(network) + c.method;
    writeFile(dir / "r.bl", spec);
    RunResult r = bilevelc("show r.bl --stage updates", dir);
    INFO(spec << "\n" << r.err);
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Catch::Contains(c.message));
    CHECK_THAT(r.err, Catch::Contains("r.bl:"));
  }
}

TEST_CASE("check reports each beta and the observed order as JSON", "[cli]") {
  fs::path dir = scratch("check");
  writeTeacherData(dir / "data.npz", 64, 16);
  std::string spec = teacherSpec("data.npz", 1);
  spec.replace(spec.find("method bp"), 9, "method lpom(beta = 0.1)");
  writeFile(dir / "t.bl", spec);
  RunResult r = bilevelc(
      "check t.bl --beta 1e-2,1e-3 --format json --plot check.svg", dir);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Catch::Contains("\"method\": \"lpom\""));
  CHECK_THAT(r.out, Catch::Contains("\"rel_error\""));
  CHECK_THAT(r.out, Catch::Contains("\"cosine\""));
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, std::regex("\"order\": ([0-9.eE+-]+)")));
  CHECK(std::stod(m[1]) > 0.8);
  std::string svg = slurp(dir / "check.svg");
  CHECK_THAT(svg, Catch::StartsWith("<svg"));
  CHECK_THAT(svg, Catch::Contains("observed order"));
  CHECK_THAT(svg, Catch::Contains("<circle"));

  RunResult bp = bilevelc("check t.bl --set method=bp", dir);
  CHECK(bp.status == 3);
  CHECK_THAT(bp.err, Catch::Contains("which check uses as the reference"));
  RunResult bad = bilevelc("check t.bl --beta 0.1,0", dir);
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("--beta takes a comma-separated list"));
}
