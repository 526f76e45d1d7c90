//===- PrintRelaxed.cpp - The `relaxed` stage -----------------------------===//
//
// Prints the recipe the method stands for (a preset written out), then for
// each branch the saddle objective: the min and max blocks and one line per
// term with the rule it came from.
//
//===----------------------------------------------------------------------===//
#include "rules/Rules.h"

#include "ir/Printer.h"
#include "support/Json.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>

namespace bilevel::rules {

using ir::Op;

namespace {

std::string blockList(const ir::Printer &pr, const Branch &b, bool max) {
  std::vector<std::string> names;
  for (const Block &blk : b.blocks)
    if (blk.maximised == max)
      names.push_back(pr.expr(blk.var));
  return names.empty() ? "" : fmt::format("{}", fmt::join(names, ", "));
}

} // namespace

void printRelaxed(const ir::NestedProgram &p, const RelaxedProgram &r,
                  Format format, std::ostream &os, const std::string &stage,
                  const ir::Names *names, const Bindings &where) {
  ir::Printer pr(format, names);
  if (format == Format::Json) {
    nlohmann::json branches = nlohmann::json::array();
    for (const Branch &b : r.branches) {
      nlohmann::json terms = nlohmann::json::array();
      for (const Term &t : b.terms)
        terms.push_back({{"origin", t.origin}, {"expr", pr.json(t.expr)}});
      nlohmann::json blocks = nlohmann::json::array();
      for (const Block &blk : b.blocks)
        blocks.push_back({{"var", blk.var->varId()},
                          {"sense", blk.maximised ? "max" : "min"},
                          {"layer", blk.layer}});
      branches.push_back({{"weight", b.weight},
                          {"beta_sign", b.betaSign},
                          {"blocks", blocks},
                          {"terms", terms}});
    }
    nlohmann::json defs = nlohmann::json::array();
    for (const auto &[name, value] : where)
      defs.push_back({{"name", name.id()}, {"value", pr.json(value, true)}});
    os << nlohmann::json({{"stage", stage},
                          {"method", r.method},
                          {"recipe", r.recipe},
                          {"rules", r.trace},
                          {"branches", branches},
                          {"where", defs}})
              .dump(2)
       << "\n";
    return;
  }

  bool tex = format == Format::Latex;
  os << (tex ? "% " : "") << stage << " program of method " << r.method
     << " (network " << p.networkName << ")\n";
  os << (tex ? "% " : "") << "recipe:\n";
  for (const std::string &line : r.recipe)
    os << (tex ? "%   " : "  ") << line << "\n";
  if (tex)
    os << "\\begin{aligned}\n";
  else
    os << "\n";
  for (size_t i = 0; i < r.branches.size(); ++i) {
    const Branch &b = r.branches[i];
    std::string mins = blockList(pr, b, false), maxs = blockList(pr, b, true);
    if (r.branches.size() > 1)
      os << (tex ? "&\\text{branch " : "branch ") << i + 1 << ", weight "
         << b.weight << (b.betaSign < 0 ? ", β → −β" : "")
         << (tex ? "}\\\\\n" : "\n");
    if (tex)
      os << "&\\min_{" << (mins.empty() ? "\\theta" : mins) << "}"
         << (maxs.empty() ? "" : "\\max_{" + maxs + "}") << "\\;\\\\\n";
    else
      os << "minimise over θ" << (mins.empty() ? "" : ", " + mins)
         << (maxs.empty() ? "" : "   maximise over " + maxs) << "\n";
    for (size_t t = 0; t < b.terms.size(); ++t) {
      const Term &term = b.terms[t];
      // A negative weight reads better as a subtraction.
      std::string sign = t ? "+ " : (tex ? "" : "  ");
      std::string body = pr.expr(term.expr);
      if (t && term.expr->op == Op::Scale && term.expr->value < 0) {
        const Expr *inner = term.expr->arg(0);
        bool sum = inner->op == Op::Add || inner->op == Op::Sub;
        sign = tex ? "- " : "− ";
        body = fmt::format("{:.6g}", -term.expr->value) + (tex ? "\\," : "·") +
               (sum ? (tex ? "\\left(" : "(") : "") + pr.expr(inner) +
               (sum ? (tex ? "\\right)" : ")") : "");
      }
      if (tex)
        os << "&\\quad " << sign << body << " &&\\text{"
           << latexEscape(term.origin) << "}\\\\\n";
      else
        os << "   " << sign << body << "      [" << term.origin << "]\n";
    }
    if (!tex && i + 1 < r.branches.size())
      os << "\n";
  }
  if (!where.empty())
    os << (tex ? "&\\text{where}\\\\\n" : "\nwhere\n");
  for (const auto &[name, value] : where)
    os << (tex ? "&\\quad " : "  ") << pr.name(name) << (tex ? " = " : " = ")
       << pr.expr(value, true) << (tex ? "\\\\\n" : "\n");
  if (tex)
    os << "\\end{aligned}\n";
}

} // namespace bilevel::rules
