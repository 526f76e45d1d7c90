//===- SyntaxLexerTest.cpp - Tokens, locations and lexical errors ---------===//
//
// The lexer's contract: the right kinds, spellings and 1-based line:col for
// every token, one Newline per run of line ends, and malformed tokens turned
// into Error tokens after exactly one diagnostic.
//
//===----------------------------------------------------------------------===//
#include "syntax/Lexer.h"

#include <catch2/catch.hpp>

#include <sstream>

using namespace bilevel;

namespace {

struct Lexed {
  std::vector<Token> tokens;
  std::string output;
  unsigned errors = 0;
};

Lexed lex(const std::string &text) {
  static SourceManager sources; // buffers must outlive the token views
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  uint32_t id = sources.addBuffer("t.bl", text);
  Lexed result;
  result.tokens = lexBuffer(sources, id, diags);
  result.output = out.str();
  result.errors = diags.errorCount();
  return result;
}

} // namespace

TEST_CASE("lexer produces kinds, spellings and locations", "[unit][syntax]") {
  Lexed lexed = lex("# header\n\n  dense h1[256] leaky_relu(slope = 0.1)\n"
                    "data \"a\\\"b\"; x.y -2\n");
  REQUIRE(lexed.errors == 0);
  const std::vector<Token> &t = lexed.tokens;
  REQUIRE(t.size() == 22);

  CHECK(t[0].isIdent("dense"));
  CHECK(t[0].loc.line == 3);
  CHECK(t[0].loc.col == 3);
  CHECK(t[1].isIdent("h1"));
  CHECK(t[2].is(TokenKind::LBracket));
  CHECK(t[3].is(TokenKind::Number));
  CHECK(t[3].number == 256);
  CHECK(t[3].loc.col == 12);
  CHECK(t[4].is(TokenKind::RBracket));
  CHECK(t[5].isIdent("leaky_relu"));
  CHECK(t[6].is(TokenKind::LParen));
  CHECK(t[8].is(TokenKind::Equals));
  CHECK(t[9].number == 0.1);
  CHECK(t[9].text == "0.1");
  CHECK(t[10].is(TokenKind::RParen));
  CHECK(t[11].is(TokenKind::Newline));

  CHECK(t[12].isIdent("data"));
  CHECK(t[12].loc.line == 4);
  CHECK(t[13].is(TokenKind::String));
  CHECK(t[13].value == "a\"b");
  CHECK(t[13].loc.col == 6);
  CHECK(t[14].is(TokenKind::Semicolon));
  CHECK(t[16].is(TokenKind::Dot));
  CHECK(t[18].is(TokenKind::Minus));
  CHECK(t[19].number == 2);
  CHECK(t[20].is(TokenKind::Newline));
  CHECK(t[21].is(TokenKind::Eof));
}

TEST_CASE("lexer accepts the number forms of the grammar", "[unit][syntax]") {
  Lexed lexed = lex("1 1. 1.5 1e3 1E-3 2.5e+2");
  REQUIRE(lexed.errors == 0);
  std::vector<double> values;
  for (const Token &token : lexed.tokens)
    if (token.is(TokenKind::Number))
      values.push_back(token.number);
  CHECK(values == std::vector<double>{1, 1, 1.5, 1000, 1e-3, 250});
}

TEST_CASE("lexer reports malformed tokens once", "[unit][syntax]") {
  for (const char *bad : {"1e", "1e+", "0x10", "1.2.3", "12abc", "1e999"}) {
    DYNAMIC_SECTION(bad) {
      Lexed lexed = lex(std::string("batch ") + bad + "\n");
      CHECK(lexed.errors == 1);
      CHECK(lexed.tokens[1].is(TokenKind::Error));
      CHECK(lexed.tokens[1].loc.col == 7);
    }
  }

  Lexed unterminated = lex("data \"abc\nbatch 1");
  CHECK(unterminated.errors == 1);
  CHECK(unterminated.output.find("t.bl:1:6: error: unterminated string") !=
        std::string::npos);
  CHECK(unterminated.tokens[2].is(TokenKind::Newline));

  Lexed stray = lex("a \x01\x02\x03 b @ c");
  CHECK(stray.errors == 2);
  CHECK(stray.output.find("t.bl:1:3: error: unexpected character '\\x01'") !=
        std::string::npos);
}

TEST_CASE("diagnostics show the line and a caret", "[unit][syntax]") {
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  uint32_t id = sources.addBuffer("spec.bl", "x\n\tdense  h1[256] rleu\r\n");
  diags.error({id, 2, 17}, "unknown activation 'rleu'");
  diags.note({id, 2, 17}, "known activations: identity");
  diags.unsupported({}, "something");
  CHECK(out.str() == "spec.bl:2:17: error: unknown activation 'rleu'\n"
                     "  \tdense  h1[256] rleu\n"
                     "  \t               ^\n"
                     "spec.bl:2:17: note: known activations: identity\n"
                     "error: unsupported: something\n");
  CHECK(diags.errorCount() == 2);
}

TEST_CASE("the error limit stops the flood", "[unit][syntax]") {
  SourceManager sources;
  std::ostringstream out;
  DiagnosticEngine diags(sources, out);
  diags.setErrorLimit(3);
  for (int i = 0; i < 10; ++i) {
    diags.error({}, "e" + std::to_string(i));
    diags.note({}, "n" + std::to_string(i));
  }
  CHECK(diags.shouldStop());
  CHECK(diags.errorCount() == 10);
  CHECK(out.str() == "error: e0\nnote: n0\nerror: e1\nnote: n1\nerror: e2\n"
                     "note: n2\nerror: too many errors emitted, stopping "
                     "now\n");
}
