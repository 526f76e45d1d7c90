//===- Printer.h - Text, LaTeX and JSON forms of the IR ---------*- C++ -*-===//
//
// One printer serves every stage that shows expressions. Text uses Unicode
// math (W₁ x + b₁, ⊙, ⟨·,·⟩), LaTeX uses standard macros, JSON nests
// objects {"op": ..., "args": [...]} so tools can read stages back. Output
// is deterministic: no pointers, names come from the program or from Names.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_IR_PRINTER_H
#define BILEVEL_IR_PRINTER_H

#include "ir/Program.h"
#include "support/Format.h"

#include <nlohmann/json_fwd.hpp>

#include <iosfwd>

namespace bilevel::ir {

/// A display name such as a₂, z̄₃ (bar: an adjoint) or ∂W₁ (partial: a
/// parameter gradient).
struct Name {
  std::string base;
  int index = -1;
  bool bar = false;
  bool partial = false;

  /// A plain identifier: "a2", "zbar3", "dW1".
  std::string id() const;
};

/// Display names of shared intermediate nodes; a named node is printed by
/// its name wherever it occurs inside another expression.
using Names = std::map<const Expr *, Name>;

class Printer {
public:
  explicit Printer(Format format, const Names *names = nullptr)
      : format(format), names(names) {}

  /// \p e as text or LaTeX. When \p expand is set the root is printed in
  /// full even if it has a name (for the right-hand side of a binding).
  std::string expr(const Expr *e, bool expand = false) const;
  std::string name(const Name &n) const;
  /// A type as ℝ^{r×c} (text/LaTeX) or "matrix[r,c]".
  std::string type(const Type &t) const;
  /// The JSON form of \p e (named nodes become {"ref": id}).
  nlohmann::json json(const Expr *e, bool expand = false) const;

  /// The human name of a potential G_f, e.g. "½‖z‖² + ι(z ≥ 0)".
  std::string potentialDefinition(const ActFn &f) const;
  std::string actName(const ActFn &f) const;
  /// A subscript: ₁₂ in text, _{12} in LaTeX; "" for a negative index.
  std::string sub(int index) const;

private:
  std::string render(const Expr *e, int context, bool expand) const;
  std::string lossName(bilevel::Loss l) const;

  Format format;
  const Names *names;
};

/// Prints the nested program (stage `nested`).
void printNested(const NestedProgram &p, Format format, std::ostream &os);

} // namespace bilevel::ir

#endif // BILEVEL_IR_PRINTER_H
