//===- Sema.h - Checks the AST and builds the Spec --------------*- C++ -*-===//
//
// Sema reads the items of a spec after include expansion and overrides,
// resolves every name against the tables in Presets.h, range-checks every
// number, fills in defaults, and builds the Spec that the rest of the
// compiler trusts. Every problem is reported with a location and, where one
// is known, a remedy note.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SEMA_SEMA_H
#define BILEVEL_SEMA_SEMA_H

#include "sema/Spec.h"
#include "support/Diagnostics.h"
#include "syntax/Ast.h"

#include <optional>

namespace bilevel {

/// Checks \p merged (all items of the main file and its includes) and
/// returns the Spec, or nullopt after reporting at least one error.
/// \p mainFileId locates whole-file errors such as a missing network.
std::optional<Spec> checkSpec(const ast::File &merged, uint32_t mainFileId,
                              DiagnosticEngine &diags);

} // namespace bilevel

#endif // BILEVEL_SEMA_SEMA_H
