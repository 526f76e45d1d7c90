//===- Recipe.h - Checks an explicit method recipe --------------*- C++ -*-===//
//
// A recipe (`method { ... }`) names, per group of layers, the rules to
// apply in order, and one optional infer(...) line. This check resolves the
// rule names, range-checks their parameters, checks the layer names against
// the network and the rule sequences against the structural conditions that
// need no context (collapse first and on all layers, an elimination after
// an ovr, limit_bp alone). The rules engine checks the rest.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SEMA_RECIPE_H
#define BILEVEL_SEMA_RECIPE_H

#include "sema/Spec.h"
#include "support/Diagnostics.h"
#include "syntax/Ast.h"

namespace bilevel {

/// Checks the recipe of \p decl and fills \p method: preset "recipe", one
/// LayerRecipe per group in source order (an `all:` group has no layers),
/// each rule with its kebab-case id and only the parameters written, and
/// the infer settings. \p network is the checked network, or null when the
/// spec has none; layer names are then left unchecked.
void checkRecipe(const ast::MethodDecl &decl, const NetworkSpec *network,
                 MethodSpec &method, DiagnosticEngine &diags);

} // namespace bilevel

#endif // BILEVEL_SEMA_RECIPE_H
