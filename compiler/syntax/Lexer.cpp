//===- Lexer.cpp - Splits a spec buffer into tokens -----------------------===//
//
// One pass over the bytes with a cursor that tracks line and column. Each
// loop iteration produces at most one token. Malformed input is reported
// once and becomes an Error token (or is skipped, for stray bytes), so the
// lexer recovers at the next character it understands.
//
//===----------------------------------------------------------------------===//
#include "syntax/Lexer.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace bilevel {

std::string describeToken(const Token &token) {
  switch (token.kind) {
  case TokenKind::Newline:
    return "end of line";
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::String:
    return "string " + std::string(token.text);
  default:
    return "'" + std::string(token.text) + "'";
  }
}

namespace {

bool isIdentStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool isIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

/// The lexer state: the buffer, a cursor and the tokens so far.
class Lexer {
public:
  Lexer(const SourceManager &sources, uint32_t fileId, DiagnosticEngine &diags)
      : text(sources.text(fileId)), fileId(fileId), diags(diags) {}

  std::vector<Token> run();

private:
  char peek(size_t ahead = 0) const {
    return pos + ahead < text.size() ? text[pos + ahead] : '\0';
  }
  bool atEnd() const { return pos >= text.size(); }
  SourceLoc here() const { return {fileId, line, col}; }
  void advance();
  void push(TokenKind kind, size_t begin, SourceLoc loc);

  void lexNumber();
  void lexString();
  void lexStrayBytes();
  bool lexPunctuation();

  std::string_view text;
  uint32_t fileId;
  DiagnosticEngine &diags;
  size_t pos = 0;
  uint32_t line = 1;
  uint32_t col = 1;
  std::vector<Token> tokens;
};

void Lexer::advance() {
  if (text[pos] == '\n') {
    ++line;
    col = 1;
  } else {
    ++col;
  }
  ++pos;
}

void Lexer::push(TokenKind kind, size_t begin, SourceLoc loc) {
  Token token;
  token.kind = kind;
  token.text = text.substr(begin, pos - begin);
  token.loc = loc;
  tokens.push_back(std::move(token));
}

std::vector<Token> Lexer::run() {
  while (!atEnd()) {
    char c = peek();

    // Blanks and comments produce nothing.
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      advance();
      continue;
    }
    if (c == '#') {
      while (!atEnd() && peek() != '\n')
        advance();
      continue;
    }

    // A run of newlines is one token; none at the start of the file.
    if (c == '\n') {
      SourceLoc loc = here();
      size_t begin = pos;
      advance();
      if (!tokens.empty() && !tokens.back().is(TokenKind::Newline))
        push(TokenKind::Newline, begin, loc);
      continue;
    }

    if (isIdentStart(c)) {
      SourceLoc loc = here();
      size_t begin = pos;
      while (!atEnd() && isIdentChar(peek()))
        advance();
      push(TokenKind::Identifier, begin, loc);
      continue;
    }
    if (isDigit(c)) {
      lexNumber();
      continue;
    }
    if (c == '"') {
      lexString();
      continue;
    }
    if (!lexPunctuation())
      lexStrayBytes();
  }

  Token eof;
  eof.kind = TokenKind::Eof;
  eof.loc = here();
  tokens.push_back(eof);
  return std::move(tokens);
}

/// NUMBER = digit {digit} ["." {digit}] [("e"|"E") ["+"|"-"] digit {digit}]
void Lexer::lexNumber() {
  SourceLoc loc = here();
  size_t begin = pos;
  while (isDigit(peek()))
    advance();
  if (peek() == '.') {
    advance();
    while (isDigit(peek()))
      advance();
  }
  bool badExponent = false;
  if (peek() == 'e' || peek() == 'E') {
    size_t sign = peek(1) == '+' || peek(1) == '-' ? 1 : 0;
    if (isDigit(peek(1 + sign))) {
      advance();
      if (sign)
        advance();
      while (isDigit(peek()))
        advance();
    } else {
      badExponent = true;
    }
  }

  // A number may not run into letters, digits or dots: "1e", "0x1", "1.2.3".
  if (isIdentChar(peek()) || peek() == '.') {
    while (isIdentChar(peek()) || peek() == '.' ||
           (badExponent && (peek() == '+' || peek() == '-') && pos > begin &&
            (text[pos - 1] == 'e' || text[pos - 1] == 'E')))
      advance();
    push(TokenKind::Error, begin, loc);
    std::string_view spelling = tokens.back().text;
    diags.error(loc, "bad number '" + std::string(spelling) + "'");
    if (spelling.size() > 1 && spelling[0] == '0' &&
        (spelling[1] == 'x' || spelling[1] == 'X'))
      diags.note(loc, "hexadecimal numbers are not supported; write the "
                      "value in decimal");
    else if (badExponent)
      diags.note(loc, "an exponent needs digits, as in 1e-3");
    else
      diags.note(loc, "a number is digits with an optional fraction and "
                      "exponent, as in 64, 0.1 or 1e-3");
    return;
  }

  push(TokenKind::Number, begin, loc);
  std::string spelling(tokens.back().text);
  errno = 0;
  double value = std::strtod(spelling.c_str(), nullptr);
  if (errno == ERANGE) {
    tokens.back().kind = TokenKind::Error;
    diags.error(loc, "number '" + spelling + "' is out of range");
    diags.note(loc, "numbers must be representable as a double, between "
                    "about 2.2e-308 and 1.8e308 in magnitude");
    return;
  }
  tokens.back().number = value;
}

