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

#include <algorithm>
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

  // TODO: β is a constant of the generated code, so check compiles one
  // model per β (fast from the JIT cache, ~0.3 s each otherwise); passing β
  // at run time needs scalar parameters in the blrt_model ABI.
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

std::string plotCheck(const CheckResult &r) {
  const double W = 480, H = 360, left = 70, right = 20, top = 30, bottom = 50;
  std::vector<CheckRow> rows;
  for (const CheckRow &row : r.rows)
    if (row.relError > 0 && std::isfinite(row.relError))
      rows.push_back(row);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"18\">{} against back-propagation</text>\n",
      W, H, left, r.method);
  if (rows.empty())
    return svg + "</svg>\n";

  // Axes span whole decades around the data and the slope guides.
  auto lx = [](double b) { return std::log10(std::abs(b)); };
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (const CheckRow &row : rows) {
    x0 = std::min(x0, lx(row.beta)), x1 = std::max(x1, lx(row.beta));
    y0 = std::min(y0, std::log10(row.relError));
    y1 = std::max(y1, std::log10(row.relError));
  }
  const CheckRow &ref =
      *std::min_element(rows.begin(), rows.end(), [&](auto &a, auto &b) {
        return std::abs(a.beta) < std::abs(b.beta);
      });
  double refY = std::log10(ref.relError), span = x1 - x0;
  y1 = std::max(y1, refY + 2 * span);
  x0 = std::floor(x0), x1 = std::ceil(x1) + (x1 == x0);
  y0 = std::floor(y0), y1 = std::ceil(y1) + (y1 == y0);
  auto px = [&](double x) {
    return left + (x - x0) / (x1 - x0) * (W - left - right);
  };
  auto py = [&](double y) {
    return top + (y1 - y) / (y1 - y0) * (H - top - bottom);
  };

  for (double x = x0; x <= x1; ++x)
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" "
                       "stroke=\"#ddd\"/><text x=\"{0}\" y=\"{3}\" "
                       "text-anchor=\"middle\">1e{4}</text>\n",
                       px(x), py(y1), py(y0), py(y0) + 18, int(x));
  for (double y = y0; y <= y1; ++y)
    svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                       "stroke=\"#ddd\"/><text x=\"{3}\" y=\"{4}\" "
                       "text-anchor=\"end\">1e{5}</text>\n",
                       px(x0), py(y), px(x1), px(x0) - 6, py(y) + 4, int(y));
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">|beta|"
                     "</text>\n<text x=\"16\" y=\"{}\" transform=\"rotate(-90 "
                     "16 {})\" text-anchor=\"middle\">relative error</text>\n",
                     (px(x0) + px(x1)) / 2, H - 8, (py(y0) + py(y1)) / 2,
                     (py(y0) + py(y1)) / 2);

  // Slope guides through the smallest β, then the measured errors.
  for (int slope : {1, 2})
    svg +=
        fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" "
                    "stroke=\"#999\" stroke-dasharray=\"4 3\"/>"
                    "<text x=\"{}\" y=\"{}\" fill=\"#777\">order {}</text>\n",
                    px(lx(ref.beta)), py(refY), px(x1),
                    py(refY + slope * (x1 - lx(ref.beta))), px(x1) - 60,
                    py(refY + slope * (x1 - lx(ref.beta))) - 4, slope);
  std::string path;
  for (const CheckRow &row : rows) {
    double x = px(lx(row.beta)), y = py(std::log10(row.relError));
    path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", x, y);
    svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" "
                       "fill=\"#1f5fa8\"/>\n",
                       x, y);
  }
  svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#1f5fa8\" "
                     "stroke-width=\"2\"/>\n",
                     path);
  if (!std::isnan(r.order))
    svg += fmt::format("<text x=\"{}\" y=\"{}\">observed order {:.2f}"
                       "</text>\n",
                       left + 10, top + 16, r.order);
  return svg + "</svg>\n";
}

} // namespace bilevel
