//===- Lexer.h - Splits a spec buffer into tokens ---------------*- C++ -*-===//
//
// A hand-written lexer over one SourceManager buffer (grammar/bilevel.ebnf,
// section "Tokens"). It reports malformed tokens itself and turns them into
// Error tokens, so the parser never reports the same problem twice. It
// always terminates and always ends the list with exactly one Eof token.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SYNTAX_LEXER_H
#define BILEVEL_SYNTAX_LEXER_H

#include "support/Diagnostics.h"
#include "syntax/Token.h"

#include <vector>

namespace bilevel {

/// Tokenises buffer \p fileId. Consecutive newlines (and comment-only lines)
/// collapse into one Newline token.
std::vector<Token> lexBuffer(const SourceManager &sources, uint32_t fileId,
                             DiagnosticEngine &diags);

} // namespace bilevel

#endif // BILEVEL_SYNTAX_LEXER_H