/// STRING = '"' { char | escape } '"'   (on one line)
void Lexer::lexString() {
  SourceLoc loc = here();
  size_t begin = pos;
  advance();
  std::string value;
  bool bad = false;
  while (!atEnd() && peek() != '"' && peek() != '\n') {
    if (peek() != '\\') {
      value += peek();
      advance();
      continue;
    }
    SourceLoc escapeLoc = here();
    advance();
    char e = peek();
    if (e == '"' || e == '\\')
      value += e;
    else if (e == 'n')
      value += '\n';
    else if (e == 't')
      value += '\t';
    else {
      bad = true;
      std::string shown = std::isprint(static_cast<unsigned char>(e))
                              ? std::string(1, e)
                              : std::string();
      diags.error(escapeLoc, "unknown escape sequence '\\" + shown + "'");
      diags.note(escapeLoc, "known escapes are \\\" \\\\ \\n and \\t; write "
                            "\\\\ for a backslash");
    }
    if (!atEnd() && peek() != '\n')
      advance();
  }

  if (peek() != '"') {
    push(TokenKind::Error, begin, loc);
    diags.error(loc, "unterminated string");
    diags.note(loc, "close the string with '\"' on the same line");
    return;
  }
  advance();
  push(bad ? TokenKind::Error : TokenKind::String, begin, loc);
  tokens.back().value = std::move(value);
}

bool Lexer::lexPunctuation() {
  TokenKind kind;
  switch (peek()) {
  case '{':
    kind = TokenKind::LBrace;
    break;
  case '}':
    kind = TokenKind::RBrace;
    break;
  case '[':
    kind = TokenKind::LBracket;
    break;
  case ']':
    kind = TokenKind::RBracket;
    break;
  case '(':
    kind = TokenKind::LParen;
    break;
  case ')':
    kind = TokenKind::RParen;
    break;
  case ',':
    kind = TokenKind::Comma;
    break;
  case '=':
    kind = TokenKind::Equals;
    break;
  case '.':
    kind = TokenKind::Dot;
    break;
  case ';':
    kind = TokenKind::Semicolon;
    break;
  case '-':
    kind = TokenKind::Minus;
    break;
  case ':':
    kind = TokenKind::Colon;
    break;
  default:
    return false;
  }
  SourceLoc loc = here();
  size_t begin = pos;
  advance();
  push(kind, begin, loc);
  return true;
}

/// Reports a run of bytes that start no token, once, and skips it.
void Lexer::lexStrayBytes() {
  SourceLoc loc = here();
  unsigned char first = static_cast<unsigned char>(peek());
  std::string shown;
  if (first >= 0x20 && first < 0x7f) {
    shown = std::string(1, char(first));
  } else {
    char hex[8];
    std::snprintf(hex, sizeof hex, "\\x%02x", unsigned(first));
    shown = hex;
  }

  auto startsToken = [&](char c) {
    return isIdentChar(c) || c == '"' || c == '#' || c == ' ' || c == '\t' ||
           c == '\n' || c == '\r' ||
           std::string_view("{}[](),=.;-:").find(c) != std::string_view::npos;
  };
  while (!atEnd() && !startsToken(peek()))
    advance();

  diags.error(loc, "unexpected character '" + shown + "'");
  if (first == '\'')
    diags.note(loc, "strings use double quotes, as in \"data/fashion\"");
  else if (first >= 0x80)
    diags.note(loc, "only ASCII is allowed outside strings and comments");
  Token token;
  token.kind = TokenKind::Error;
  token.loc = loc;
  token.text = text.substr(pos, 0);
  tokens.push_back(token);
}

} // namespace

std::vector<Token> lexBuffer(const SourceManager &sources, uint32_t fileId,
                             DiagnosticEngine &diags) {
  return Lexer(sources, fileId, diags).run();
}

} // namespace bilevel
