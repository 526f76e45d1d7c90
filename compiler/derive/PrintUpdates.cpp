//===- PrintUpdates.cpp - Printing the derived stages ---------------------===//
//
// The `eliminated` stage shows the single-level objective with the forward
// bindings it relies on; the `updates` stage adds the adjoints and the
// parameter gradients. Both print the same bindings so that a reader can
// follow one into the other.
//
//===----------------------------------------------------------------------===//
#include "derive/PrintUpdates.h"

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
  ir::Printer pr(format, &d.names);
  if (format == Format::Json) {
    nlohmann::json j = {{"stage", "eliminated"},
                        {"method", d.method},
                        {"objective", pr.json(d.objective)},
                        {"where", bindingsJson(pr, d.forward)},
                        {"rules", d.trace}};
    os << j.dump(2) << "\n";
    return;
  }
  if (format == Format::Latex) {
    os << "% single-level objective of method " << d.method
       << "\n\\begin{aligned}\n\\min_\\theta\\; &" << pr.expr(d.objective)
       << "\\\\\n\\text{where}\\quad\n";
    printBindings(pr, d.forward, format, os);
    os << "\\end{aligned}\n";
    return;
  }
  os << "single-level objective of method " << d.method << " (network "
     << p.networkName << ")\n\n";
  os << "minimise over θ   " << pr.expr(d.objective) << "\nwhere\n";
  printBindings(pr, d.forward, format, os);
}

void printUpdates(const ir::NestedProgram &p, const DerivedMethod &d,
                  Format format, std::ostream &os) {
  ir::Printer pr(format, &d.names);
  std::vector<Binding> grads = gradientBindings(p, d);
  if (format == Format::Json) {
    nlohmann::json j = {{"stage", "updates"},
                        {"method", d.method},
                        {"forward", bindingsJson(pr, d.forward)},
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
    printBindings(pr, d.adjoints, format, os);
    printBindings(pr, grads, format, os);
    os << "\\end{aligned}\n";
    return;
  }
  os << "updates of method " << d.method << " (network " << p.networkName
     << ")\n\nforward (also the test-time prediction " << pr.expr(d.prediction)
     << ")\n";
  printBindings(pr, d.forward, format, os);
  os << "\nloss\n  " << pr.expr(d.loss, true) << "\n\nadjoints\n";
  printBindings(pr, d.adjoints, format, os);
  os << "\nparameter gradients\n";
  printBindings(pr, grads, format, os);
}

void printSchedule(const ir::NestedProgram &p, const DerivedMethod &d,
                   Format format, std::ostream &os) {
  // The schedule is a table of names, shown as text in every format.
  ir::Printer pr(Format::Text, &d.names);
  auto names = [&](const std::vector<Binding> &bs) {
    std::vector<std::string> out;
    for (const Binding &b : bs)
      out.push_back(pr.name(b.name));
    return out;
  };
  std::vector<std::string> grads;
  for (const Expr *w : p.params)
    grads.push_back(pr.name(ir::Name{w->name, w->index, false, true}));

  if (format == Format::Json) {
    nlohmann::json phases = nlohmann::json::array();
    phases.push_back({{"phase", "forward"},
                      {"computes", names(d.forward)},
                      {"iterations", 1}});
    phases.push_back({{"phase", "backward"},
                      {"computes", names(d.adjoints)},
                      {"iterations", 1}});
    phases.push_back({{"phase", "update"}, {"computes", grads}});
    os << nlohmann::json({{"stage", "schedule"},
                          {"method", d.method},
                          {"phases", phases},
                          {"inference", "none"},
                          {"prediction", pr.expr(d.prediction)}})
              .dump(2)
       << "\n";
    return;
  }
  auto join = [&](const std::vector<std::string> &xs) {
    std::string s;
    for (size_t i = 0; i < xs.size(); ++i)
      s += (i ? ", " : "") + xs[i];
    return s;
  };
  if (format == Format::Latex)
    os << "% schedule of method " << d.method << "\n\\begin{verbatim}\n";
  else
    os << "schedule of method " << d.method << "\n\n";
  os << "  phase 1  forward   " << join(names(d.forward))
     << "   (closed form, one pass, bottom-up)\n";
  os << "  phase 2  backward  " << join(names(d.adjoints))
     << "   (closed form, one pass, top-down)\n";
  os << "  phase 3  update    " << join(grads) << "   → optimiser\n";
  os << "  inference: none, every level was eliminated in closed form\n";
  os << "  test time: feed-forward prediction " << pr.expr(d.prediction)
     << "\n";
  if (format == Format::Latex)
    os << "\\end{verbatim}\n";
}

} // namespace bilevel::derive
