//===- GradCommandTest.cpp - `bilevelc grad` against a reference ----------===//
//
// Runs the command line as a user would (parameters and batch as .npz in,
// gradient as .npz out) and compares the result with central finite
// differences of a loss computed by an independent, naive forward pass
// written here, so that neither the forward pass nor the loss of generated
// code is trusted.
//
//===----------------------------------------------------------------------===//
#include "NumericSupport.h"

#include <bilevel/Npz.h>

#include <cmath>
#include <cstdlib>

using namespace bilevel;
using namespace bilevel::test;

namespace {

using Params = std::map<std::string, std::vector<double>>;

struct Net {
  std::vector<int64_t> sizes; ///< input, then each layer
  bool tanhHidden;
  bool crossEntropy;
};

/// Mean loss of \p net with \p params on (x, y), by plain loops.
double referenceLoss(const Net &net, const Params &params,
                     const std::vector<double> &x, const std::vector<double> &y,
                     int64_t n) {
  double total = 0;
  size_t L = net.sizes.size() - 1;
  for (int64_t s = 0; s < n; ++s) {
    std::vector<double> z(x.begin() + s * net.sizes[0],
                          x.begin() + (s + 1) * net.sizes[0]);
    for (size_t k = 1; k <= L; ++k) {
      const auto &W = params.at("W" + std::to_string(k));
      const auto &b = params.at("b" + std::to_string(k));
      std::vector<double> a(net.sizes[k]);
      for (int64_t r = 0; r < net.sizes[k]; ++r) {
        a[r] = b[r];
        for (int64_t c = 0; c < net.sizes[k - 1]; ++c)
          a[r] += W[r * net.sizes[k - 1] + c] * z[c];
        if (k < L)
          a[r] = net.tanhHidden ? std::tanh(a[r]) : std::max(a[r], 0.0);
      }
      z = a;
    }
    const double *ys = &y[s * net.sizes[L]];
    if (net.crossEntropy) {
      double m = *std::max_element(z.begin(), z.end()), sum = 0;
      for (double v : z)
        sum += std::exp(v - m);
      for (size_t j = 0; j < z.size(); ++j)
        total += ys[j] * (m + std::log(sum) - z[j]);
    } else {
      for (size_t j = 0; j < z.size(); ++j)
        total += 0.5 * (z[j] - ys[j]) * (z[j] - ys[j]);
    }
  }
  return total / n;
}

void checkGradCommand(const Net &net, const std::string &spec,
                      double tolerance = 1e-6) {
  std::string specPath = writeTemp("cli.bl", spec);
  rt::Rng rng(3);
  const int64_t n = 9;
  Params params;
  std::map<std::string, rt::NpyArray> pnpz;
  for (size_t k = 1; k < net.sizes.size(); ++k) {
    int64_t out = net.sizes[k], in = net.sizes[k - 1];
    std::vector<double> W(out * in), b(out);
    for (double &v : W)
      v = rng.normal() / std::sqrt(double(in));
    for (double &v : b)
      v = 0.1 * rng.normal();
    params["W" + std::to_string(k)] = W;
    params["b" + std::to_string(k)] = b;
    pnpz["W" + std::to_string(k)] = rt::NpyArray::from(W, {out, in});
    pnpz["b" + std::to_string(k)] = rt::NpyArray::from(b, {out});
  }
  int64_t in = net.sizes.front(), out = net.sizes.back();
  std::vector<double> x(n * in), y(n * out, 0.0);
  for (double &v : x)
    v = rng.normal();
  for (int64_t i = 0; i < n; ++i) {
    if (net.crossEntropy)
      y[i * out + rng.next() % out] = 1;
    else
      for (int64_t j = 0; j < out; ++j)
        y[i * out + j] = rng.normal();
  }
  std::string pPath = writeTemp("P.npz", ""), bPath = writeTemp("B.npz", ""),
              gPath = writeTemp("G.npz", "");
  rt::writeNpz(pPath, pnpz);
  rt::writeNpz(bPath, {{"x", rt::NpyArray::from(x, {n, in})},
                       {"y", rt::NpyArray::from(y, {n, out})}});

  std::string cmd = std::string(BILEVELC_PATH) + " grad " + specPath +
                    " --params " + pPath + " --batch " + bPath + " -o " +
                    gPath + " --quiet --no-cache > /dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  auto grads = rt::readNpz(gPath);

  const double eps = 1e-6;
  double err2 = 0, ref2 = 0;
  for (auto &[name, values] : params) {
    REQUIRE(grads.count(name));
    const rt::NpyArray &g = grads.at(name);
    CHECK(g.dtype == "<f8");
    std::vector<int64_t> shape = pnpz.at(name).shape;
    CHECK(g.shape == shape);
    std::vector<double> gv = g.as<double>();
    for (size_t i = 0; i < values.size(); ++i) {
      double keep = values[i];
      values[i] = keep + eps;
      double up = referenceLoss(net, params, x, y, n);
      values[i] = keep - eps;
      double down = referenceLoss(net, params, x, y, n);
      values[i] = keep;
      double fd = (up - down) / (2 * eps);
      err2 += (gv[i] - fd) * (gv[i] - fd);
      ref2 += fd * fd;
    }
  }
  double rel = std::sqrt(err2 / ref2);
  INFO("relative error " << rel);
  CHECK(rel <= tolerance);
}

} // namespace

