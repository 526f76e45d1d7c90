//===- Derive.h - From a program to its updates -----------------*- C++ -*-===//
//
// The derivation layer turns a (reformulated) program into what generated
// code computes: the forward states, the loss, and the parameter update
// direction. Everything is derived on the expression IR:
//
//  - solveArgmin recognises a lower level whose minimiser has a closed form
//    (G(z) − ⟨a, z⟩ is minimised by ∇G*(a) = f(a));
//  - reverseMode differentiates a scalar objective with respect to chosen
//    variables by the vector-Jacobian rules of each op;
//  - deriveMethod chains the rules that a method names (for `bp`: solve
//    every level in closed form, then reverse-mode differentiation of the
//    resulting single-level objective, which is reformulation.md §4.6).
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_DERIVE_DERIVE_H
#define BILEVEL_DERIVE_DERIVE_H

#include "ir/Printer.h"
#include "ir/Program.h"

namespace bilevel::derive {

using ir::Context;
using ir::Expr;

/// The closed-form minimiser of \p energy over the variable \p z, or
/// nullptr with \p reason set when the energy has no recognised form.
const Expr *solveArgmin(Context &ctx, const Expr *energy, const Expr *z,
                        std::string *reason);

/// Gradients of the scalar \p root with respect to each of \p wrt, by
/// reverse-mode differentiation over the DAG. \p adjoints, when given,
/// receives the adjoint of every intermediate node that reaches \p wrt.
std::vector<const Expr *>
reverseMode(Context &ctx, const Expr *root,
            const std::vector<const Expr *> &wrt,
            std::map<const Expr *, const Expr *> *adjoints = nullptr);

/// A named intermediate value of a derived method (a forward state, an
/// adjoint), printed as a binding in the `updates` stage.
struct Binding {
  ir::Name name;
  const Expr *value = nullptr;
};

/// Everything a derived method computes, as expressions over the
/// parameters and the batch (x, y).
struct DerivedMethod {
  std::string method;
  std::vector<std::string> trace;      ///< one line per rule application
  const Expr *objective = nullptr;     ///< single-level objective (eliminated)
  std::vector<Binding> forward;        ///< a_k, z_k of the feed-forward pass
  const Expr *prediction = nullptr;    ///< test-time output z_L
  const Expr *loss = nullptr;          ///< batch-mean loss at the prediction
  std::vector<Binding> adjoints;       ///< shared intermediate adjoints
  std::vector<const Expr *> gradients; ///< parallel to program.params
  ir::Names names;                     ///< display names of shared nodes
};

/// Derives \p method for \p program. Throws CompileError (at the method's
/// location) when a rule the method needs cannot apply.
DerivedMethod deriveMethod(Context &ctx, const ir::NestedProgram &program,
                           const MethodSpec &method);

} // namespace bilevel::derive

#endif // BILEVEL_DERIVE_DERIVE_H
