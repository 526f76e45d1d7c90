//===- GradientTest.cpp - Derived gradients against finite differences ----===//
//
// For every activation and both losses, the gradient the derived BP code
// computes must match central finite differences of the loss the same code
// reports, to a relative error of 1e-6 in float64. This checks the rules
// (closed-form levels, reverse mode) and the lowering (fusion, GEMM
// operands and strides) together.
//
//===----------------------------------------------------------------------===//
#include "NumericSupport.h"

#include <cmath>

using namespace bilevel;
using namespace bilevel::test;

namespace {

struct Evaluator {
  const blrt_model &m;
  const std::vector<double> &x, &y;
  int64_t n;
  std::vector<unsigned char> ws;

  Evaluator(const blrt_model &m, const std::vector<double> &x,
            const std::vector<double> &y, int64_t n)
      : m(m), x(x), y(y), n(n), ws(m.workspace_bytes(n)) {}

  /// The loss at \p params; the gradient into \p grads when given.
  double run(std::vector<std::vector<double>> &params,
             std::vector<std::vector<double>> *grads = nullptr) {
    std::vector<std::vector<double>> scratch;
    if (!grads) {
      scratch = params;
      grads = &scratch;
    }
    std::vector<const void *> pp;
    std::vector<void *> gp;
    for (size_t i = 0; i < params.size(); ++i) {
      (*grads)[i].assign(params[i].size(), 0.0);
      pp.push_back(params[i].data());
      gp.push_back((*grads)[i].data());
    }
    blrt_step_report report{};
    m.gradient(pp.data(), x.data(), y.data(), n, gp.data(), ws.data(), &report);
    return report.loss;
  }
};

} // namespace

TEST_CASE("derived BP gradients match central finite differences",
          "[numeric]") {
  const char *activations[] = {"relu",
                               "tanh",
                               "sigmoid",
                               "hard_sigmoid",
                               "hard_tanh",
                               "identity",
                               "leaky_relu(slope = 0.1)"};
  for (const char *loss : {"mse", "softmax_cross_entropy"})
    for (const char *act : activations) {
      SECTION(std::string(act) + " / " + loss) {
        CompiledModel cm(writeTemp("grad.bl", smallSpec(act, loss)));
        const blrt_model &m = cm.model();
        rt::Rng rng(42);
        auto params = randomParams(m, rng);
        std::vector<double> x, y;
        const int64_t n = 7;
        randomBatch(m, n, rng, x, y);
        Evaluator eval(m, x, y, n);
        std::vector<std::vector<double>> grads(params.size());
        eval.run(params, &grads);

        const double eps = 1e-6;
        double err2 = 0, ref2 = 0;
        for (size_t p = 0; p < params.size(); ++p)
          for (size_t i = 0; i < params[p].size(); ++i) {
            double keep = params[p][i];
            params[p][i] = keep + eps;
            double up = eval.run(params);
            params[p][i] = keep - eps;
            double down = eval.run(params);
            params[p][i] = keep;
            double fd = (up - down) / (2 * eps);
            err2 += (grads[p][i] - fd) * (grads[p][i] - fd);
            ref2 += fd * fd;
          }
        double rel = std::sqrt(err2 / ref2);
        INFO("relative error " << rel);
        CHECK(rel <= 1e-6);
      }
    }
}

TEST_CASE("predict and gradient agree on the loss", "[numeric]") {
  CompiledModel cm(writeTemp("agree.bl", smallSpec("tanh", "mse")));
  const blrt_model &m = cm.model();
  rt::Rng rng(7);
  auto params = randomParams(m, rng);
  std::vector<double> x, y;
  const int64_t n = 5;
  randomBatch(m, n, rng, x, y);

  // The mean ½‖z − y‖² from predict's output must equal the reported loss.
  std::vector<double> out(n * m.output_size);
  std::vector<unsigned char> ws(m.workspace_bytes(n));
  std::vector<const void *> pp;
  for (auto &p : params)
    pp.push_back(p.data());
  m.predict(pp.data(), x.data(), n, out.data(), ws.data());
  double loss = 0;
  for (size_t i = 0; i < out.size(); ++i)
    loss += 0.5 * (out[i] - y[i]) * (out[i] - y[i]);
  loss /= n;
  Evaluator eval(m, x, y, n);
  CHECK(eval.run(params) == Approx(loss).epsilon(1e-12));
}
