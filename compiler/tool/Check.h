//===- Check.h - A method's gradient against back-propagation ---*- C++ -*-===//
//
// `bilevelc check` compiles the spec's method and back-propagation for the
// same network in float64, evaluates both gradients on one batch with the
// same parameters, and reports per β the relative error ‖g − g_BP‖/‖g_BP‖
// and the cosine, plus the observed order: the least-squares slope of
// log error against log β. Inference runs to a tight tolerance, so what is
// measured is the method, not an unconverged solver.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_TOOL_CHECK_H
#define BILEVEL_TOOL_CHECK_H

#include "support/Diagnostics.h"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace bilevel {

struct CheckRow {
  double beta = 0;
  double relError = 0;
  double cosine = 0;
  double residual = 0; ///< final inference residual of the method
  int sweeps = 0;      ///< inference sweeps the method used
};

struct CheckResult {
  std::string method;
  std::vector<CheckRow> rows;
  double order = 0; ///< slope of log error vs log β (NaN with < 2 rows)
};

/// One batch and one parameter set to compare gradients on.
struct CheckInput {
  std::vector<std::vector<double>> params; ///< in the model's layout
  std::vector<double> x, y;                ///< [n, in], [n, out]
  int64_t n = 0;
};

/// Compares the method of \p specPath (with \p overrides) at each β with
/// back-propagation. When \p input has no parameters, they are initialised
/// from the spec's seed and the batch is the first training batch of the
/// spec's data. Returns nullopt after reporting a problem.
std::optional<CheckResult> checkMethod(
    const std::string &specPath, const std::vector<std::string> &overrides,
    const std::vector<double> &betas, CheckInput input, SourceManager &sources,
    DiagnosticEngine &diags, std::string *error);

/// Least-squares slope of log(error) against log(β).
double observedOrder(const std::vector<CheckRow> &rows);

/// The table (text) or the JSON object of \p result.
void printCheck(const CheckResult &result, bool json, std::ostream &os);

/// An SVG plot of \p result: relative error against β on log-log axes, with
/// dashed guides of slope 1 and 2 through the smallest β.
std::string plotCheck(const CheckResult &result);

} // namespace bilevel

#endif // BILEVEL_TOOL_CHECK_H
