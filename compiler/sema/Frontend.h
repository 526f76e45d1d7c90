//===- Frontend.h - From a spec path to a validated Spec --------*- C++ -*-===//
//
// The entry points the tool calls. loadSpec reads the main file, expands its
// includes, applies `--set KEY=VALUE` overrides and runs sema; every problem
// goes to the DiagnosticEngine and the result is nullopt if there was any
// error. parseSpecFile stops after parsing, for `show --stage ast`.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SEMA_FRONTEND_H
#define BILEVEL_SEMA_FRONTEND_H

#include "sema/Spec.h"
#include "support/Diagnostics.h"
#include "support/Format.h"
#include "syntax/Ast.h"
#include "syntax/AstPrinter.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bilevel {

/// Loads \p path as a spec. Includes are resolved relative to the including
/// file; a file included twice is read once; cycles are errors. Each of
/// \p overrides is one `KEY=VALUE` string (train.KEY=VALUE, method=PRESET,
/// method.PARAM=VALUE), parsed from its own "<command line>" buffer and
/// applied after includes, replacing what the files say. On a recipe,
/// method.PARAM=VALUE sets PARAM on every rule that takes it (or the infer
/// setting of that name).
std::optional<Spec> loadSpec(const std::string &path,
                             const std::vector<std::string> &overrides,
                             SourceManager &sources, DiagnosticEngine &diags);

/// Parses \p path alone (includes are not followed). Returns nullptr when
/// the file cannot be read; otherwise the AST of whatever parsed, with any
/// syntax errors already reported.
std::unique_ptr<ast::File> parseSpecFile(const std::string &path,
                                         SourceManager &sources,
                                         DiagnosticEngine &diags);

/// Applies one parsed override to \p merged. Returns false after reporting
/// an error (an unknown key, a method value that is not a name).
bool applyOverride(const ast::Override &override, ast::File &merged,
                   DiagnosticEngine &diags);

} // namespace bilevel

#endif // BILEVEL_SEMA_FRONTEND_H
