//===- Ast.h - The syntax tree of a spec file -------------------*- C++ -*-===//
//
// The AST mirrors grammar/bilevel.ebnf one to one and checks nothing beyond
// the grammar: names are not resolved and numbers are not range-checked
// (sema does that). Every node keeps the SourceLoc of its first token, so
// sema can point at any part of the spec. Numbers keep their spelling so
// that printers reproduce them exactly.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_SYNTAX_AST_H
#define BILEVEL_SYNTAX_AST_H

#include "support/SourceLoc.h"

#include <string>
#include <variant>
#include <vector>

namespace bilevel::ast {

struct Arg;

/// value = number | STRING | call. A call is a name with an optional
/// argument list (`relu`, `adam(lr = 1e-3)`); a bare name is a call without
/// parentheses.
struct Value {
  enum class Kind { Number, String, Call };
  Kind kind = Kind::Number;
  SourceLoc loc;
  double number = 0;      ///< Number: the value, sign included
  std::string text;       ///< Number: spelling; String: contents; Call: name
  bool hasParens = false; ///< Call: written with "(...)"
  std::vector<Arg> args;  ///< Call: the arguments in order

  bool isName() const { return kind == Kind::Call && !hasParens; }
};

/// arg = IDENT "=" arg_value
struct Arg {
  std::string name;
  SourceLoc loc;
  Value value;
};

/// input = "input" IDENT "[" size "]"; dense = "dense" IDENT "[" size "]"
/// call.
struct LayerDecl {
  enum class Kind { Input, Dense };
  Kind kind = Kind::Dense;
  SourceLoc loc; ///< the keyword
  std::string name;
  SourceLoc nameLoc;
  Value size;
  Value activation; ///< Dense only
};

/// setting = IDENT value (loss and states in a network, keys in train).
struct Setting {
  std::string key;
  SourceLoc loc;
  Value value;
};

using NetworkStmt = std::variant<LayerDecl, Setting>;

/// network = "network" IDENT "{" { network_stmt } "}"
struct NetworkDecl {
  SourceLoc loc;
  std::string name;
  SourceLoc nameLoc;
  std::vector<NetworkStmt> body;
};

/// group = ( "layers" IDENT { "," IDENT } | "all" ) ":" [ chain ]
/// chain = rule { "then" rule }
/// Each rule is a Call; a two-word name keeps its space ("eliminate
/// conjugate") so that printers show it as written.
struct RecipeGroup {
  SourceLoc loc; ///< the "layers" or "all" keyword
  bool all = false;
  std::vector<std::string> layers; ///< empty for "all"
  std::vector<SourceLoc> layerLocs;
  std::vector<Value> rules;
};

/// infer = "infer" args; kept as a Call named "infer".
struct InferDecl {
  Value call;
};

using RecipeStmt = std::variant<RecipeGroup, InferDecl>;

/// method = "method" ( call | recipe )
struct MethodDecl {
  SourceLoc loc;
  bool isRecipe = false;
  SourceLoc recipeLoc;            ///< the "{" of a recipe
  Value preset;                   ///< a Call, when not a recipe
  std::vector<RecipeStmt> recipe; ///< the recipe's lines in order
};

/// train = "train" "{" { setting } "}"
struct TrainDecl {
  SourceLoc loc;
  std::vector<Setting> settings;
};

/// include = "include" STRING
struct IncludeDecl {
  SourceLoc loc;
  std::string path; ///< as written, relative to the including file
  SourceLoc pathLoc;
};

using Item = std::variant<IncludeDecl, NetworkDecl, MethodDecl, TrainDecl>;

/// file = { item }. One per parsed buffer; includes are not expanded here.
struct File {
  std::string path;
  uint32_t fileId = 0;
  std::vector<Item> items;
};

/// override = IDENT { "." IDENT } "=" value, from `--set KEY=VALUE`.
struct Override {
  std::vector<std::string> key; ///< "train.epochs" is {"train", "epochs"}
  SourceLoc loc;
  Value value;

  std::string keyText() const {
    std::string joined;
    for (const std::string &part : key)
      joined += (joined.empty() ? "" : ".") + part;
    return joined;
  }
};

} // namespace bilevel::ast

#endif // BILEVEL_SYNTAX_AST_H
