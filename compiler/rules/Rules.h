//===- Rules.h - The reformulation rules and the relaxed program -*- C++
//-*-===//
//
// The rules of reformulation.md §2–§5 as data plus a function each. A
// method is a recipe: for each layer, from the outermost level inward, the
// rules to apply. Applying a recipe to the nested program yields a
// RelaxedProgram: a single objective J (a sum of terms) over state blocks,
// the blocks still to be inferred, and for a centered recipe one such
// program per sign of β ("branches", averaged).
//
// Every rule checks its side condition on the program it receives and,
// when the condition fails, throws a CompileError at the recipe's location
// whose message says which condition failed (the rule's refusal reason).
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_RULES_RULES_H
#define BILEVEL_RULES_RULES_H

#include "ir/Printer.h"
#include "ir/Program.h"

#include <iosfwd>

namespace bilevel::rules {

using ir::Context;
using ir::Expr;

/// The catalogue entry of a rule (printed by compiler/rules/README.md and
/// used for diagnostics).
struct RuleInfo {
  const char *id;        ///< stable kebab-case id
  const char *identity;  ///< the rewrite, in Unicode math
  const char *condition; ///< its side condition
  const char *params;    ///< accepted parameters
};

const std::vector<RuleInfo> &ruleCatalogue();
const RuleInfo *findRule(const std::string &id);

/// A state block that inference must compute.
struct Block {
  const Expr *var = nullptr;  ///< the (tagged) state variable
  int layer = 0;              ///< k
  bool maximised = false;     ///< a max variable of the saddle problem
  const Expr *init = nullptr; ///< initial value (feed-forward, or a block)
};

/// One additive term of an objective, with where it came from.
struct Term {
  const Expr *expr = nullptr; ///< a scalar
  std::string origin;         ///< "loss", "ovr[h2]", "collapse", ...
  int layer = 0; ///< the layer whose energy this is; 0 for the loss
};

/// One relaxation of the nested program: min over the min blocks, max over
/// the max blocks of Σ terms.
struct Branch {
  double weight = 1;   ///< averaging weight (½ each when centered)
  double betaSign = 1; ///< +1, or −1 for the mirrored branch
  double beta = 0;     ///< the smallest |β| of its relaxations
  std::vector<Block> blocks;
  std::vector<Term> terms;
};

/// The result of applying a recipe.
struct RelaxedProgram {
  std::string method;              ///< preset name or "recipe"
  std::vector<std::string> recipe; ///< the recipe, one line per group
  std::vector<std::string> trace;  ///< one line per rule application
  std::vector<Branch> branches;
  /// Feed-forward values of the original states: z_k ↦ f_k(a_k) chained.
  std::map<const Expr *, const Expr *> forward;
  InferSpec infer;
  bool collapsed = false;
};

/// The closed-form minimiser of \p energy over the variable \p z (rule
/// limit-bp), or nullptr with \p reason set when it has no recognised form.
const Expr *solveArgmin(Context &ctx, const Expr *energy, const Expr *z,
                        std::string *reason);

/// Expands \p method into the recipe that it stands for: a preset's own
/// recipe, or the user's explicit one with uncovered layers given limit-bp.
std::vector<LayerRecipe> expandRecipe(const MethodSpec &method,
                                      const NetworkSpec &network,
                                      InferSpec *infer);

/// Applies \p recipe to \p program. Throws CompileError when a rule cannot
/// apply. Without \p eliminate the eliminate-* rules are skipped, which
/// gives the `relaxed` stage (limit-bp still applies: its levels are never
/// relaxed).
RelaxedProgram applyRecipe(Context &ctx, const ir::NestedProgram &program,
                           const MethodSpec &method,
                           const std::vector<LayerRecipe> &recipe,
                           const InferSpec &infer, bool eliminate = true);

/// Named values a printout may refer to, listed after it as "where".
using Bindings = std::vector<std::pair<ir::Name, const Expr *>>;

/// Prints a relaxed program: the `relaxed` stage, or with \p stage
/// "eliminated" the program after every rule. Nodes named in \p names print
/// by name and \p where lists their definitions.
void printRelaxed(const ir::NestedProgram &p, const RelaxedProgram &r,
                  Format format, std::ostream &os,
                  const std::string &stage = "relaxed",
                  const ir::Names *names = nullptr, const Bindings &where = {});

/// A one-line rendering of a rule application, e.g. "ovr(beta = 0.1)".
std::string ruleText(const RuleSpec &rule);

} // namespace bilevel::rules

#endif // BILEVEL_RULES_RULES_H
