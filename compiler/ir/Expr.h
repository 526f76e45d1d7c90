//===- Expr.h - The symbolic expression IR ----------------------*- C++ -*-===//
//
// Every program the compiler reasons about (the nested program, its
// relaxations, the derived updates) is built from these expressions.
//
// Semantics every rule and pass relies on:
//  - Values are typed: Scalar, Vector[r] (a bias), Matrix[r, c] (a weight,
//    mapping R^c to R^r) or Batch[c] (a batch of N row vectors of width c;
//    N is symbolic and is the same for every Batch in one program).
//  - Linear(W, z) is the math W z applied to every sample (stored as z Wᵀ);
//    LinearT(W, v) is Wᵀ v per sample.
//  - Elementwise ops (Act, ActDeriv, Add, Sub, Mul, Scale, AddBias) act per
//    entry; AddBias broadcasts a Vector over the batch.
//  - Loss is the batch MEAN of the per-sample loss; LossGrad is its gradient
//    with respect to z, so it already carries the 1/N factor.
//  - Scalar-valued reductions (Loss, Potential, Conjugate, Inner, SqNorm)
//    sum over units and average over the batch, so that objectives are
//    per-sample means. Potential is Σ G(z), Conjugate Σ G*(a), SqNorm ½‖e‖².
//  - LossGrad carries 1/N when its `value` is 1 (the gradient of the mean)
//    and not when it is 0 (the per-sample gradient, used to derive block
//    updates); PerSample(e) is e/N.
//  - Scalars may also be runtime values: SpecNorm(W) is the spectral norm
//    ‖W‖₂ (by power iteration), Recip(s) is 1/s, and ScaleBy(s, e) scales a
//    batch by a scalar expression.
//  - ProxAct(f, w, κ) is the v solving ∇G(v) + κ v = w per entry, for the
//    potential G of f (f(w) when κ = 0): the prox step of G with weight κ.
//  - Gate(κ) with value L is κ when L·κ ≥ 1 and 0 otherwise: a prox weight
//    that vanishes when the fixed point is provably a contraction.
//  - A state variable's `tag` tells the copies made by relaxations apart:
//    "" (the original), "+" (the min copy), "-" (the max copy); a trailing
//    "°" marks the copy's value at the start of the last inference sweep.
//    `branch` numbers the independent relaxations of a centered rule.
//  - OuterSum(d, z) = Σ_n d_n z_nᵀ (a Matrix); ColSum(d) = Σ_n d_n (a
//    Vector). They are how parameter gradients leave the batch.
//  - Expressions are immutable and hash-consed by a Context: building the
//    same expression twice yields the same node, so shared subexpressions
//    (a forward state used by several gradients) are shared in the DAG.
//  - Every node remembers the SourceLoc of the spec construct it came from.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_IR_EXPR_H
#define BILEVEL_IR_EXPR_H

#include "sema/Spec.h"
#include "support/SourceLoc.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bilevel::ir {

struct Type {
  enum class Kind { Scalar, Vector, Matrix, Batch };
  Kind kind = Kind::Scalar;
  int64_t rows = 1; ///< Vector length, Matrix rows; 1 otherwise
  int64_t cols = 1; ///< Matrix columns, Batch width; 1 otherwise

  static Type scalar() { return {Kind::Scalar, 1, 1}; }
  static Type vector(int64_t r) { return {Kind::Vector, r, 1}; }
  static Type matrix(int64_t r, int64_t c) { return {Kind::Matrix, r, c}; }
  static Type batch(int64_t c) { return {Kind::Batch, 1, c}; }

  bool isBatch() const { return kind == Kind::Batch; }
  bool operator==(const Type &) const = default;
};

/// What a variable stands for.
enum class Role {
  State, ///< a block of hidden activations, one row per sample
  Param, ///< a trainable parameter (θ)
  Data,  ///< an input of the batch: x or y
};

enum class Op {
  Var,
  Const,
  Linear,
  LinearT,
  AddBias,
  Act,
  ActDeriv,
  Add,
  Sub,
  Mul,
  Scale,
  Loss,
  LossGrad,
  Potential,
  Conjugate,
  Inner,
  SqNorm,
  OuterSum,
  ColSum,
  PerSample,
  SpecNorm,
  Recip,
  ScaleBy,
  ProxAct,
  Gate,
};

/// The stable lower-case name of an op, used by printers and JSON.
const char *opName(Op op);

