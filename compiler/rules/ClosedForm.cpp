//===- ClosedForm.cpp - Lower levels with a closed-form minimiser ---------===//
//
// A level z ∈ argmin_z G(z) − ⟨a, z⟩ with a independent of z is solved by
// the stationarity condition ∇G(z) = a, i.e. z = (∇G)⁻¹(a) = ∇G*(a) = f(a):
// the activation is by construction the gradient of the potential's
// conjugate (reformulation.md §1). Recognising this form, rather than
// assuming it, lets a rule refuse when a relaxation has changed the energy.
//
//===----------------------------------------------------------------------===//
#include "rules/Rules.h"

#include "support/Assert.h"

namespace bilevel::rules {

using ir::Op;

const Expr *solveArgmin(Context &ctx, const Expr *energy, const Expr *z,
                        std::string *reason) {
  // Fenchel form: Potential(f, z) − Inner(a, z), a free of z.
  if (energy->op == Op::Sub && energy->arg(0)->op == Op::Potential &&
      energy->arg(0)->arg(0) == z && energy->arg(1)->op == Op::Inner) {
    const Expr *in = energy->arg(1);
    const Expr *a = in->arg(1) == z   ? in->arg(0)
                    : in->arg(0) == z ? in->arg(1)
                                      : nullptr;
    if (a && !ir::dependsOn(a, z))
      return ctx.act(energy->arg(0)->act, a);
    if (reason)
      *reason = "the linear term of the energy depends on the minimised "
                "variable itself";
    return nullptr;
  }
  // Quadratic form: ½‖z − c‖², c free of z, is minimised by c.
  if (energy->op == Op::SqNorm && energy->arg(0)->op == Op::Sub &&
      energy->arg(0)->arg(0) == z && !ir::dependsOn(energy->arg(0)->arg(1), z))
    return energy->arg(0)->arg(1);
  if (reason)
    *reason = "the energy is neither G(z) − ⟨a, z⟩ nor ½‖z − c‖²";
  return nullptr;
}

} // namespace bilevel::rules
