//===- Check.cpp - A method's gradient against back-propagation -----------===//
//
// Both gradients come from generated code, compiled in float64 through the
// same pipeline; back-propagation is the same spec with `method=bp`. The
// method's β is set by the `method.beta` override, which for an explicit
// recipe sets the β of every ovr rule.
//
//===----------------------------------------------------------------------===//
#include "tool/Check.h"

#include "tool/Driver.h"
#include "tool/Jit.h"

#include <bilevel/Data.h>
#include <bilevel/Params.h>
#include <bilevel/Rng.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <ostream>

namespace bilevel {

namespace {

/// The gradient of one compiled variant of the spec, flattened.
std::optional<std::vector<double>>
gradientOf(const CompileRequest &req, CheckInput &input, SourceManager &sources,
           DiagnosticEngine &diags, std::string *error, std::string *method,
           blrt_step_report *report) {
  Compilation c(sources, diags);
  if (!c.run(req))
    return std::nullopt;
  if (method)
    *method = c.spec().method.preset;
  LoadedModel m = loadModel(c.cpp(), req.specPath, true, error, "-O1");
  if (!m.model)
    return std::nullopt;
  const blrt_model &model = *m.model;

  if (input.params.empty()) {
    // The spec's own initialisation and its first training batch.
    rt::Rng rng(c.spec().train.seed);
    input.params = rt::initParams<double>(model, rng);
    rt::DataSplit data = rt::loadDataset(c.dataSource(), c.spec().train.batch);
    input.n = data.train.x.rows;
    input.x.assign(data.train.x.data.begin(), data.train.x.data.end());
    input.y.assign(data.train.y.data.begin(), data.train.y.data.end());
  }

  std::vector<std::vector<double>> grads(input.params.size());
  std::vector<const void *> pp;
  std::vector<void *> gp;
  for (size_t i = 0; i < input.params.size(); ++i) {
    grads[i].assign(input.params[i].size(), 0.0);
    pp.push_back(input.params[i].data());
    gp.push_back(grads[i].data());
  }
  std::vector<unsigned char> ws(model.workspace_bytes(input.n));
  blrt_step_report r{};
  model.gradient(pp.data(), input.x.data(), input.y.data(), input.n, gp.data(),
                 ws.data(), &r);
  if (report)
    *report = r;
  std::vector<double> flat;
  for (const auto &g : grads)
    flat.insert(flat.end(), g.begin(), g.end());
  return flat;
}

} // namespace

double observedOrder(const std::vector<CheckRow> &rows) {
  if (rows.size() < 2)
    return std::nan("");
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const CheckRow &r : rows) {
    double x = std::log(std::abs(r.beta)), y = std::log(r.relError);
    sx += x, sy += y, sxx += x * x, sxy += x * y;
  }
  double n = double(rows.size());
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

std::optional<CheckResult> checkMethod(
    const std::string &specPath, const std::vector<std::string> &overrides,
    const std::vector<double> &betas, CheckInput input, SourceManager &sources,
    DiagnosticEngine &diags, std::string *error) {
  InferSpec tight;
  tight.sweeps = 5000;
  tight.tol = 1e-12;

  {
    // A method compared with itself says nothing: refuse bp up front.
    Compilation probe(sources, diags);
    if (!probe.run({specPath, overrides, 8, tight}))
      return std::nullopt;
    if (probe.spec().method.preset == "bp") {
      *error = "the spec's method is bp, which check uses as the reference; "
               "choose another method with --set method=NAME(...)";
      return std::nullopt;
    }
  }

  CompileRequest bp{specPath, overrides, 8, tight};
  bp.overrides.push_back("method=bp");
  std::optional<std::vector<double>> ref =
      gradientOf(bp, input, sources, diags, error, nullptr, nullptr);
  if (!ref)
    return std::nullopt;
  double refNorm = 0;
  for (double v : *ref)
    refNorm += v * v;
  refNorm = std::sqrt(refNorm);

  CheckResult result;
  for (double beta : betas) {
    CompileRequest req{specPath, overrides, 8, tight};
    req.overrides.push_back(fmt::format("method.beta={}", beta));
    blrt_step_report report{};
    std::optional<std::vector<double>> g =
        gradientOf(req, input, sources, diags, error, &result.method, &report);
    if (!g)
      return std::nullopt;
    double diff = 0, dot = 0, norm = 0;
    for (size_t i = 0; i < g->size(); ++i) {
      diff += ((*g)[i] - (*ref)[i]) * ((*g)[i] - (*ref)[i]);
      dot += (*g)[i] * (*ref)[i];
      norm += (*g)[i] * (*g)[i];
    }
    result.rows.push_back({beta, std::sqrt(diff) / refNorm,
                           dot / (std::sqrt(norm) * refNorm), report.residual,
                           report.sweeps});
  }
  result.order = observedOrder(result.rows);
  return result;
}

void printCheck(const CheckResult &r, bool json, std::ostream &os) {
  if (json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const CheckRow &row : r.rows)
      rows.push_back({{"beta", row.beta},
                      {"rel_error", row.relError},
                      {"cosine", row.cosine},
                      {"residual", row.residual},
                      {"sweeps", row.sweeps}});
    nlohmann::json j = {{"method", r.method}, {"rows", rows}};
    if (std::isnan(r.order))
      j["order"] = nullptr;
    else
      j["order"] = r.order;
    os << j.dump(2) << "\n";
    return;
  }
  os << fmt::format("method {} against back-propagation (float64, one "
                    "batch)\n\n",
                    r.method);
  os << fmt::format("{:>10}  {:>12}  {:>10}  {:>8}  {:>10}\n", "beta",
                    "rel. error", "cosine", "sweeps", "residual");
  for (const CheckRow &row : r.rows)
    os << fmt::format("{:>10.3g}  {:>12.4e}  {:>10.6f}  {:>8}  {:>10.2e}\n",
                      row.beta, row.relError, row.cosine, row.sweeps,
                      row.residual);
  if (!std::isnan(r.order))
    os << fmt::format("\nobserved order {:.2f} (slope of log error against "
                      "log beta)\n",
                      r.order);
}

} // namespace bilevel
