//===- PrintUpdates.cpp - Printing the derived stages ---------------------===//
//
// The `eliminated` stage shows the single-level objective with the forward
// bindings it relies on; the `updates` stage adds the adjoints and the
// parameter gradients. Both print the same bindings so that a reader can
// follow one into the other.
//
//===----------------------------------------------------------------------===//
#include "derive/PrintUpdates.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>

namespace bilevel::derive {

namespace {

nlohmann::json bindingsJson(const ir::Printer &pr,
                            const std::vector<Binding> &bs) {
  nlohmann::json j = nlohmann::json::array();
  for (const Binding &b : bs)
    j.push_back({{"name", b.name.id()}, {"value", pr.json(b.value, true)}});
  return j;
}

void printBindings(const ir::Printer &pr, const std::vector<Binding> &bs,
                   Format format, std::ostream &os) {
  for (const Binding &b : bs) {
    if (format == Format::Latex)
      os << pr.name(b.name) << " &= " << pr.expr(b.value, true) << "\\\\\n";
    else
      os << "  " << pr.name(b.name) << " = " << pr.expr(b.value, true) << "\n";
  }
}

std::vector<Binding> gradientBindings(const ir::NestedProgram &p,
                                      const DerivedMethod &d) {
  std::vector<Binding> gs;
  for (size_t i = 0; i < p.params.size(); ++i)
    gs.push_back({ir::Name{p.params[i]->name, p.params[i]->index, false,
                           /*partial=*/true},
                  d.gradients[i]});
  return gs;
}

} // namespace

void printTrace(const DerivedMethod &d, std::ostream &os) {
  for (const std::string &line : d.trace)
    os << "rule " << line << "\n";
}

void printEliminated(const ir::NestedProgram &p, const DerivedMethod &d,
                     Format format, std::ostream &os) {
  rules::Bindings where;
  for (const Binding &b : d.forward)
    where.push_back({b.name, b.value});
  rules::printRelaxed(p, d.eliminated, format, os, "eliminated", &d.names,
                      where);
}

void printUpdates(const ir::NestedProgram &p, const DerivedMethod &d,
                  Format format, std::ostream &os) {
  ir::Printer pr(format, &d.names);
  std::vector<Binding> grads = gradientBindings(p, d);
  if (format == Format::Json) {
    nlohmann::json phases = nlohmann::json::array();
    for (const Phase &ph : d.phases) {
      nlohmann::json blocks = nlohmann::json::array();
      for (const BlockUpdate &u : ph.blocks)
        blocks.push_back({{"block", u.var->varId()},
                          {"form", u.form},
                          {"update", pr.json(u.update, true)}});
      phases.push_back({{"phase", ph.name}, {"blocks", blocks}});
    }
    nlohmann::json j = {{"stage", "updates"},
                        {"method", d.method},
                        {"forward", bindingsJson(pr, d.forward)},
                        {"inference", phases},
                        {"prediction", pr.json(d.prediction)},
                        {"loss", pr.json(d.loss, true)},
                        {"adjoints", bindingsJson(pr, d.adjoints)},
                        {"gradients", bindingsJson(pr, grads)}};
    os << j.dump(2) << "\n";
    return;
  }
  if (format == Format::Latex) {
    os << "% updates of method " << d.method << "\n\\begin{aligned}\n";
    printBindings(pr, d.forward, format, os);
    for (const Phase &ph : d.phases)
      for (const BlockUpdate &u : ph.blocks)
        os << pr.expr(u.var) << " &\\leftarrow " << pr.expr(u.update, true)
           << "\\\\\n";
    printBindings(pr, d.adjoints, format, os);
    printBindings(pr, grads, format, os);
    os << "\\end{aligned}\n";
    return;
  }
  os << "updates of method " << d.method << " (network " << p.networkName
     << ")\n\nforward"
     << (d.predictPhases.empty()
             ? " (also the test-time prediction " + pr.expr(d.prediction) + ")"
             : "")
     << "\n";
  printBindings(pr, d.forward, format, os);
  os << "\nloss\n  " << pr.expr(d.loss, true) << "\n";
  for (const Phase &ph : d.phases) {
    os << "\n" << ph.name << " (block updates)\n";
    for (const BlockUpdate &u : ph.blocks) {
      os << "  " << pr.expr(u.var) << " ← " << pr.expr(u.update, true)
         << "      [" << u.form;
      if (u.lipschitz)
        os << ", Λ = " << pr.expr(u.lipschitz);
      os << "]\n";
    }
  }
  os << "\nadjoints\n";
  printBindings(pr, d.adjoints, format, os);
  os << "\nparameter gradients\n";
  printBindings(pr, grads, format, os);
}

void printSchedule(const ir::NestedProgram &p, const DerivedMethod &d,
                   Format format, std::ostream &os) {
  // The schedule is a table of names, shown as text in every format.
  ir::Printer pr(Format::Text, &d.names);
  auto join = [&](const std::vector<std::string> &xs) {
    return fmt::format("{}", fmt::join(xs, ", "));
  };
  auto blockNames = [&](const Phase &ph) {
    std::vector<std::string> out;
    for (const BlockUpdate &u : ph.blocks)
      out.push_back(pr.expr(u.var) + (u.inner ? " (to convergence)" : ""));
    return out;
  };
  std::vector<std::string> fwd, grads;
  for (const Binding &b : d.forward)
    fwd.push_back(pr.name(b.name));
  for (const Expr *w : p.params)
    grads.push_back(pr.name(ir::Name{w->name, w->index, false, true}));

  if (format == Format::Json) {
    nlohmann::json phases = nlohmann::json::array();
    phases.push_back({{"phase", "forward"}, {"computes", fwd}, {"sweeps", 1}});
    for (const Phase &ph : d.phases)
      phases.push_back({{"phase", ph.name},
                        {"computes", blockNames(ph)},
                        {"order", d.eliminated.infer.order},
                        {"sweeps", ph.sweeps},
                        {"tol", ph.tol}});
    phases.push_back({{"phase", "update"}, {"computes", grads}});
    os << nlohmann::json({{"stage", "schedule"},
                          {"method", d.method},
                          {"phases", phases},
                          {"prediction", pr.expr(d.prediction)}})
              .dump(2)
       << "\n";
    return;
  }
  if (format == Format::Latex)
    os << "% schedule of method " << d.method << "\n\\begin{verbatim}\n";
  else
    os << "schedule of method " << d.method << "\n\n";
  int n = 0;
  os << "  phase " << ++n << "  forward     " << join(fwd)
     << "   (closed form, one pass, bottom-up)\n";
  for (const Phase &ph : d.phases)
    os << "  phase " << ++n << "  " << ph.name << "   " << join(blockNames(ph))
       << "   (" << d.eliminated.infer.order << " sweeps, at most " << ph.sweeps
       << ", stopping when a sweep moves the states by less "
       << "than " << ph.tol << " of their distance from the start; starts "
       << "from " << (ph.blocks.empty() ? "" : pr.expr(ph.blocks[0].init))
       << ")\n";
  os << "  phase " << ++n << "  update      " << join(grads)
     << "   → optimiser\n";
  if (d.phases.empty())
    os << "  inference: none, every level was eliminated in closed form\n";
  if (d.predictPhases.empty())
    os << "  test time: feed-forward prediction " << pr.expr(d.prediction)
       << "\n";
  else
    os << "  test time: the free phase from the feed-forward pass, "
          "prediction "
       << pr.expr(d.prediction) << "\n";
  if (format == Format::Latex)
    os << "\\end{verbatim}\n";
}

} // namespace bilevel::derive