TEST_CASE("bilevelc grad matches finite differences of a reference loss",
          "[numeric][cli]") {
  SECTION("tanh hidden layers, softmax cross-entropy") {
    checkGradCommand({{12, 10, 8, 5}, true, true},
                     smallSpec("tanh", "softmax_cross_entropy"));
  }
  SECTION("relu hidden layers, mse") {
    checkGradCommand({{12, 10, 8, 5}, false, false}, smallSpec("relu", "mse"));
  }
}

TEST_CASE("bilevelc grad writes each method's gradient estimate",
          "[numeric][cli]") {
  // At β = 1e-4 a first-order method is within about 1e-4 of the true
  // gradient, so finite differences of the reference loss still apply.
  for (const char *method : {"lpom(beta = 1e-4)", "fenchel_bp(beta = 1e-4)",
                             "pcn(beta = 1e-4)", "dualprop(beta = 1e-3)"}) {
    SECTION(method) {
      std::string spec = smallSpec("tanh", "softmax_cross_entropy");
      spec.replace(spec.find("method bp"), 9, std::string("method ") + method);
      checkGradCommand({{12, 10, 8, 5}, true, true}, spec, 5e-3);
    }
  }
}

TEST_CASE("bilevelc grad reports a batch of the wrong width", "[cli]") {
  std::string specPath =
      writeTemp("cli-bad.bl", smallSpec("tanh", "softmax_cross_entropy"));
  std::string pPath = writeTemp("P-bad.npz", ""),
              bPath = writeTemp("B-bad.npz", "");
  // Parameters of the right shapes, a batch x with 11 columns instead of 12.
  std::map<std::string, rt::NpyArray> pnpz;
  int64_t sizes[] = {12, 10, 8, 5};
  for (int k = 1; k <= 3; ++k) {
    pnpz["W" + std::to_string(k)] = rt::NpyArray::from(
        std::vector<double>(sizes[k] * sizes[k - 1]), {sizes[k], sizes[k - 1]});
    pnpz["b" + std::to_string(k)] =
        rt::NpyArray::from(std::vector<double>(sizes[k]), {sizes[k]});
  }
  rt::writeNpz(pPath, pnpz);
  rt::writeNpz(bPath,
               {{"x", rt::NpyArray::from(std::vector<double>(2 * 11), {2, 11})},
                {"y", rt::NpyArray::from(std::vector<double>(2 * 5), {2, 5})}});
  std::string errPath = writeTemp("grad-err.txt", "");
  std::string cmd = std::string(BILEVELC_PATH) + " grad " + specPath +
                    " --params " + pPath + " --batch " + bPath +
                    " -o /dev/null --quiet 2> " + errPath;
  int status = std::system(cmd.c_str());
  CHECK(WEXITSTATUS(status) == 3);
  std::ifstream in(errPath);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK_THAT(text, Catch::Contains("'x' has shape [2, 11], expected [N, 12]"));
}
