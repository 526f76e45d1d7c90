//===- Parser.cpp - Recursive-descent parser for spec files ---------------===//
//
// One function per production of grammar/bilevel.ebnf; the comment above
// each names the production. The lexer runs first and hands over a token
// vector ending in Eof, so look-ahead is indexing and "consume" never runs
// past the end.
//
// Error recovery works at two levels. Inside a block a failed statement
// skips to the end of its line (or to the closing "}"); at top level a
// failed item skips to the next line that starts with a top-level keyword.
// A top-level keyword at the start of a line inside a block is taken as a
// sign that the block's "}" is missing, which is the most common slip.
//
//===----------------------------------------------------------------------===//
#include "syntax/Parser.h"

#include "syntax/Lexer.h"

#include <functional>

namespace bilevel {

namespace {

bool isTopKeyword(const Token &token) {
  return token.isIdent("include") || token.isIdent("network") ||
         token.isIdent("method") || token.isIdent("train");
}

class Parser {
public:
  Parser(std::vector<Token> tokens, DiagnosticEngine &diags)
      : tokens(std::move(tokens)), diags(diags) {}

  void parseFile(ast::File &file);
  std::optional<ast::Override> parseOverride();

private:
  // Token access. tokens.back() is Eof and is never consumed.
  const Token &tok() const { return tokens[index]; }
  const Token &prev() const { return tokens[index == 0 ? 0 : index - 1]; }
  void consume() {
    if (index + 1 < tokens.size())
      ++index;
  }
  bool at(TokenKind kind) const { return tok().is(kind); }
  const Token &next() const {
    return tokens[index + 1 < tokens.size() ? index + 1 : index];
  }
  bool atLineStart() const {
    return index == 0 || prev().is(TokenKind::Newline);
  }
  void skipNewlines() {
    while (at(TokenKind::Newline))
      consume();
  }
  void skipEnds() {
    while (at(TokenKind::Newline) || at(TokenKind::Semicolon))
      consume();
  }

  bool expected(const std::string &what);
  bool expect(TokenKind kind, const std::string &what);
  bool expectEnd();
  void skipStatement();
  void skipToTopLevel();
  bool parseBlock(SourceLoc openLoc, const std::string &what,
                  const std::function<bool()> &parseStmt);

  bool parseItem(ast::File &file);
  bool parseInclude(ast::File &file);
  bool parseNetwork(ast::File &file);
  bool parseNetworkStmt(ast::NetworkDecl &network);
  bool parseLayer(ast::NetworkDecl &network);
  bool parseMethod(ast::File &file);
  bool parseRecipe(ast::MethodDecl &method);
  bool parseRecipeStmt(ast::MethodDecl &method);
  bool parseGroup(ast::MethodDecl &method);
  bool parseChain(ast::RecipeGroup &group);
  bool parseRule(ast::Value &rule);
  bool parseInfer(ast::MethodDecl &method);
  bool parseTrain(ast::File &file);
  bool parseSetting(ast::Setting &setting);
  bool parseValue(ast::Value &value, const std::string &what);
  bool parseNumber(ast::Value &value, const std::string &what);
  bool parseCall(ast::Value &value);
  bool parseArgs(ast::Value &call);
  bool parseArg(ast::Value &call);

