//===- ParamCheck.h - Checks parameter lists and numbers --------*- C++ -*-===//
//
// The checks that every block of sema shares: a call's `name = value`
// arguments against a table of ParamInfo, and integers against a range.
// Each reports at the offending value and returns false, leaving the
// output untouched for that value.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SEMA_PARAMCHECK_H
#define BILEVEL_SEMA_PARAMCHECK_H

#include "sema/Presets.h"
#include "support/Diagnostics.h"
#include "syntax/Ast.h"

namespace bilevel {

/// The largest integer a double holds exactly, 2^53.
constexpr double kMaxExactInteger = 9007199254740992.0;

/// Checks the arguments of \p call against \p table (unknown, duplicate,
/// mistyped or out-of-range ones are reported) and appends the valid ones
/// to \p out with their location. With \p addDefaults, every parameter of
/// the table that was not given follows with its default and no location.
/// \p owner names the call in messages: "method 'ep'", "rule 'ovr'".
bool checkParams(const ast::Value &call, const std::vector<ParamInfo> &table,
                 const std::string &owner, std::vector<MethodParam> &out,
                 DiagnosticEngine &diags, bool addDefaults = true);

/// Requires \p value to be an integer in [lo, hi] and stores it in \p out;
/// \p what names it in messages ("batch", "size of layer 'h'").
bool checkInteger(const ast::Value &value, const std::string &what, double lo,
                  double hi, int64_t &out, DiagnosticEngine &diags);

} // namespace bilevel

#endif // BILEVEL_SEMA_PARAMCHECK_H
