//===- Token.h - The tokens of the spec language ----------------*- C++ -*-===//
//
// The lexer turns a buffer into a flat list of tokens ending in Eof. Token
// text points into the SourceManager's buffer, which outlives the tokens.
// Keywords are ordinary identifiers: the parser decides by position, so a
// layer may be called "loss" without confusing anyone.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SYNTAX_TOKEN_H
#define BILEVEL_SYNTAX_TOKEN_H

#include "support/SourceLoc.h"

#include <string>
#include <string_view>

namespace bilevel {

enum class TokenKind {
  Identifier,
  Number,
  String,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Equals,
  Dot,
  Semicolon,
  Minus,
  Colon,
  Newline,
  /// A malformed token (bad number, unterminated string, stray bytes) that
  /// the lexer has already diagnosed; the parser fails quietly on it.
  Error,
  Eof
};

struct Token {
  TokenKind kind = TokenKind::Eof;
  std::string_view text; ///< the spelling, quotes included for strings
  SourceLoc loc;
  double number = 0; ///< the value of a Number token
  std::string value; ///< the decoded contents of a String token

  bool is(TokenKind k) const { return kind == k; }
  bool isIdent(std::string_view spelling) const {
    return kind == TokenKind::Identifier && text == spelling;
  }
};

/// How a token is named in "expected X, got Y" messages: 'relu', '{',
/// end of line, end of file, string "abc".
std::string describeToken(const Token &token);

} // namespace bilevel

#endif // BILEVEL_SYNTAX_TOKEN_H
