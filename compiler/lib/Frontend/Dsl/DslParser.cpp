//===- DslParser.cpp - .sora model files to the model AST -----------------===//
//
// A recursive-descent parser over the tokens of DslLexer. It checks syntax
// only and builds the same ModelAST as the JSON parser; names, ops and
// attribute values are MLIRGen's to check, so both formats get the same
// diagnostics for the same mistakes. After a syntax error the parser skips
// to the end of the statement and goes on, to report every error in one run.
//
//===----------------------------------------------------------------------===//

#include "DslParser.h"
#include "sora/Frontend/DslModelParser.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/Path.h"

#include <cstdint>

using nlohmann::json;

namespace sora::dsl {

/// Statement keywords; each is a keyword only where a statement starts and
/// no '=' follows, so they remain usable as particle names.
static const std::vector<std::string> kKeywords = {
    "model", "input", "output", "weights", "particle", "return"};

//===----------------------------------------------------------------------===//
// Diagnostics and recovery
//===----------------------------------------------------------------------===//

mlir::InFlightDiagnostic Parser::expectedDiag(const std::string &what) {
  if (at(TokenKind::Error))
    return error(tok()) << tok().text;
  return error(tok()) << "expected " << what << ", got "
                      << dsl::describe(tok());
}

bool Parser::expectedInList(const std::string &what, const Token &opener) {
  mlir::InFlightDiagnostic diag = expectedDiag(what);
  if (!at(TokenKind::Error) && tok().line != opener.line)
    diag.attachNote(toLocation(&context, loc(opener)))
        << "'" << opener.text << "' opened here";
  return false;
}

bool Parser::expectedEqual() {
  std::optional<std::string> name = parseName("a name");
  if (!name)
    return false;
  std::string call = at(TokenKind::Identifier) && tok(1).is(TokenKind::LParen)
                         ? tok().text + "(...)"
                         : "relu(x)";
  return expected("'=' after '" + *name + "', as in '" + *name + " = " + call +
                  "'");
}

void Parser::recover() {
  while (!atStatementEnd())
    take();
}

bool Parser::endStatement() {
  if (atStatementEnd())
    return true;
  return expected("the end of the statement (a new line or ';')");
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

bool Parser::parseModelName(ModelAST &m) {
  const Token &keyword = take();
  if (seenModel) {
    error(keyword) << "the model's name is given twice";
    return false;
  }
  seenModel = true;
  std::optional<std::string> name = parseName("the model's name after 'model'");
  if (!name)
    return false;
  m.name = *name;
  return endStatement();
}

bool Parser::parseTypedName(std::vector<InputDecl> &inputs) {
  InputDecl decl;
  decl.loc = loc(tok());
  std::optional<std::string> name = parseName("an input name");
  if (!name)
    return false;
  decl.name = *name;
  if (!at(TokenKind::Colon))
    return expected("':' and a type after input '" + decl.name + "', as in '" +
                    decl.name + ": f32[1, 4]'");
  take();
  const Token &dtype = tok();
  if (!dtype.is(TokenKind::Identifier) || !tok(1).is(TokenKind::LBracket))
    return expected("a tensor type like f32[1, 28, 28, 1]");
  take();
  if (!isInputDtype(dtype.text)) {
    error(dtype) << "unsupported dtype '" << dtype.text
                 << "'; supported: f32, i64 (token ids)";
    return false;
  }
  decl.dtype = dtype.text;
  const Token &opener = take();
  while (true) {
    skipNewlines();
    if (!at(TokenKind::Integer) || tok().integer == 0 ||
        tok().integer > uint64_t(INT64_MAX)) {
      if (at(TokenKind::RBracket) && decl.shape.empty())
        error(tok()) << "a shape needs at least one dimension";
      else if (at(TokenKind::Integer) || at(TokenKind::Minus))
        error(tok()) << "dimensions must be positive integers";
      else
        expected("a dimension (a positive integer)");
      return false;
    }
    decl.shape.push_back(int64_t(take().integer));
    skipNewlines();
    if (at(TokenKind::RBracket))
      break;
    if (!at(TokenKind::Comma))
      return expectedInList("',' or ']' in the shape", opener);
    take();
  }
  take();
  inputs.push_back(std::move(decl));
  return true;
}

bool Parser::parseInputs(std::vector<InputDecl> &inputs) {
  take(); // 'input'
  do {
    if (!parseTypedName(inputs))
      return false;
  } while (at(TokenKind::Comma) && (take(), true));
  return endStatement();
}

bool Parser::parseNameList(std::vector<OutputDecl> &names,
                           const Token &keyword) {
  do {
    SourceLoc where = loc(tok());
    std::optional<std::string> name =
        parseName("a name after '" + keyword.text + "'");
    if (!name)
      return false;
    names.push_back({*name, where});
  } while (at(TokenKind::Comma) && (take(), true));
  return endStatement();
}

bool Parser::parseWeightTensor(WeightsDecl &weights) {
  const Token &first = tok();
  std::optional<std::string> name =
      parseName("a weight name like 'd1.kernel' or a quoted name");
  if (!name)
    return false;
  if (!at(TokenKind::Equal))
    return expected("'=' after weight '" + *name + "'");
  take();
  SourceLoc where = loc(tok());
  std::optional<json> value = parseValue();
  if (!value)
    return false;
  if (weights.tensors.contains(*name)) {
    error(first) << "weight '" << *name << "' is given twice";
    return false;
  }
  weights.tensors[*name] = std::move(*value);
  weights.tensorLocs[*name] = where;
  return endStatement();
}

bool Parser::parseWeights(ModelAST &m) {
  const Token &keyword = take();
  if (m.weights.kind != WeightsDecl::None) {
    error(keyword) << "weights are given twice";
    return false;
  }
  m.weights.loc = loc(tok());
  if (at(TokenKind::String)) {
    llvm::SmallString<256> resolved(take().text);
    if (llvm::sys::path::is_relative(resolved)) {
      llvm::SmallString<256> dir(llvm::sys::path::parent_path(file));
      llvm::sys::path::append(dir, resolved);
      resolved = dir;
    }
    m.weights.kind = WeightsDecl::File;
    m.weights.file = std::string(resolved);
    return endStatement();
  }
  if (!at(TokenKind::LBrace))
    return expected("a safetensors file name (a string) or '{' and inline "
                    "tensors after 'weights'");
  const Token &opener = take();
  m.weights.kind = WeightsDecl::Inline;
  m.weights.tensors = json::object();
  while (true) {
    skipSeparators();
    if (at(TokenKind::RBrace) || at(TokenKind::Eof))
      break;
    if (!parseWeightTensor(m.weights))
      recover();
  }
  if (!at(TokenKind::RBrace)) {
    expectedInList("'}' to close the weights", opener);
    return false;
  }
  take();
  return endStatement();
}

//===----------------------------------------------------------------------===//
// Composite particles and statements
//===----------------------------------------------------------------------===//

bool Parser::parseBodyStatement(CompositeDecl &c, const Token *&returned) {
  if (atKeyword("return")) {
    const Token &keyword = take();
    if (returned) {
      error(keyword) << "particle '" << c.name << "' returns twice";
      return false;
    }
    returned = &keyword;
    return parseNameList(c.outputs, keyword);
  }
  for (const char *word : {"model", "input", "output", "weights", "particle"})
    if (atKeyword(word)) {
      auto diag = error(tok()) << "'" << word << "' cannot appear inside "
                               << "particle '" << c.name << "'";
      if (llvm::StringRef(word) == "input")
        diag << "; declare its inputs in its parameter list";
      else if (llvm::StringRef(word) == "output")
        diag << "; use 'return'";
      else if (llvm::StringRef(word) == "particle")
        diag << "; define particles at the top level";
      if (llvm::StringRef(word) == "particle")
        skipBody();
      return false;
    }
  if (atName() && tok(1).is(TokenKind::Equal))
    return parseAssignment(c.particles);
  if (atName())
    return expectedEqual();
  return expected("a statement ('NAME = ...' or 'return NAME') in particle '" +
                  c.name + "'");
}

bool Parser::parseCompositeHeader(CompositeDecl &c) {
  take(); // 'particle'
  c.loc = loc(tok());
  if (!at(TokenKind::Identifier))
    return expected("the particle's name after 'particle'");
  if (!checkWord(tok(), "a composite particle's name"))
    return false;
  c.name = take().text;
  if (!at(TokenKind::LParen))
    return expected("'(' and the inputs of particle '" + c.name +
                    "', as in 'particle " + c.name + "(x: f32[1, 4]) {'");
  const Token &opener = take();
  while (true) {
    skipNewlines();
    if (at(TokenKind::RParen))
      break;
    if (!parseTypedName(c.inputs))
      return false;
    skipNewlines();
    if (at(TokenKind::Comma)) {
      take();
      continue;
    }
    if (!at(TokenKind::RParen))
      return expectedInList("',' or ')' after the input", opener);
  }
  if (c.inputs.empty())
    error(tok()) << "particle '" << c.name << "' needs at least one input";
  take();
  if (!at(TokenKind::LBrace))
    return expected("'{' and the body of particle '" + c.name + "'");
  return true;
}

void Parser::skipBody() {
  size_t brace = index;
  while (!tokens[brace].is(TokenKind::LBrace) &&
         !tokens[brace].is(TokenKind::Newline) &&
         !tokens[brace].is(TokenKind::Eof))
    ++brace;
  if (!tokens[brace].is(TokenKind::LBrace))
    return; // no body on this line: leave the rest to the statement loop
  index = brace;
  for (int depth = 0; !at(TokenKind::Eof);) {
    depth += at(TokenKind::LBrace) ? 1 : at(TokenKind::RBrace) ? -1 : 0;
    take();
    if (depth == 0)
      return;
  }
}

bool Parser::parseComposite(ModelAST &m) {
  CompositeDecl c;
  if (!parseCompositeHeader(c)) {
    skipBody();
    return false;
  }
  const Token &brace = take();
  const Token *returned = nullptr;
  while (true) {
    skipSeparators();
    if (at(TokenKind::RBrace) || at(TokenKind::Eof))
      break;
    if (!parseBodyStatement(c, returned))
      recover();
  }
  if (!at(TokenKind::RBrace)) {
    expectedDiag("'}' to close particle '" + c.name + "'")
            .attachNote(toLocation(&context, loc(brace)))
        << "'{' opened here";
    return false;
  }
  if (!returned)
    error(tok()) << "particle '" << c.name
                 << "' returns nothing; end it with 'return NAME'";
  take();
  m.composites.push_back(std::move(c));
  return endStatement();
}

bool Parser::parseStatement(ModelAST &m) {
  if (atKeyword("model"))
    return parseModelName(m);
  if (atKeyword("input"))
    return parseInputs(m.inputs);
  if (atKeyword("output")) {
    const Token &keyword = take();
    return parseNameList(m.outputs, keyword);
  }
  if (atKeyword("weights"))
    return parseWeights(m);
  if (atKeyword("particle"))
    return parseComposite(m);
  if (atKeyword("return")) {
    error(tok()) << "'return' belongs inside a particle definition; the "
                    "model's results are given with 'output NAME'";
    return false;
  }
  if (atName() && tok(1).is(TokenKind::Equal))
    return parseAssignment(m.particles);
  bool missingEqual = at(TokenKind::Identifier) &&
                      tok(1).is(TokenKind::Identifier) &&
                      tok(2).is(TokenKind::LParen);
  if (at(TokenKind::Identifier) && !missingEqual) {
    std::string hint = nearestSpelling(tok().text, kKeywords);
    if (!hint.empty()) {
      error(tok()) << "unknown statement '" << tok().text << "'; did you mean '"
                   << hint << "'?";
      return false;
    }
  }
  if (atName())
    return expectedEqual();
  if (at(TokenKind::RBrace)) {
    error(tok()) << "unexpected '}' outside a particle definition";
    take();
    return false;
  }
  return expected("a statement (model, input, weights, particle, output, or "
                  "NAME = ...)");
}

std::optional<ModelAST> Parser::parse() {
  ModelAST m;
  m.file = file;
  m.loc = SourceLoc{file, 1, 1, ""};
  m.name = llvm::sys::path::stem(file).str();
  while (true) {
    skipSeparators();
    if (at(TokenKind::Eof))
      break;
    if (!parseStatement(m))
      recover();
  }
  // Only without syntax errors: a broken statement may be the missing one.
  if (!failed && m.outputs.empty())
    emitErrorAt(&context, m.loc)
        << "the model has no outputs; name them with 'output NAME'";
  if (failed || m.outputs.empty())
    return std::nullopt;
  return m;
}

} // namespace sora::dsl

namespace sora {

std::optional<ModelAST> parseDslModel(const std::string &file,
                                      const std::string &text,
                                      mlir::MLIRContext &context) {
  return dsl::Parser(file, text, context).parse();
}

} // namespace sora
