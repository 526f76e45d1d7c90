//===- Printer.cpp - Text, LaTeX and JSON forms of the IR -----------------===//
//
// Text and LaTeX share one recursive renderer with precedence levels (sums
// bind loosest, then products, then juxtaposed maps W z, then atoms), so
// parentheses appear exactly where the math needs them.
//
//===----------------------------------------------------------------------===//
#include "ir/Printer.h"

#include "support/Assert.h"
#include "support/Json.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ostream>
#include <set>

namespace bilevel::ir {

namespace {
enum Prec { Sum = 1, Product = 2, Apply = 3, Atom = 4 };

const char *activationId(Activation a) {
  switch (a) {
  case Activation::Identity:
    return "identity";
  case Activation::Relu:
    return "relu";
  case Activation::HardSigmoid:
    return "hard_sigmoid";
  case Activation::HardTanh:
    return "hard_tanh";
  case Activation::LeakyRelu:
    return "leaky_relu";
  case Activation::Sigmoid:
    return "sigmoid";
  case Activation::Tanh:
    return "tanh";
  case Activation::Softmax:
    return "softmax";
  }
  BL_UNREACHABLE("unknown activation");
}
} // namespace

std::string Name::id() const {
  std::string s = (partial ? "d" : "") + base + (bar ? "bar" : "");
  return index < 0 ? s : s + std::to_string(index);
}

std::string Printer::sub(int index) const {
  if (index < 0)
    return "";
  if (format == Format::Latex)
    return fmt::format("_{{{}}}", index);
  static const char *digits[] = {"₀", "₁", "₂", "₃", "₄",
                                 "₅", "₆", "₇", "₈", "₉"};
  std::string s;
  for (char c : std::to_string(index))
    s += digits[c - '0'];
  return s;
}

std::string Printer::name(const Name &n) const {
  if (format == Format::Latex)
    return (n.partial ? "\\partial " : "") +
           (n.bar ? "\\bar{" + n.base + "}" : n.base) + sub(n.index);
  return (n.partial ? "∂" : "") + n.base + (n.bar ? "\u0304" : "") +
         sub(n.index);
}

std::string Printer::actName(const ActFn &f) const {
  std::string id = activationId(f.kind);
  if (f.kind == Activation::LeakyRelu)
    id += fmt::format("[{}]", f.slope);
  if (format == Format::Latex)
    return "\\operatorname{" + latexEscape(id) + "}";
  return id;
}

std::string Printer::lossName(bilevel::Loss l) const {
  const char *tag = l == bilevel::Loss::Mse ? "mse" : "ce";
  if (format == Format::Latex)
    return fmt::format("\\ell_{{\\mathrm{{{}}}}}", tag);
  return fmt::format("ℓ_{}", tag);
}

std::string Printer::type(const Type &t) const {
  bool tex = format == Format::Latex;
  std::string R = tex ? "\\mathbb{R}" : "ℝ";
  switch (t.kind) {
  case Type::Kind::Scalar:
    return R;
  case Type::Kind::Vector:
    return fmt::format("{}^{{{}}}", R, t.rows);
  case Type::Kind::Matrix:
    return fmt::format("{}^{{{}{}{}}}", R, t.rows, tex ? "\\times " : "×",
                       t.cols);
  case Type::Kind::Batch:
    return fmt::format("{}^{{N{}{}}}", R, tex ? "\\times " : "×", t.cols);
  }
  BL_UNREACHABLE("unknown type kind");
}

std::string Printer::potentialDefinition(const ActFn &f) const {
  bool tex = format == Format::Latex;
  auto half = [&](const char *z) {
    return tex ? fmt::format("\\tfrac12\\|{}\\|^2", z)
               : fmt::format("½‖{}‖²", z);
  };
  auto box = [&](const char *set) {
    return tex ? fmt::format(" + \\iota_{{{}}}(z)", set)
               : fmt::format(" + ι_{}(z)", set);
  };
  switch (f.kind) {
  case Activation::Identity:
    return half("z");
  case Activation::Relu:
    return half("z") + box(tex ? "z\\ge 0" : "{z ≥ 0}");
  case Activation::HardSigmoid:
    return half("z") + box("[0,1]");
  case Activation::HardTanh:
    return half("z") + box("[-1,1]");
  case Activation::LeakyRelu:
    return tex ? fmt::format("\\tfrac12\\|z_+\\|^2 + \\tfrac{{1}}{{2\\cdot "
                             "{}}}\\|z_-\\|^2",
                             f.slope)
               : fmt::format("½‖z₊‖² + ‖z₋‖²/(2·{})", f.slope);
  case Activation::Sigmoid:
    return tex ? "\\sum_i z_i\\log z_i + (1-z_i)\\log(1-z_i)"
               : "Σᵢ zᵢ log zᵢ + (1−zᵢ) log(1−zᵢ)";
  case Activation::Tanh:
    return tex ? "\\sum_i \\tfrac{1+z_i}2\\log(1+z_i) + "
                 "\\tfrac{1-z_i}2\\log(1-z_i)"
               : "Σᵢ ((1+zᵢ)/2) log(1+zᵢ) + ((1−zᵢ)/2) log(1−zᵢ)";
  case Activation::Softmax:
    return tex ? "\\sum_i z_i\\log z_i + \\iota_{\\Delta}(z)"
               : "Σᵢ zᵢ log zᵢ + ι_Δ(z)";
  }
  BL_UNREACHABLE("unknown activation");
}

std::string Printer::expr(const Expr *e, bool expand) const {
  return render(e, 0, expand);
}

std::string Printer::render(const Expr *e, int context, bool expand) const {
  if (!expand && names) {
    auto it = names->find(e);
    if (it != names->end())
      return name(it->second);
  }
  bool tex = format == Format::Latex;
  auto r = [&](const Expr *a, int prec) { return render(a, prec, false); };
  auto wrap = [&](int prec, std::string s) {
    if (prec >= context)
      return s;
    return tex ? "\\left(" + s + "\\right)" : "(" + s + ")";
  };
  std::string T = tex ? "^\\top" : "ᵀ";
  std::string sumN = tex ? "\\textstyle\\sum_n " : "Σₙ ";

  switch (e->op) {
  case Op::Var: {
    bool snapshot = e->tag.ends_with("°");
    std::string sign = e->tag.substr(0, 1);
    std::string tag = e->tag.empty() ? ""
                      : tex          ? "^{" + sign + "}"
                      : sign == "+"  ? "⁺"
                                     : "⁻";
    std::string prime = e->branch ? (tex ? "'" : "′") : "";
    std::string sub = Printer::sub(e->index);
    return e->name + tag + prime + sub +
           (snapshot ? (tex ? "^{\\circ}" : "°") : "");
  }
  case Op::Const:
    return e->value < 0 ? wrap(Sum, fmt::format("{:.6g}", e->value))
                        : fmt::format("{:.6g}", e->value);
  case Op::Linear:
    return wrap(Apply, r(e->arg(0), Atom) + " " + r(e->arg(1), Apply + 1));
  case Op::LinearT:
    return wrap(Apply, r(e->arg(0), Atom) + T + " " + r(e->arg(1), Apply + 1));
  case Op::AddBias:
  case Op::Add:
  case Op::Sub: {
    // a + (−c)·b prints as a − c·b, and a − (−c)·b as a + c·b.
    const Expr *b = e->arg(1);
    bool minus = e->op == Op::Sub;
    std::string rhs;
    if (b->op == Op::Scale && b->value < 0 && !(names && names->count(b))) {
      minus = !minus;
      rhs = wrap(Product, fmt::format("{:.6g}", -b->value) +
                              (tex ? "\\," : "·") + r(b->arg(0), Product + 1));
    } else {
      rhs = r(b, minus ? Sum + 1 : Sum);
    }
    return wrap(Sum, r(e->arg(0), Sum) +
                         (minus ? (tex ? " - " : " − ") : " + ") + rhs);
  }
  case Op::Mul:
    return wrap(Product, r(e->arg(0), Product) + (tex ? " \\odot " : " ⊙ ") +
                             r(e->arg(1), Product + 1));
  case Op::Scale:
    return wrap(Product, fmt::format("{:.6g}", e->value) + (tex ? "\\," : "·") +
                             r(e->arg(0), Product + 1));
  case Op::Act:
    return actName(e->act) + (tex ? "\\left(" : "(") + r(e->arg(0), 0) +
           (tex ? "\\right)" : ")");
  case Op::ActDeriv:
    return actName(e->act) + (tex ? "'\\left(" : "′(") + r(e->arg(0), 0) +
           (tex ? "\\right)" : ")");
  case Op::Loss:
    return lossName(e->loss) + (tex ? "\\left(" : "(") + r(e->arg(0), 0) +
           "; " + r(e->arg(1), 0) + (tex ? "\\right)" : ")");
  case Op::LossGrad:
    return (tex ? "\\nabla " : "∇") + lossName(e->loss) +
           (tex ? "\\left(" : "(") + r(e->arg(0), 0) + "; " + r(e->arg(1), 0) +
           (tex ? "\\right)" : ")");
  case Op::Potential:
    return (tex ? "G_{" + actName(e->act) + "}\\left("
                : "G_" + actName(e->act) + "(") +
           r(e->arg(0), 0) + (tex ? "\\right)" : ")");
  case Op::Conjugate:
    return (tex ? "G^*_{" + actName(e->act) + "}\\left("
                : "G*_" + actName(e->act) + "(") +
           r(e->arg(0), 0) + (tex ? "\\right)" : ")");
  case Op::SqNorm:
    return tex ? "\\tfrac12\\left\\|" + r(e->arg(0), 0) + "\\right\\|^2"
               : "½‖" + r(e->arg(0), 0) + "‖²";
  case Op::PerSample:
    return wrap(Product, r(e->arg(0), Product) + (tex ? " / N" : " / N"));
  case Op::SpecNorm:
    return tex ? "\\|" + r(e->arg(0), 0) + "\\|_2"
               : "‖" + r(e->arg(0), 0) + "‖₂";
  case Op::Recip:
    return tex ? "\\frac{1}{" + r(e->arg(0), 0) + "}"
               : wrap(Product, "1/" + r(e->arg(0), Atom));
  case Op::Gate:
    return tex ? fmt::format("\\left[{0}\\right]_{{\\ge {1:.6g}}}",
                             r(e->arg(0), 0), 1 / e->value)
               : fmt::format("[{}]≥{:.6g}", r(e->arg(0), 0), 1 / e->value);
  case Op::ProxAct:
    return (tex ? "\\left(\\nabla G_{" + actName(e->act) + "} + " +
                      r(e->arg(1), Product) + "\\right)^{-1}\\left("
                : "(∇G_" + actName(e->act) + " + " + r(e->arg(1), Product) +
                      ")⁻¹(") +
           r(e->arg(0), 0) + (tex ? "\\right)" : ")");
  case Op::ScaleBy:
    return wrap(Product, r(e->arg(0), Product) + (tex ? "\\," : "·") +
                             r(e->arg(1), Product + 1));
  case Op::Inner:
    return (tex ? "\\left\\langle " : "⟨") + r(e->arg(0), 0) + ", " +
           r(e->arg(1), 0) + (tex ? "\\right\\rangle" : "⟩");
  case Op::OuterSum:
    return wrap(Apply, sumN + r(e->arg(0), Apply + 1) + " " +
                           r(e->arg(1), Apply + 1) + T);
  case Op::ColSum:
    return wrap(Apply, sumN + r(e->arg(0), Apply + 1));
  }
  BL_UNREACHABLE("unknown op");
}

nlohmann::json Printer::json(const Expr *e, bool expand) const {
  if (!expand && names) {
    auto it = names->find(e);
    if (it != names->end())
      return {{"ref", it->second.id()}};
  }
  nlohmann::json j;
  j["op"] = opName(e->op);
  switch (e->op) {
  case Op::Var:
    j["name"] = e->varId();
    if (!e->tag.empty())
      j["tag"] = e->tag;
    j["role"] = e->role == Role::Param   ? "param"
                : e->role == Role::State ? "state"
                                         : "data";
    break;
  case Op::Const:
  case Op::Scale:
    j["value"] = e->value;
    break;
  case Op::Act:
  case Op::ActDeriv:
  case Op::Potential:
  case Op::Conjugate:
  case Op::ProxAct:
    j["activation"] = activationId(e->act.kind);
    if (e->act.kind == Activation::LeakyRelu)
      j["slope"] = e->act.slope;
    break;
  case Op::Loss:
  case Op::LossGrad:
    j["loss"] = e->loss == bilevel::Loss::Mse ? "mse" : "softmax_cross_entropy";
    break;
  default:
    break;
  }
  const Type &t = e->type;
  switch (t.kind) {
  case Type::Kind::Scalar:
    j["type"] = "scalar";
    break;
  case Type::Kind::Vector:
    j["type"] = fmt::format("vector[{}]", t.rows);
    break;
  case Type::Kind::Matrix:
    j["type"] = fmt::format("matrix[{},{}]", t.rows, t.cols);
    break;
  case Type::Kind::Batch:
    j["type"] = fmt::format("batch[{}]", t.cols);
    break;
  }
  if (!e->args.empty()) {
    nlohmann::json args = nlohmann::json::array();
    for (const Expr *a : e->args)
      args.push_back(json(a));
    j["args"] = args;
  }
  return j;
}

void printNested(const NestedProgram &p, Format format, std::ostream &os) {
  Printer pr(format);
  if (format == Format::Json) {
    nlohmann::json j;
    j["stage"] = "nested";
    j["network"] = p.networkName;
    j["objective"] = pr.json(p.objective);
    nlohmann::json levels = nlohmann::json::array();
    for (auto it = p.levels.rbegin(); it != p.levels.rend(); ++it) {
      levels.push_back({{"layer", it->layerName},
                        {"k", it->k},
                        {"state", pr.json(it->state)},
                        {"energy", pr.json(it->energy)},
                        {"input", pr.json(it->input)}});
    }
    j["constraints"] = levels;
    nlohmann::json params = nlohmann::json::array();
    for (const Expr *w : p.params)
      params.push_back(pr.json(w));
    j["params"] = params;
    os << j.dump(2) << "\n";
    return;
  }

  bool tex = format == Format::Latex;
  if (tex) {
    os << "% nested program of network " << latexEscape(p.networkName)
       << "\n\\begin{aligned}\n";
    os << "&\\min_{\\theta}\\; " << pr.expr(p.objective) << "\\\\\n";
    os << "&\\text{s.t.}\\\\\n";
    for (auto it = p.levels.rbegin(); it != p.levels.rend(); ++it)
      os << "&\\quad " << pr.expr(it->state) << " \\in \\arg\\min_{"
         << pr.expr(it->state) << "}\\; " << pr.expr(it->energy) << " &&G_{"
         << pr.actName(it->act) << "}(z) = " << pr.potentialDefinition(it->act)
         << "\\\\\n";
    os << "&\\quad z_{0} = x\n\\end{aligned}\n";
    return;
  }

  os << "nested program of network " << p.networkName << "\n\n";
  os << "minimise over θ   " << pr.expr(p.objective) << "\n";
  os << "subject to\n";
  for (auto it = p.levels.rbegin(); it != p.levels.rend(); ++it)
    os << "  " << pr.expr(it->state) << " ∈ argmin  " << pr.expr(it->energy)
       << "      [" << it->layerName << "]\n";
  os << "  z₀ = x\n\n";
  os << "potentials\n";
  std::set<std::string> seen;
  for (const Level &lv : p.levels) {
    std::string line =
        "  G_" + pr.actName(lv.act) + "(z) = " + pr.potentialDefinition(lv.act);
    if (seen.insert(line).second)
      os << line << "\n";
  }
  os << "\nvariables\n";
  os << "  data    x ∈ " << pr.type(p.x->type) << ", y ∈ " << pr.type(p.y->type)
     << "\n";
  os << "  states ";
  for (const Level &lv : p.levels)
    os << " " << pr.expr(lv.state) << " ∈ " << pr.type(lv.state->type)
       << (lv.k == p.top().k ? "\n" : ",");
  os << "  θ      ";
  for (size_t i = 0; i < p.params.size(); ++i)
    os << " " << pr.expr(p.params[i]) << " ∈ " << pr.type(p.params[i]->type)
       << (i + 1 == p.params.size() ? "\n" : ",");
}

} // namespace bilevel::ir
