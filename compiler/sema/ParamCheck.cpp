//===- ParamCheck.cpp - Checks parameter lists and numbers ----------------===//
//
// Shared by the checks of networks, methods, recipes and training blocks, so
// that a parameter reads the same wherever it is written.
//
//===----------------------------------------------------------------------===//
#include "sema/ParamCheck.h"

#include "syntax/AstPrinter.h"

#include <cmath>
#include <map>

namespace bilevel {

namespace {

bool checkParamValue(const ast::Arg &arg, const ParamInfo &info, double &out,
                     DiagnosticEngine &diags) {
  const ast::Value &value = arg.value;
  if (info.type == ParamType::Bool) {
    if (value.isName() && (value.text == "true" || value.text == "false")) {
      out = value.text == "true" ? 1 : 0;
      return true;
    }
    diags.error(value.loc, arg.name + " must be true or false, got " +
                               valueToString(value));
    return false;
  }

  if (value.kind != ast::Value::Kind::Number) {
    diags.error(value.loc,
                arg.name + " must be a number, got " + valueToString(value));
    return false;
  }
  if (info.type == ParamType::Integer) {
    int64_t integer = 0;
    if (!checkInteger(value, arg.name, info.lo, kMaxExactInteger, integer,
                      diags))
      return false;
    out = double(integer);
    return true;
  }
  if (!info.inRange(value.number)) {
    diags.error(value.loc, arg.name + " must be " + info.rangeText() +
                               ", got " + value.text);
    return false;
  }
  out = value.number;
  return true;
}

} // namespace

bool checkParams(const ast::Value &call, const std::vector<ParamInfo> &table,
                 const std::string &owner, std::vector<MethodParam> &out,
                 DiagnosticEngine &diags, bool addDefaults) {
  bool ok = true;
  std::map<std::string, const ast::Arg *> given;
  for (const ast::Arg &arg : call.args) {
    const ParamInfo *info = nullptr;
    for (const ParamInfo &candidate : table)
      if (candidate.name == arg.name)
        info = &candidate;

    if (!info && arg.name == "centered" && call.text == "chl") {
      diags.error(arg.loc, "method 'chl' has no centered variant");
      diags.note(arg.loc, "centering averages +beta and -beta nudges, and "
                          "chl clamps the output instead; 'centered' "
                          "applies to " +
                              std::string(centeredPresetNames()));
    } else if (!info && table.empty()) {
      diags.error(arg.loc, owner + " takes no parameters");
      if (call.text == "bp")
        diags.note(arg.loc, "bp is exact back-propagation; pick another "
                            "preset to set parameters, as in "
                            "'method fenchel_bp(beta = 0.1)'");
      else
        diags.note(arg.loc, "remove the parenthesised list");
    } else if (!info) {
      diags.error(arg.loc, "unknown parameter '" + arg.name + "' for " + owner);
      diags.note(arg.loc, owner + " takes: " + joinNames(table));
    } else if (auto [it, fresh] = given.emplace(arg.name, &arg); !fresh) {
      diags.error(arg.loc, "duplicate parameter '" + arg.name + "'");
      diags.note(it->second->loc, "first given here");
    } else {
      double value = 0;
      if (checkParamValue(arg, *info, value, diags)) {
        out.push_back({arg.name, value, arg.loc});
        continue;
      }
    }
    ok = false;
  }

  if (!addDefaults)
    return ok;
  for (const ParamInfo &info : table)
    if (!given.count(std::string(info.name)))
      out.push_back({std::string(info.name), info.defaultValue, {}});
  return ok;
}

bool checkInteger(const ast::Value &value, const std::string &what, double lo,
                  double hi, int64_t &out, DiagnosticEngine &diags) {
  if (value.kind != ast::Value::Kind::Number) {
    diags.error(value.loc,
                what + " must be an integer, got " + valueToString(value));
    return false;
  }
  double number = value.number;
  if (std::floor(number) != number) {
    diags.error(value.loc, what + " must be an integer, got " + value.text);
    return false;
  }
  if (number < lo) {
    std::string bound = lo == 1 ? "> 0" : ">= " + std::to_string(int64_t(lo));
    diags.error(value.loc, what + " must be " + bound + ", got " + value.text);
    return false;
  }
  if (number > hi) {
    diags.error(value.loc, what + " must be at most " +
                               std::to_string(int64_t(hi)) + ", got " +
                               value.text);
    return false;
  }
  out = int64_t(number);
  return true;
}

} // namespace bilevel
