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
#include "rules/Rules.h"

namespace bilevel::derive {

using ir::Context;
using ir::Expr;

/// Gradients of the scalar \p root with respect to each of \p wrt, by
/// reverse-mode differentiation over the DAG. \p adjoints, when given,
/// receives the adjoint of every intermediate node that reaches \p wrt.
/// With \p mean the batch-mean objective is differentiated (gradients carry
/// 1/N); without, the per-sample one (for deriving state updates, which
/// are per sample).
std::vector<const Expr *> reverseMode(
    Context &ctx, const Expr *root, const std::vector<const Expr *> &wrt,
    std::map<const Expr *, const Expr *> *adjoints = nullptr, bool mean = true);

/// A named intermediate value of a derived method (a forward state, an
/// adjoint), printed as a binding in the `updates` stage.
struct Binding {
  ir::Name name;
  const Expr *value = nullptr;
};

/// The derived update of one state block: inference replaces the block's
/// value by `update` (an expression over the block itself and the others).
struct BlockUpdate {
  const Expr *var = nullptr;
  const Expr *init = nullptr;      ///< value before the first sweep
  const Expr *update = nullptr;    ///< the fixed-point map v ← F(v)
  std::string form;                ///< "fixed point", "prox-gradient", ...
  const Expr *lipschitz = nullptr; ///< Λ of a prox-gradient step
  /// The map depends on the block itself only through cheap elementwise
  /// work (e.g. the loss gradient of the output block): it is iterated to
  /// convergence within each sweep.
  bool inner = false;
};

/// A stage of inference: sweeps over its blocks in order until the
/// relative change of the states falls below tol.
struct Phase {
  std::string name;
  std::vector<BlockUpdate> blocks;
  /// (block, snapshot): copies taken at the start of every sweep, read by
  /// the parameter gradient (see Method.cpp).
  std::vector<std::pair<const Expr *, const Expr *>> snapshots;
  int64_t sweeps = 1;
  double tol = 0;
};

/// Everything a derived method computes, as expressions over the
/// parameters and the batch (x, y).
struct DerivedMethod {
  std::string method;
  std::vector<std::string> trace;   ///< one line per rule application
  rules::RelaxedProgram relaxed;    ///< before the eliminations
  rules::RelaxedProgram eliminated; ///< after every rule
  const Expr *objective = nullptr;  ///< single-level objective (branch 1)
  std::vector<Binding> forward;     ///< a_k, z_k of the feed-forward pass
  const Expr *prediction = nullptr; ///< test-time output
  /// Inference that test-time prediction runs first (the free phase of a
  /// collapsed energy); empty when the prediction is the feed-forward pass.
  std::vector<Phase> predictPhases;
  const Expr *loss = nullptr;          ///< batch-mean loss at the prediction
  std::vector<Phase> phases;           ///< inference, in order
  std::vector<Binding> adjoints;       ///< shared intermediate adjoints
  std::vector<const Expr *> gradients; ///< parallel to program.params
  ir::Names names;                     ///< display names of shared nodes
};

/// Derives \p spec's method for \p program: expands the method into its
/// recipe, applies the rules, derives each block's update and the
/// parameter gradient (Danskin: the gradient of the relaxed objective at
/// the inferred states). Throws CompileError when a rule cannot apply.
/// \p tighter, when given, replaces the sweep cap and tolerance of
/// iterative inference (not of single-sweep methods such as Fenchel BP):
/// `check` uses it to compare converged states.
DerivedMethod deriveMethod(Context &ctx, const ir::NestedProgram &program,
                           const Spec &spec,
                           const InferSpec *tighter = nullptr);

/// Derives the update of block \p blk of \p branch (exposed for tests).
BlockUpdate deriveBlockUpdate(Context &ctx, const rules::Branch &branch,
                              const rules::Block &blk, const std::string &mode,
                              SourceLoc loc);

/// A bound on the Lipschitz constant of \p e as a function of \p v, as a
/// scalar expression (with spectral norms of weights), or nullptr when no
/// bound is derived.
const Expr *lipschitzBound(Context &ctx, const Expr *e, const Expr *v);

} // namespace bilevel::derive

#endif // BILEVEL_DERIVE_DERIVE_H
