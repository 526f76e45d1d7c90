//===- MethodsTest.cpp - Every method against back-propagation ------------===//
//
// The acceptance bar of reformulation.md: on small random networks
// (12-10-8-5, batch 7) with relu, tanh and sigmoid hidden layers and both
// losses, each method's gradient tends to back-propagation's as β → 0 with
// the order its rules predict: about 1 for one-sided relaxations, about 2
// for centered ones and for dual propagation with α = ½. EP and CHL carry
// an O(γ) error from the feedback of the collapsed energy, which shrinks
// with γ. Gradients come from generated code through bilevelc's check.
//
//===----------------------------------------------------------------------===//
#include "NumericSupport.h"

#include "tool/Check.h"

#include <fmt/format.h>

using namespace bilevel;
using namespace bilevel::test;

namespace {

/// Random parameters and a batch for the 12-10-8-5 network of \p loss.
CheckInput randomInput(const std::string &loss, uint64_t seed) {
  CompiledModel bp(writeTemp("input.bl", smallSpec("tanh", loss)));
  rt::Rng rng(seed);
  CheckInput in;
  in.params = randomParams(bp.model(), rng);
  in.n = 7;
  randomBatch(bp.model(), in.n, rng, in.x, in.y);
  return in;
}

CheckResult check(const std::string &spec, const std::string &method,
                  const std::vector<double> &betas, const CheckInput &in) {
  SourceManager sources;
  std::ostringstream diagOut;
  DiagnosticEngine diags(sources, diagOut);
  std::string error;
  std::optional<CheckResult> r =
      checkMethod(writeTemp("method.bl", spec), {"method=" + method}, betas, in,
                  sources, diags, &error);
  INFO(diagOut.str() << error);
  REQUIRE(r);
  return *r;
}

std::string describe(const CheckResult &r) {
  std::ostringstream os;
  printCheck(r, false, os);
  return os.str();
}

} // namespace

/// Checks \p preset on every activation and loss.
void checkOrder(const char *preset, double minOrder) {
  const std::vector<double> betas = {1e-2, 1e-3, 1e-4};
  for (const char *loss : {"mse", "softmax_cross_entropy"}) {
    CheckInput in = randomInput(loss, 5);
    for (const char *act : {"relu", "tanh", "sigmoid"}) {
      CheckResult r = check(smallSpec(act, loss), preset, betas, in);
      INFO(act << " / " << loss << "\n" << describe(r));
      CHECK(r.order >= minOrder);
      CHECK(r.rows[1].relError <= 1e-2); // β = 1e-3
      CHECK(r.rows[1].cosine > 0.9999);
    }
  }
}

TEST_CASE("Fenchel BP converges to BP at first order", "[numeric][methods]") {
  checkOrder("fenchel_bp", 0.8);
}

TEST_CASE("centered Fenchel BP converges at second order",
          "[numeric][methods]") {
  checkOrder("fenchel_bp(centered = true)", 1.7);
}

TEST_CASE("LPOM converges to BP at first order", "[numeric][methods]") {
  checkOrder("lpom", 0.8);
}

TEST_CASE("centered LPOM converges at second order", "[numeric][methods]") {
  checkOrder("lpom(centered = true)", 1.7);
}

TEST_CASE("predictive coding converges to BP at first order",
          "[numeric][methods]") {
  checkOrder("pcn", 0.8);
}

TEST_CASE("dual propagation with alpha 1/2 converges at second order",
          "[numeric][methods]") {
  checkOrder("dualprop(alpha = 0.5)", 1.7);
}

TEST_CASE("dual propagation with alpha 1 converges at first order",
          "[numeric][methods]") {
  checkOrder("dualprop(alpha = 1)", 0.8);
}