  std::vector<Token> tokens;
  size_t index = 0;
  DiagnosticEngine &diags;
};

/// Reports "expected WHAT, got TOKEN" and returns false. An Error token was
/// already reported by the lexer, so it fails quietly. When the offending
/// token ends the line, the caret goes right after the previous token.
bool Parser::expected(const std::string &what) {
  if (at(TokenKind::Error))
    return false;
  SourceLoc loc = tok().loc;
  if ((at(TokenKind::Newline) || at(TokenKind::Eof)) && index > 0 &&
      !prev().is(TokenKind::Newline) && prev().loc.line == loc.line)
    loc.col = prev().loc.col + uint32_t(prev().text.size());
  diags.error(loc, "expected " + what + ", got " + describeToken(tok()));
  return false;
}

bool Parser::expect(TokenKind kind, const std::string &what) {
  if (!at(kind))
    return expected(what);
  consume();
  return true;
}

/// end = NEWLINE | ";"  (or nothing before "}" and at the end of file)
bool Parser::expectEnd() {
  if (at(TokenKind::Newline) || at(TokenKind::Semicolon)) {
    consume();
    return true;
  }
  if (at(TokenKind::RBrace) || at(TokenKind::Eof) || atLineStart())
    return true;
  return expected("end of line");
}

/// Skips the rest of a broken statement: up to its end of line, or up to
/// (not past) the "}" that closes the enclosing block.
void Parser::skipStatement() {
  int depth = 0;
  while (!at(TokenKind::Eof)) {
    if (depth == 0 && at(TokenKind::RBrace))
      return;
    if (depth == 0 && (at(TokenKind::Newline) || at(TokenKind::Semicolon))) {
      consume();
      return;
    }
    if (at(TokenKind::LBrace))
      ++depth;
    if (at(TokenKind::RBrace))
      --depth;
    consume();
  }
}

/// Skips to the next line that starts with a top-level keyword outside any
/// braces.
void Parser::skipToTopLevel() {
  int depth = 0;
  while (!at(TokenKind::Eof)) {
    if (depth == 0 && atLineStart() && isTopKeyword(tok()))
      return;
    if (at(TokenKind::LBrace))
      ++depth;
    if (at(TokenKind::RBrace) && depth > 0)
      --depth;
    consume();
  }
}

/// The body of a block after its "{": statements separated by ends, then
/// "}". Returns false when the block could not be closed cleanly.
bool Parser::parseBlock(SourceLoc openLoc, const std::string &what,
                        const std::function<bool()> &parseStmt) {
  while (true) {
    skipEnds();
    if (diags.shouldStop())
      return false;
    if (at(TokenKind::RBrace)) {
      consume();
      return true;
    }

    // A missing "}" shows up as end of file or as the next top-level item.
    if (at(TokenKind::Eof) || (atLineStart() && isTopKeyword(tok()))) {
      std::string before =
          at(TokenKind::Eof) ? "" : " before '" + std::string(tok().text) + "'";
      diags.error(tok().loc,
                  "expected '}' to close the " + what + " block" + before);
      diags.note(openLoc, "the " + what + " block opened here");
      return true;
    }

    if (!parseStmt() || !expectEnd())
      skipStatement();
  }
}

//===----------------------------------------------------------------------===//
// Files and items
//===----------------------------------------------------------------------===//

/// file = { end } { item { end } } EOF
void Parser::parseFile(ast::File &file) {
  skipEnds();
  while (!at(TokenKind::Eof) && !diags.shouldStop()) {
    if (!parseItem(file) || !expectEnd())
      skipToTopLevel();
    skipEnds();
  }
}

/// item = include | network | method | train
bool Parser::parseItem(ast::File &file) {
  if (tok().isIdent("include"))
    return parseInclude(file);
  if (tok().isIdent("network"))
    return parseNetwork(file);
  if (tok().isIdent("method"))
    return parseMethod(file);
  if (tok().isIdent("train"))
    return parseTrain(file);
  if (at(TokenKind::RBrace)) {
    diags.error(tok().loc, "unmatched '}'");
    diags.note(tok().loc, "no block is open here; delete it or add the "
                          "block's opening line");
    consume();
    return true;
  }
  return expected("'network', 'method', 'train' or 'include'");
}

/// include = "include" STRING
bool Parser::parseInclude(ast::File &file) {
  ast::IncludeDecl include;
  include.loc = tok().loc;
  consume();
  if (!at(TokenKind::String))
    return expected("a quoted file name after 'include'");
  include.path = tok().value;
  include.pathLoc = tok().loc;
  consume();
  file.items.push_back(std::move(include));
  return true;
}

//===----------------------------------------------------------------------===//
// Network
//===----------------------------------------------------------------------===//

/// network = "network" IDENT "{" { end } { network_stmt { end } } "}"
bool Parser::parseNetwork(ast::File &file) {
  ast::NetworkDecl network;
  network.loc = tok().loc;
  consume();
  if (!at(TokenKind::Identifier))
    return expected("a network name after 'network'");
  network.name = tok().text;
  network.nameLoc = tok().loc;
  consume();
  skipNewlines();
  SourceLoc openLoc = tok().loc;
  if (!expect(TokenKind::LBrace, "'{' to open the network block"))
    return false;

  bool closed =
      parseBlock(openLoc, "network", [&] { return parseNetworkStmt(network); });
  file.items.push_back(std::move(network));
  return closed;
}

/// network_stmt = input | dense | setting
bool Parser::parseNetworkStmt(ast::NetworkDecl &network) {
  if (!at(TokenKind::Identifier))
    return expected("a network statement ('input', 'dense', 'loss' or "
                    "'states')");
  if (tok().isIdent("input") || tok().isIdent("dense"))
    return parseLayer(network);
  if (tok().isIdent("loss") || tok().isIdent("states")) {
    ast::Setting setting;
    if (!parseSetting(setting))
      return false;
    network.body.push_back(std::move(setting));
    return true;
  }
  diags.error(tok().loc,
              "unknown network statement '" + std::string(tok().text) + "'");
  diags.note(tok().loc, "a network block holds 'input', 'dense', 'loss' and "
                        "'states' statements");
  return false;
}

/// input = "input" IDENT "[" size "]"
/// dense = "dense" IDENT "[" size "]" call
bool Parser::parseLayer(ast::NetworkDecl &network) {
  ast::LayerDecl layer;
  layer.kind = tok().isIdent("input") ? ast::LayerDecl::Kind::Input
                                      : ast::LayerDecl::Kind::Dense;
  std::string keyword(tok().text);
  layer.loc = tok().loc;
  consume();

  if (!at(TokenKind::Identifier))
    return expected("a layer name after '" + keyword + "'");
  layer.name = tok().text;
  layer.nameLoc = tok().loc;
  consume();
  if (!expect(TokenKind::LBracket, "'[' and a size after '" + layer.name + "'"))
    return false;
  if (!parseNumber(layer.size, "a layer size"))
    return false;
  if (!expect(TokenKind::RBracket, "']' after the layer size"))
    return false;

  if (layer.kind == ast::LayerDecl::Kind::Dense) {
    if (!at(TokenKind::Identifier)) {
      expected("an activation after '" + layer.name + "[...]'");
      if (at(TokenKind::Newline) || at(TokenKind::Eof))
        diags.note(layer.loc, "every dense layer names its activation, as "
                              "in 'dense h[256] relu'");
      return false;
    }
    if (!parseCall(layer.activation))
      return false;
  }
  network.body.push_back(std::move(layer));
  return true;
}

//===----------------------------------------------------------------------===//
// Method and training
//===----------------------------------------------------------------------===//

/// method = "method" ( call | [ NEWLINE ] recipe )
bool Parser::parseMethod(ast::File &file) {
  ast::MethodDecl method;
  method.loc = tok().loc;
  consume();
  if (at(TokenKind::Newline) && next().is(TokenKind::LBrace))
    consume();
  bool ok;
  if (at(TokenKind::LBrace))
    ok = parseRecipe(method);
  else if (at(TokenKind::Identifier))
    ok = parseCall(method.preset);
  else
    return expected("a method name or '{' after 'method'");
  file.items.push_back(std::move(method));
  return ok;
}

/// recipe = "{" { end } { recipe_stmt { end } } "}"
bool Parser::parseRecipe(ast::MethodDecl &method) {
  method.isRecipe = true;
  method.recipeLoc = tok().loc;
  consume();
  return parseBlock(method.recipeLoc, "method",
                    [&] { return parseRecipeStmt(method); });
}

/// recipe_stmt = group | infer
bool Parser::parseRecipeStmt(ast::MethodDecl &method) {
  if (tok().isIdent("layers") || tok().isIdent("all"))
    return parseGroup(method);
  if (tok().isIdent("infer"))
    return parseInfer(method);
  if (!at(TokenKind::Identifier))
    return expected("a method statement ('layers', 'all' or 'infer')");
  diags.error(tok().loc,
              "unknown method statement '" + std::string(tok().text) + "'");
  diags.note(tok().loc, "a method block holds 'layers NAME, ...: RULE then "
                        "RULE', 'all: RULE ...' and 'infer(...)' lines");
  return false;
}

/// group = ( "layers" IDENT { "," [ NEWLINE ] IDENT } | "all" ) ":"
///         [ chain ]
bool Parser::parseGroup(ast::MethodDecl &method) {
  ast::RecipeGroup group;
  group.loc = tok().loc;
  group.all = tok().isIdent("all");
  consume();

  while (!group.all) {
    if (!at(TokenKind::Identifier)) {
      expected("a layer name after '" +
               std::string(group.layers.empty() ? "layers" : ",") + "'");
      if (at(TokenKind::Colon) && group.layers.empty())
        diags.note(group.loc, "write 'all:' to apply rules to every layer");
      return false;
    }
    group.layers.push_back(std::string(tok().text));
    group.layerLocs.push_back(tok().loc);
    consume();
    if (!at(TokenKind::Comma))
      break;
    consume();
    skipNewlines();
  }
  if (!expect(TokenKind::Colon, group.all ? "':' after 'all'"
                                          : "',' or ':' after the layer name"))
    return false;

  // A group with no rules is legal syntax; sema reports it.
  bool ok = true;
  if (!at(TokenKind::Newline) && !at(TokenKind::Semicolon) &&
      !at(TokenKind::RBrace) && !at(TokenKind::Eof))
    ok = parseChain(group);
  method.recipe.push_back(std::move(group));
  return ok;
}

/// chain = rule { [ NEWLINE ] "then" [ NEWLINE ] rule }
/// A chain may break its line before or after "then".
bool Parser::parseChain(ast::RecipeGroup &group) {
  while (true) {
    ast::Value rule;
    if (!parseRule(rule))
      return false;
    group.rules.push_back(std::move(rule));

    if (at(TokenKind::Newline) && next().isIdent("then"))
      consume();
    if (!tok().isIdent("then"))
      break;
    consume();
    skipNewlines();
  }
  if (at(TokenKind::Identifier) || at(TokenKind::Comma))
    return expected("'then' or end of line");
  return true;
}

/// rule      = rule_name [ args ]
/// rule_name = "eliminate" ( "conjugate" | "quadratic" ) | IDENT
bool Parser::parseRule(ast::Value &rule) {
  if (!at(TokenKind::Identifier))
    return expected("a rule name such as 'ovr'");
  rule.kind = ast::Value::Kind::Call;
  rule.loc = tok().loc;
  rule.text = tok().text;
  consume();

  // The two-word spelling of the design sketch: "eliminate conjugate".
  if (rule.text == "eliminate" && at(TokenKind::Identifier) &&
      !tok().isIdent("then")) {
    if (!tok().isIdent("conjugate") && !tok().isIdent("quadratic"))
      return expected("'conjugate' or 'quadratic' after 'eliminate'");
    rule.text += " " + std::string(tok().text);
    consume();
  }
  return parseArgs(rule);
}

/// infer = "infer" args
bool Parser::parseInfer(ast::MethodDecl &method) {
  ast::InferDecl infer;
  infer.call.kind = ast::Value::Kind::Call;
  infer.call.loc = tok().loc;
  infer.call.text = tok().text;
  consume();
  if (!at(TokenKind::LParen)) {
    expected("'(' after 'infer'");
    diags.note(infer.call.loc, "write the settings in parentheses, as in "
                               "'infer(order = backward, sweeps = 10)'");
    return false;
  }
  if (!parseArgs(infer.call))
    return false;
  method.recipe.push_back(std::move(infer));
  return true;
}

/// train = "train" "{" { end } { setting { end } } "}"
bool Parser::parseTrain(ast::File &file) {
  ast::TrainDecl train;
  train.loc = tok().loc;
  consume();
  skipNewlines();
  SourceLoc openLoc = tok().loc;
  if (!expect(TokenKind::LBrace, "'{' to open the train block"))
    return false;

  bool closed = parseBlock(openLoc, "train", [&] {
    if (!at(TokenKind::Identifier))
      return expected("a train setting such as 'epochs 5'");
    ast::Setting setting;
    if (!parseSetting(setting))
      return false;
    train.settings.push_back(std::move(setting));
    return true;
  });
  file.items.push_back(std::move(train));
  return closed;
}

/// setting = IDENT value
bool Parser::parseSetting(ast::Setting &setting) {
  setting.key = tok().text;
  setting.loc = tok().loc;
  consume();
  return parseValue(setting.value, "a value after '" + setting.key + "'");
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

/// value = number | STRING | call
bool Parser::parseValue(ast::Value &value, const std::string &what) {
  if (at(TokenKind::Number) || at(TokenKind::Minus))
    return parseNumber(value, what);
  if (at(TokenKind::Identifier))
    return parseCall(value);
  if (!at(TokenKind::String))
    return expected(what);
  value.kind = ast::Value::Kind::String;
  value.loc = tok().loc;
  value.text = tok().value;
  consume();
  return true;
}

/// number = [ "-" ] NUMBER
bool Parser::parseNumber(ast::Value &value, const std::string &what) {
  value.kind = ast::Value::Kind::Number;
  value.loc = tok().loc;
  bool negative = at(TokenKind::Minus);
  if (negative)
    consume();
  if (!at(TokenKind::Number))
    return expected(negative ? "a number after '-'" : what);
  value.number = negative ? -tok().number : tok().number;
  value.text = (negative ? "-" : "") + std::string(tok().text);
  consume();
  return true;
}

/// call = IDENT [ args ]
bool Parser::parseCall(ast::Value &value) {
  value.kind = ast::Value::Kind::Call;
  value.loc = tok().loc;
  value.text = tok().text;
  consume();
  return parseArgs(value);
}

/// args = "(" [ arg { "," arg } [ "," ] ] ")"
/// Returns true at once when no "(" follows; parseInfer requires one.
bool Parser::parseArgs(ast::Value &value) {
  if (!at(TokenKind::LParen))
    return true;
  value.hasParens = true;
  consume();

  while (true) {
    skipNewlines();
    if (at(TokenKind::RParen))
      break;
    if (!parseArg(value))
      return false;
    skipNewlines();
    if (at(TokenKind::Comma)) {
      consume();
      continue;
    }
    if (!at(TokenKind::RParen))
      return expected("',' or ')' after the argument");
  }
  consume();
  return true;
}

/// arg = IDENT "=" arg_value;  arg_value = number | STRING | IDENT
bool Parser::parseArg(ast::Value &call) {
  if (!at(TokenKind::Identifier))
    return expected("a parameter name or ')' in '" + call.text + "(...)'");
  ast::Arg arg;
  arg.name = tok().text;
  arg.loc = tok().loc;
  consume();
  skipNewlines();
  if (!expect(TokenKind::Equals, "'=' after parameter '" + arg.name + "'"))
    return false;
  skipNewlines();

  std::string what = "a value for parameter '" + arg.name + "'";
  if (at(TokenKind::Identifier)) {
    arg.value.kind = ast::Value::Kind::Call;
    arg.value.loc = tok().loc;
    arg.value.text = tok().text;
    consume();
  } else if (!parseValue(arg.value, what)) {
    return false;
  }
  call.args.push_back(std::move(arg));
  return true;
}

/// override = IDENT { "." IDENT } "=" value EOF
std::optional<ast::Override> Parser::parseOverride() {
  ast::Override result;
  result.loc = tok().loc;
  if (!at(TokenKind::Identifier)) {
    expected("a setting name, as in train.epochs=1");
    return std::nullopt;
  }
  result.key.push_back(std::string(tok().text));
  consume();
  while (at(TokenKind::Dot)) {
    consume();
    if (!at(TokenKind::Identifier)) {
      expected("a name after '.'");
      return std::nullopt;
    }
    result.key.push_back(std::string(tok().text));
    consume();
  }

  if (!expect(TokenKind::Equals, "'=' after '" + result.keyText() + "'") ||
      !parseValue(result.value, "a value after '='"))
    return std::nullopt;
  skipNewlines();
  if (!at(TokenKind::Eof)) {
    expected("the end of the override");
    return std::nullopt;
  }
  return result;
}

} // namespace

std::unique_ptr<ast::File> parseFile(const SourceManager &sources,
                                     uint32_t fileId, DiagnosticEngine &diags) {
  auto file = std::make_unique<ast::File>();
  file->path = sources.name(fileId);
  file->fileId = fileId;
  Parser(lexBuffer(sources, fileId, diags), diags).parseFile(*file);
  return file;
}

std::optional<ast::Override> parseOverride(const SourceManager &sources,
                                           uint32_t fileId,
                                           DiagnosticEngine &diags) {
  unsigned before = diags.errorCount();
  std::vector<Token> tokens = lexBuffer(sources, fileId, diags);
  if (diags.errorCount() != before)
    return std::nullopt;
  return Parser(std::move(tokens), diags).parseOverride();
}

} // namespace bilevel
