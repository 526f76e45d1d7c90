//===- Parser.h - Recursive-descent parser for spec files -------*- C++ -*-===//
//
// Builds the AST of one buffer (grammar/bilevel.ebnf). On a syntax error it
// reports, skips to the next statement or top-level item and goes on, so one
// run shows several errors. It never recurses on user-controlled depth:
// blocks do not nest, values do not nest, and broken statements are skipped
// with a brace counter.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SYNTAX_PARSER_H
#define BILEVEL_SYNTAX_PARSER_H

#include "support/Diagnostics.h"
#include "syntax/Ast.h"

#include <memory>
#include <optional>

namespace bilevel {

/// Parses buffer \p fileId as a spec file. Always returns a File holding
/// whatever parsed cleanly; check diags.errorCount() to know whether the
/// buffer had errors.
std::unique_ptr<ast::File> parseFile(const SourceManager &sources,
                                     uint32_t fileId, DiagnosticEngine &diags);

/// Parses buffer \p fileId as one `KEY=VALUE` override; nullopt after
/// reporting an error.
std::optional<ast::Override> parseOverride(const SourceManager &sources,
                                           uint32_t fileId,
                                           DiagnosticEngine &diags);

} // namespace bilevel

#endif // BILEVEL_SYNTAX_PARSER_H
