//===- AstPrinter.cpp - Prints the AST as text, LaTeX or JSON -------------===//
//
// The three formats share one walk: each statement is first rendered as a
// line of spec text (its "head"), which text and LaTeX print directly; JSON
// prints the structure field by field instead.
//
//===----------------------------------------------------------------------===//
#include "syntax/AstPrinter.h"

#include "support/Json.h"

#include <cstdio>

namespace bilevel {

std::string valueToString(const ast::Value &value) {
  switch (value.kind) {
  case ast::Value::Kind::Number:
    return value.text;
  case ast::Value::Kind::String:
    return jsonQuote(value.text);
  case ast::Value::Kind::Call:
    break;
  }
  std::string text = value.text;
  if (!value.hasParens)
    return text;
  text += '(';
  for (size_t i = 0; i < value.args.size(); ++i) {
    const ast::Arg &arg = value.args[i];
    text += (i ? ", " : "") + arg.name + " = " + valueToString(arg.value);
  }
  return text + ')';
}

namespace {

std::string locText(SourceLoc loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

std::string layerHead(const ast::LayerDecl &layer) {
  bool dense = layer.kind == ast::LayerDecl::Kind::Dense;
  std::string head =
      (dense ? "dense " : "input ") + layer.name + "[" + layer.size.text + "]";
  if (dense)
    head += " " + valueToString(layer.activation);
  return head;
}

std::string settingHead(const ast::Setting &setting) {
  return setting.key + " " + valueToString(setting.value);
}

std::string methodHead(const ast::MethodDecl &method) {
  return method.isRecipe ? "method" : "method " + valueToString(method.preset);
}

/// A recipe line as the spec spells it: `layers a, b: ovr then collapse`,
/// `all: ...`, `infer(sweeps = 10)`.
std::string recipeHead(const ast::RecipeStmt &stmt) {
  if (const auto *infer = std::get_if<ast::InferDecl>(&stmt))
    return valueToString(infer->call);
  const auto &group = std::get<ast::RecipeGroup>(stmt);
  std::string head = group.all ? "all" : "layers";
  for (size_t i = 0; i < group.layers.size(); ++i)
    head += (i ? ", " : " ") + group.layers[i];
  head += ":";
  for (size_t i = 0; i < group.rules.size(); ++i)
    head += (i ? " then " : " ") + valueToString(group.rules[i]);
  return head;
}

SourceLoc recipeLoc(const ast::RecipeStmt &stmt) {
  if (const auto *infer = std::get_if<ast::InferDecl>(&stmt))
    return infer->call.loc;
  return std::get<ast::RecipeGroup>(stmt).loc;
}

//===----------------------------------------------------------------------===//
// Text and LaTeX: an outline of spec lines
//===----------------------------------------------------------------------===//

/// Receives one outline line at a time; text and LaTeX differ only here.
struct OutlineSink {
  Format format;
  std::ostream &out;

  void line(int depth, const std::string &head, SourceLoc loc) {
    if (format == Format::Text) {
      out << std::string(2 * depth, ' ') << head << "  @" << locText(loc)
          << '\n';
      return;
    }
    out << std::string(2 * depth, ' ') << "\\item \\texttt{"
        << latexEscape(head) << "} \\hfill{\\small " << locText(loc) << "}\n";
  }
  void open(int depth) {
    if (format == Format::Latex)
      out << std::string(2 * depth, ' ') << "\\begin{itemize}\n";
  }
  void close(int depth) {
    if (format == Format::Latex)
      out << std::string(2 * depth, ' ') << "\\end{itemize}\n";
  }
};

void printOutline(const ast::File &file, OutlineSink sink) {
  if (sink.format == Format::Text)
    sink.out << "file " << jsonQuote(file.path) << '\n';
  else
    sink.out << "% AST of " << latexEscape(file.path) << '\n';
  sink.open(0);

  for (const ast::Item &item : file.items) {
    if (auto *include = std::get_if<ast::IncludeDecl>(&item)) {
      sink.line(1, "include " + jsonQuote(include->path), include->loc);
    } else if (auto *method = std::get_if<ast::MethodDecl>(&item)) {
      sink.line(1, methodHead(*method), method->loc);
      if (!method->isRecipe)
        continue;
      sink.open(1);
      for (const ast::RecipeStmt &stmt : method->recipe)
        sink.line(2, recipeHead(stmt), recipeLoc(stmt));
      sink.close(1);
    } else if (auto *network = std::get_if<ast::NetworkDecl>(&item)) {
      sink.line(1, "network " + network->name, network->loc);
      sink.open(1);
      for (const ast::NetworkStmt &stmt : network->body) {
        if (auto *layer = std::get_if<ast::LayerDecl>(&stmt))
          sink.line(2, layerHead(*layer), layer->loc);
        else if (auto *setting = std::get_if<ast::Setting>(&stmt))
          sink.line(2, settingHead(*setting), setting->loc);
      }
      sink.close(1);
    } else if (auto *train = std::get_if<ast::TrainDecl>(&item)) {
      sink.line(1, "train", train->loc);
      sink.open(1);
      for (const ast::Setting &setting : train->settings)
        sink.line(2, settingHead(setting), setting.loc);
      sink.close(1);
    }
  }
  sink.close(0);
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

std::string jsonLoc(SourceLoc loc) {
  return "\"loc\": [" + std::to_string(loc.line) + ", " +
         std::to_string(loc.col) + "]";
}

std::string jsonNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::string jsonValue(const ast::Value &value) {
  switch (value.kind) {
  case ast::Value::Kind::Number:
    return "{\"kind\": \"number\", \"value\": " + jsonNumber(value.number) +
           ", \"text\": " + jsonQuote(value.text) + ", " + jsonLoc(value.loc) +
           "}";
  case ast::Value::Kind::String:
    return "{\"kind\": \"string\", \"value\": " + jsonQuote(value.text) + ", " +
           jsonLoc(value.loc) + "}";
  case ast::Value::Kind::Call:
    break;
  }
  std::string text = "{\"kind\": \"call\", \"name\": " + jsonQuote(value.text) +
                     ", " + jsonLoc(value.loc);
  if (value.hasParens) {
    text += ", \"args\": [";
    for (size_t i = 0; i < value.args.size(); ++i) {
      const ast::Arg &arg = value.args[i];
      text += std::string(i ? ", " : "") + "{\"name\": " + jsonQuote(arg.name) +
              ", " + jsonLoc(arg.loc) + ", \"value\": " + jsonValue(arg.value) +
              "}";
    }
    text += "]";
  }
  return text + "}";
}

std::string jsonSetting(const ast::Setting &setting) {
  return "{\"kind\": \"setting\", \"key\": " + jsonQuote(setting.key) + ", " +
         jsonLoc(setting.loc) + ", \"value\": " + jsonValue(setting.value) +
         "}";
}

std::string jsonLayer(const ast::LayerDecl &layer) {
  bool dense = layer.kind == ast::LayerDecl::Kind::Dense;
  std::string text =
      std::string("{\"kind\": ") + (dense ? "\"dense\"" : "\"input\"") +
      ", \"name\": " + jsonQuote(layer.name) + ", " + jsonLoc(layer.loc) +
      ", \"size\": " + jsonValue(layer.size);
  if (dense)
    text += ", \"activation\": " + jsonValue(layer.activation);
  return text + "}";
}

std::string jsonRecipeStmt(const ast::RecipeStmt &stmt) {
  if (const auto *infer = std::get_if<ast::InferDecl>(&stmt))
    return "{\"kind\": \"infer\", " + jsonLoc(infer->call.loc) +
           ", \"value\": " + jsonValue(infer->call) + "}";
  const auto &group = std::get<ast::RecipeGroup>(stmt);
  std::string text = std::string("{\"kind\": ") +
                     (group.all ? "\"all\"" : "\"layers\"") + ", " +
                     jsonLoc(group.loc);
  if (!group.all) {
    text += ", \"layers\": [";
    for (size_t i = 0; i < group.layers.size(); ++i)
      text += std::string(i ? ", " : "") +
              "{\"name\": " + jsonQuote(group.layers[i]) + ", " +
              jsonLoc(group.layerLocs[i]) + "}";
    text += "]";
  }
  text += ", \"rules\": [";
  for (size_t i = 0; i < group.rules.size(); ++i)
    text += (i ? ", " : "") + jsonValue(group.rules[i]);
  return text + "]}";
}

/// Prints "[\n" + one element per line + "]" at \p indent.
void printJsonList(std::ostream &out, const std::vector<std::string> &elems,
                   const std::string &indent) {
  out << "[";
  for (size_t i = 0; i < elems.size(); ++i)
    out << (i ? ",\n" : "\n") << indent << "  " << elems[i];
  out << (elems.empty() ? "]" : "\n" + indent + "]");
}

void printJson(const ast::File &file, std::ostream &out) {
  out << "{\n  \"kind\": \"file\",\n  \"path\": " << jsonQuote(file.path)
      << ",\n  \"items\": [";
  bool first = true;
  for (const ast::Item &item : file.items) {
    out << (first ? "\n    " : ",\n    ");
    first = false;
    if (auto *include = std::get_if<ast::IncludeDecl>(&item)) {
      out << "{\"kind\": \"include\", \"path\": " << jsonQuote(include->path)
          << ", " << jsonLoc(include->loc) << "}";
    } else if (auto *method = std::get_if<ast::MethodDecl>(&item)) {
      out << "{\"kind\": \"method\", " << jsonLoc(method->loc);
      if (!method->isRecipe) {
        out << ", \"preset\": " << jsonValue(method->preset) << "}";
        continue;
      }
      std::vector<std::string> recipe;
      for (const ast::RecipeStmt &stmt : method->recipe)
        recipe.push_back(jsonRecipeStmt(stmt));
      out << ", \"recipe\": ";
      printJsonList(out, recipe, "    ");
      out << "}";
    } else if (auto *network = std::get_if<ast::NetworkDecl>(&item)) {
      std::vector<std::string> body;
      for (const ast::NetworkStmt &stmt : network->body) {
        if (auto *layer = std::get_if<ast::LayerDecl>(&stmt))
          body.push_back(jsonLayer(*layer));
        else if (auto *setting = std::get_if<ast::Setting>(&stmt))
          body.push_back(jsonSetting(*setting));
      }
      out << "{\"kind\": \"network\", \"name\": " << jsonQuote(network->name)
          << ", " << jsonLoc(network->loc) << ", \"body\": ";
      printJsonList(out, body, "    ");
      out << "}";
    } else if (auto *train = std::get_if<ast::TrainDecl>(&item)) {
      std::vector<std::string> settings;
      for (const ast::Setting &setting : train->settings)
        settings.push_back(jsonSetting(setting));
      out << "{\"kind\": \"train\", " << jsonLoc(train->loc)
          << ", \"settings\": ";
      printJsonList(out, settings, "    ");
      out << "}";
    }
  }
  out << (first ? "]\n}\n" : "\n  ]\n}\n");
}

} // namespace

void printAst(const ast::File &file, Format format, std::ostream &out) {
  if (format == Format::Json)
    printJson(file, out);
  else
    printOutline(file, OutlineSink{format, out});
}

} // namespace bilevel
