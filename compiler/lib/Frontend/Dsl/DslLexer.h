//===- DslLexer.h - Tokens of the .sora model language ----------*- C++ -*-===//
//
// The .sora lexer: identifiers, numbers, strings with JSON escapes,
// punctuation, and newlines (statement separators). `#` starts a comment
// that runs to the end of the line. Lexical errors become `Error` tokens
// carrying their message, so the parser reports them with its own.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_DSL_DSLLEXER_H
#define SORA_FRONTEND_DSL_DSLLEXER_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sora::dsl {

enum class TokenKind {
  Eof,
  Newline,
  Identifier, ///< a word, possibly dotted: `relu`, `b1.y`, `layers.0.kernel`
  Integer,    ///< digits; the value is in `integer`
  Float,      ///< digits with a fraction or an exponent; the value in `number`
  String,     ///< `text` holds the decoded contents
  Equal,
  Colon,
  Comma,
  Semicolon,
  Dot,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Plus,
  Minus,
  Star,
  Slash,
  Error, ///< `text` holds the message
};

/// One token with its 1-based line and (byte) column.
struct Token {
  TokenKind kind = TokenKind::Eof;
  std::string text; ///< spelling; decoded contents for strings
  uint64_t integer = 0;
  double number = 0;
  unsigned line = 1, col = 1;

  bool is(TokenKind k) const { return kind == k; }
};

/// Splits `text` into tokens, always ending with one `Eof`.
std::vector<Token> lex(llvm::StringRef text);

/// How a token is shown in messages: `'units'`, `"same"`, `end of line`.
std::string describe(const Token &token);

/// Whether `word` is an identifier: `[A-Za-z_][A-Za-z0-9_]*`.
bool isIdentifier(llvm::StringRef word);

/// Whether `name` is an identifier followed by dotted parts of letters,
/// digits and '_' (`b1.h.kernel`, `s.0`): one Identifier token, which .sora
/// writes without quotes.
bool isDottedName(llvm::StringRef name);

} // namespace sora::dsl

#endif