/// An elementwise activation together with its parameter (the leaky slope).
struct ActFn {
  Activation kind = Activation::Identity;
  double slope = 0.01;
  auto operator<=>(const ActFn &) const = default;
};

class Expr {
public:
  Op op;
  Type type;
  std::vector<const Expr *> args;

  // Attributes; which are meaningful depends on op.
  std::string name; ///< Var: base name ("W", "z", "x")
  int index = -1;   ///< Var: layer subscript, -1 for none
  std::string tag;  ///< Var: "", "+" or "-" (see the header comment)
  int branch = 0;   ///< Var: which relaxation of a centered rule
  Role role = Role::Data;
  double value = 0;                        ///< Const, and the factor of Scale
  ActFn act;                               ///< Act, ActDeriv, Potential
  bilevel::Loss loss = bilevel::Loss::Mse; ///< Loss, LossGrad

  SourceLoc loc;
  unsigned id = 0; ///< creation order within its Context: deterministic

  const Expr *arg(size_t i) const { return args[i]; }
  bool isConst(double v) const { return op == Op::Const && value == v; }
  bool isElementwise() const;
  /// The variable's printable identifier, e.g. "W1", "z2", "zp2", "x".
  std::string varId() const;
};

/// Owns expressions and builds them. The builders check types (a mismatch
/// is an internal error: sema has already checked the user's sizes), fold
/// trivial identities (x·1, x + 0, identity′ = 1) and hash-cons the result.
class Context {
public:
  Context();
  ~Context();
  Context(const Context &) = delete;
  Context &operator=(const Context &) = delete;

  const Expr *var(std::string name, int index, Role role, Type type,
                  SourceLoc loc = {});
  /// A copy of the state variable \p v with another tag and branch.
  const Expr *stateCopy(const Expr *v, std::string tag, int branch = 0);
  const Expr *constant(double v);
  const Expr *linear(const Expr *w, const Expr *z);
  const Expr *linearT(const Expr *w, const Expr *v);
  const Expr *addBias(const Expr *a, const Expr *b);
  const Expr *act(ActFn f, const Expr *a, SourceLoc loc = {});
  const Expr *actDeriv(ActFn f, const Expr *a);
  const Expr *add(const Expr *a, const Expr *b);
  const Expr *sub(const Expr *a, const Expr *b);
  const Expr *mul(const Expr *a, const Expr *b);
  const Expr *scale(double c, const Expr *a);
  const Expr *loss(bilevel::Loss kind, const Expr *z, const Expr *y,
                   SourceLoc loc = {});
  /// ∇_z ℓ, divided by N when \p mean (the gradient of the batch mean).
  const Expr *lossGrad(bilevel::Loss kind, const Expr *z, const Expr *y,
                       bool mean = true);
  const Expr *potential(ActFn f, const Expr *z);
  const Expr *conjugate(ActFn f, const Expr *a);
  const Expr *inner(const Expr *a, const Expr *b);
  const Expr *sqNorm(const Expr *e);
  const Expr *perSample(const Expr *e);
  const Expr *specNorm(const Expr *w);
  const Expr *recip(const Expr *s);
  const Expr *scaleBy(const Expr *s, const Expr *e);
  const Expr *proxAct(ActFn f, const Expr *w, const Expr *kappa);
  const Expr *gate(const Expr *kappa, double lipschitz);
  const Expr *outerSum(const Expr *d, const Expr *z);
  const Expr *colSum(const Expr *d);

  /// Rebuilds \p e with every occurrence of a key of \p subst replaced by
  /// its value (used to eliminate a solved lower level).
  const Expr *substitute(const Expr *e,
                         const std::map<const Expr *, const Expr *> &subst);

private:
  const Expr *intern(Expr e);

  std::vector<std::unique_ptr<Expr>> nodes;
  std::map<std::string, const Expr *> uniq;
};

/// True when \p e mentions the node \p v.
bool dependsOn(const Expr *e, const Expr *v);

/// The nodes reachable from \p roots, children before parents, in a
/// deterministic order. Nodes for which \p isLeaf holds are listed but not
/// entered.
std::vector<const Expr *>
topoOrder(const std::vector<const Expr *> &roots,
          const std::function<bool(const Expr *)> &isLeaf = {});

} // namespace bilevel::ir

#endif // BILEVEL_IR_EXPR_H