TEST_CASE("hybrid recipes converge to BP", "[numeric][methods]") {
  // The two hybrids of examples/, on the small network's layer names.
  const char *recipes[] = {
      "method {\n  layers out, h2: ovr(beta = 0.1) then eliminate_conjugate\n"
      "  layers h1: limit_bp\n  infer(sweeps = 200)\n}\n",
      "method {\n  layers out: ovr(beta = 0.1) then mix_input(alpha = 0.5)\n"
      "  layers h2: ovr(beta = 0.1) then eliminate_conjugate\n"
      "  layers h1: limit_bp\n  infer(sweeps = 200)\n}\n",
  };
  for (const char *loss : {"mse", "softmax_cross_entropy"}) {
    CheckInput in = randomInput(loss, 9);
    for (const char *recipe : recipes)
      for (const char *act : {"relu", "tanh", "sigmoid"}) {
        SECTION(std::string(recipe).substr(20, 30) + act + loss) {
          std::string spec = smallSpec(act, loss);
          spec.replace(spec.find("method bp"), 9, recipe);
          SourceManager sources;
          std::ostringstream diagOut;
          DiagnosticEngine diags(sources, diagOut);
          std::string error;
          std::optional<CheckResult> r =
              checkMethod(writeTemp("hybrid.bl", spec), {}, {1e-2, 1e-3, 1e-4},
                          in, sources, diags, &error);
          INFO(diagOut.str() << error);
          REQUIRE(r);
          INFO(describe(*r));
          CHECK(r->order >= 0.8);
          CHECK(r->rows[1].relError <= 1e-2);
        }
      }
  }
}

TEST_CASE("EP and CHL approach BP as the feedback gain shrinks",
          "[numeric][methods]") {
  // Squared loss: CHL's clamped phase differentiates the squared error.
  CheckInput in = randomInput("mse", 13);
  for (const char *act : {"relu", "tanh", "sigmoid"})
    for (const char *preset : {"ep", "chl"}) {
      SECTION(std::string(preset) + " / " + act) {
        std::vector<double> errors;
        for (double gamma : {0.1, 0.03, 0.01}) {
          // β ≪ γ^(L−1) for EP; CHL's clamp makes β a pure scale.
          double beta = std::string(preset) == "ep" ? 1e-3 * gamma * gamma : 1;
          CheckResult r =
              check(smallSpec(act, "mse"),
                    fmt::format("{}(gamma = {})", preset, gamma), {beta}, in);
          INFO(describe(r));
          errors.push_back(r.rows[0].relError);
        }
        INFO("errors at gamma 0.1, 0.03, 0.01: "
             << errors[0] << ", " << errors[1] << ", " << errors[2]);
        CHECK(errors[1] < errors[0]);
        CHECK(errors[2] < errors[1]);
        CHECK(errors[2] < 0.25);
      }
    }
}

TEST_CASE("prox-gradient and fixed-point inference reach the same states",
          "[numeric][methods]") {
  // The two derived update forms solve the same stationarity conditions:
  // with equal β and large weights (where only the prox-gradient step is
  // guaranteed to converge, reformulation.md §4.1), both must land on the
  // same states, hence the same gradient. tanh exercises the entropic prox.
  CheckInput in = randomInput("mse", 21);
  for (std::vector<double> &p : in.params)
    for (double &w : p)
      w *= 3;
  auto spec = [](const char *update) {
    std::string s = smallSpec("tanh", "mse");
    s.replace(s.find("method bp"), 9,
              std::string("method {\n  all: ovr(beta = 0.1) then "
                          "eliminate_conjugate\n  infer(update = ") +
                  update + ")\n}\n");
    return s;
  };
  SourceManager sources;
  std::ostringstream diagOut;
  DiagnosticEngine diags(sources, diagOut);
  std::string error;
  std::optional<CheckResult> fixedPoint =
      checkMethod(writeTemp("fixed.bl", spec("fixed_point")), {}, {1e-2}, in,
                  sources, diags, &error);
  std::optional<CheckResult> prox =
      checkMethod(writeTemp("prox.bl", spec("prox_gradient")), {}, {1e-2}, in,
                  sources, diags, &error);
  INFO(diagOut.str() << error);
  REQUIRE(fixedPoint);
  REQUIRE(prox);
  INFO(describe(*fixedPoint) << describe(*prox));
  CHECK(prox->rows[0].residual < 1e-9);
  CHECK(fixedPoint->rows[0].residual < 1e-9);
  CHECK(prox->rows[0].relError ==
        Approx(fixedPoint->rows[0].relError).epsilon(1e-6));
  CHECK(prox->rows[0].cosine == Approx(fixedPoint->rows[0].cosine));
}
