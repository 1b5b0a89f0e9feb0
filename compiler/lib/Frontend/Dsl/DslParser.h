//===- DslParser.h - The .sora parser, shared by its two files --*- C++ -*-===//
//
// Private to compiler/lib/Frontend/Dsl: DslParser.cpp parses statements and
// declarations, DslParticles.cpp particles and attribute values.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_DSL_DSLPARSER_H
#define SORA_FRONTEND_DSL_DSLPARSER_H

#include "DslLexer.h"
#include "sora/Frontend/Diagnostics.h"
#include "sora/Frontend/ModelAST.h"

#include <optional>

namespace sora::dsl {

/// Parses one .sora file into a ModelAST; see DslParser.cpp.
class Parser {
public:
  Parser(const std::string &file, const std::string &text,
         mlir::MLIRContext &context)
      : file(file), tokens(dsl::lex(text)), context(context) {}

  std::optional<ModelAST> parse();

private:
  // Tokens.
  const Token &tok(size_t ahead = 0) const {
    return tokens[std::min(index + ahead, tokens.size() - 1)];
  }
  bool at(TokenKind kind) const { return tok().is(kind); }
  const Token &take() {
    const Token &t = tok();
    if (index + 1 < tokens.size())
      ++index;
    return t;
  }
  bool atKeyword(llvm::StringRef word) const {
    return at(TokenKind::Identifier) && tok().text == word &&
           !tok(1).is(TokenKind::Equal);
  }
  /// A name: a (possibly dotted) identifier or a string.
  bool atName() const {
    return at(TokenKind::Identifier) || at(TokenKind::String);
  }
  /// At an identifier without dots, as ops, attribute keys and composite
  /// names must be; reports "WHAT must be an identifier" otherwise.
  bool checkWord(const Token &t, const std::string &what);
  bool atStatementEnd() const {
    return at(TokenKind::Newline) || at(TokenKind::Semicolon) ||
           at(TokenKind::Eof) || at(TokenKind::RBrace);
  }
  void skipNewlines() {
    while (at(TokenKind::Newline))
      take();
  }
  void skipSeparators() {
    while (at(TokenKind::Newline) || at(TokenKind::Semicolon))
      take();
  }

  // Diagnostics.
  SourceLoc loc(const Token &t) const { return {file, t.line, t.col, ""}; }
  mlir::InFlightDiagnostic error(const Token &t) {
    failed = true;
    return emitErrorAt(&context, loc(t));
  }
  /// "expected WHAT, got TOKEN" at the current token, or the lexer's own
  /// message if the current token is malformed.
  mlir::InFlightDiagnostic expectedDiag(const std::string &what);
  /// As `expectedDiag`; always returns false.
  bool expected(const std::string &what) {
    expectedDiag(what);
    return false;
  }
  /// As `expected`, with a note at the bracket that the list started with.
  bool expectedInList(const std::string &what, const Token &opener);
  /// Takes a name that should have been followed by '=' and reports it.
  bool expectedEqual();
  /// Skips to the end of the statement after an error.
  void recover();

  // Statements, one function per grammar rule of docs/dsl.md. Each returns
  // false after reporting an error, leaving recovery to its caller.
  bool parseStatement(ModelAST &m);
  /// A statement in a composite's body; `returned` is its `return`, if seen.
  bool parseBodyStatement(CompositeDecl &c, const Token *&returned);
  bool parseModelName(ModelAST &m);
  bool parseInputs(std::vector<InputDecl> &inputs);
  /// `name: f32[d0, d1, ...]`, a model or composite input.
  bool parseTypedName(std::vector<InputDecl> &inputs);
  /// `name, name, ...` after `output` or `return`.
  bool parseNameList(std::vector<OutputDecl> &names, const Token &keyword);
  bool parseWeights(ModelAST &m);
  /// `name = value` in a `weights { ... }` block.
  bool parseWeightTensor(WeightsDecl &weights);
  bool parseComposite(ModelAST &m);
  /// `particle NAME(inputs)`, up to the body's '{'.
  bool parseCompositeHeader(CompositeDecl &c);
  /// Skips a composite's body, if it starts on this line, after an error in
  /// its header.
  void skipBody();
  /// `name = op(...)` or `name = a + b`, appended to `particles`.
  bool parseAssignment(std::vector<ParticleDecl> &particles);
  bool parseCall(ParticleDecl &p);
  bool parseBinary(ParticleDecl &p);
  /// `key=value` in a call: one attribute.
  bool parseKeyword(ParticleDecl &p);
  /// Accepts the end of a statement: a newline, ';', '}' or the end of file.
  bool endStatement();

  // Pieces.
  /// A name (see atName); reports "expected WHAT" if there is none.
  std::optional<std::string> parseName(const std::string &what);
  /// A value; `depth` counts the lists around it (kMaxJsonDepth at most).
  std::optional<nlohmann::json> parseValue(unsigned depth = 0);

  std::string file;
  std::vector<Token> tokens;
  size_t index = 0;
  mlir::MLIRContext &context;
  bool failed = false;
  bool seenModel = false;
};

} // namespace sora::dsl

#endif
