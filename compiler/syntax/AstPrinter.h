//===- AstPrinter.h - Prints the AST as text, LaTeX or JSON -----*- C++ -*-===//
//
// The printer behind `bilevelc show --stage ast`. Output is deterministic:
// items in source order, numbers in their original spelling, and every node
// with its line:col, so golden tests can check locations too.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SYNTAX_ASTPRINTER_H
#define BILEVEL_SYNTAX_ASTPRINTER_H

#include "support/Format.h"
#include "syntax/Ast.h"

#include <ostream>
#include <string>

namespace bilevel {

/// Writes \p file to \p out in \p format. Text is an indented outline,
/// LaTeX a nested itemize, JSON one object with an "items" array.
void printAst(const ast::File &file, Format format, std::ostream &out);

/// A value as the spec spells it: `784`, `"data"`, `adam(lr = 1e-3)`.
std::string valueToString(const ast::Value &value);

} // namespace bilevel

#endif // BILEVEL_SYNTAX_ASTPRINTER_H
