//===- Program.h - The nested (multilevel) program --------------*- C++ -*-===//
//
// The program of reformulation.md section 1, built from a validated Spec:
//
//   minimise_θ  ℓ(z_L; y)
//   subject to  z_k ∈ argmin_z E_k(z; a_k),  a_k = W_k z_{k-1} + b_k,
//               E_k(z; a) = G_k(z) − ⟨a, z⟩,  k = L, …, 1,   z_0 = x.
//
// With pre-activation states (predictive coding) the levels are
// u_k ∈ argmin ½‖u − W_k f_{k-1}(u_{k-1}) − b_k‖² and the loss is ℓ(f_L(u_L)).
//
// Each Level keeps its energy as an expression over its own state variable,
// so that rules (closed-form solution, relaxations) can inspect it. States
// and parameters are Var expressions of the program's Context.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_IR_PROGRAM_H
#define BILEVEL_IR_PROGRAM_H

#include "ir/Expr.h"

namespace bilevel::ir {

/// One lower level: state ∈ argmin_z energy(z), with energy written in
/// terms of the state variable itself.
struct Level {
  int k = 0;                    ///< layer index, 1-based
  std::string layerName;        ///< the user's name for the layer
  ActFn act;                    ///< f_k = ∇G_k*
  const Expr *state = nullptr;  ///< z_k (Var, Role::State)
  const Expr *input = nullptr;  ///< a_k = W_k z_{k-1} + b_k
  const Expr *energy = nullptr; ///< E_k(z_k; a_k), a Scalar
  const Expr *weight = nullptr; ///< W_k
  const Expr *bias = nullptr;   ///< b_k
  SourceLoc loc;
};

struct NestedProgram {
  std::string networkName;
  bilevel::Loss loss = bilevel::Loss::Mse;
  const Expr *x = nullptr;          ///< z_0, Batch[input]
  const Expr *y = nullptr;          ///< targets, Batch[output]
  const Expr *objective = nullptr;  ///< ℓ(z_L; y)
  std::vector<Level> levels;        ///< k = 1..L
  std::vector<const Expr *> params; ///< W1, b1, W2, b2, ... (ABI order)
  StateModel states = StateModel::PostActivation;

  const Level &top() const { return levels.back(); }
};

/// Builds the nested program of \p spec's network in \p ctx.
NestedProgram buildNestedProgram(Context &ctx, const Spec &spec);

} // namespace bilevel::ir

#endif // BILEVEL_IR_PROGRAM_H
