//===- DslLexer.cpp - Tokens of the .sora model language ------------------===//

#include "DslLexer.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/ConvertUTF.h"

#include <cerrno>
#include <cstdlib>

namespace sora::dsl {
namespace {

class Lexer {
public:
  explicit Lexer(llvm::StringRef text) : text(text) {}
  std::vector<Token> run();

private:
  char peek(size_t ahead = 0) const {
    return pos + ahead < text.size() ? text[pos + ahead] : '\0';
  }
  void advance() {
    if (text[pos++] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  Token make(TokenKind kind, size_t begin) const {
    Token t;
    t.kind = kind;
    t.text = text.slice(begin, pos).str();
    t.line = startLine;
    t.col = startCol;
    return t;
  }
  Token error(std::string message) const {
    Token t;
    t.kind = TokenKind::Error;
    t.text = std::move(message);
    t.line = startLine;
    t.col = startCol;
    return t;
  }
  Token lexNumber();
  Token lexString();
  bool lexEscape(std::string &out, std::string &message);

  llvm::StringRef text;
  size_t pos = 0;
  unsigned line = 1, col = 1;
  unsigned startLine = 1, startCol = 1;
};

Token Lexer::lexNumber() {
  size_t begin = pos;
  bool isFloat = false;
  while (llvm::isDigit(peek()))
    advance();
  if (peek() == '.') {
    isFloat = true;
    advance();
    if (!llvm::isDigit(peek()))
      return error("malformed number '" + text.slice(begin, pos).str() +
                   "'; write a digit after the '.', e.g. '1.0'");
    while (llvm::isDigit(peek()))
      advance();
  }
  if (peek() == 'e' || peek() == 'E') {
    isFloat = true;
    advance();
    if (peek() == '+' || peek() == '-')
      advance();
    if (!llvm::isDigit(peek()))
      return error("malformed number '" + text.slice(begin, pos).str() +
                   "'; an exponent needs digits, e.g. '1e-5'");
    while (llvm::isDigit(peek()))
      advance();
  }
  if (llvm::isAlpha(peek()) || peek() == '_') {
    while (llvm::isAlnum(peek()) || peek() == '_')
      advance();
    return error("malformed number '" + text.slice(begin, pos).str() +
                 "'; names cannot start with a digit");
  }
  Token t = make(isFloat ? TokenKind::Float : TokenKind::Integer, begin);
  errno = 0;
  if (isFloat) {
    t.number = std::strtod(t.text.c_str(), nullptr);
    if (errno == ERANGE && std::abs(t.number) > 1)
      return error("number '" + t.text + "' is out of range");
  } else {
    t.integer = std::strtoull(t.text.c_str(), nullptr, 10);
    if (errno == ERANGE)
      return error("integer '" + t.text + "' is out of range");
  }
  return t;
}

bool Lexer::lexEscape(std::string &out, std::string &message) {
  char c = peek();
  advance(); // the escaped character
  static const std::pair<char, char> simple[] = {
      {'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
      {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'}};
  for (auto [escape, value] : simple)
    if (c == escape) {
      out += value;
      return true;
    }
  if (c != 'u') {
    message = std::string("unknown escape '\\") + c +
              "' in a string; use \\\" \\\\ \\n \\t or \\uXXXX";
    return false;
  }
  auto hex4 = [&](unsigned &value) {
    value = 0;
    for (int i = 0; i < 4; ++i) {
      if (!llvm::isHexDigit(peek()))
        return false;
      value = value * 16 + llvm::hexDigitValue(peek());
      advance();
    }
    return true;
  };
  unsigned code;
  if (!hex4(code)) {
    message = "'\\u' must be followed by four hex digits";
    return false;
  }
  // UTF-16 surrogates come in pairs, as in JSON.
  if (code >= 0xD800 && code <= 0xDFFF) {
    unsigned low = 0;
    bool paired = code < 0xDC00 && peek() == '\\' && peek(1) == 'u' &&
                  (advance(), advance(), hex4(low)) && low >= 0xDC00 &&
                  low <= 0xDFFF;
    if (!paired) {
      message = "a '\\u' escape in \\uD800-\\uDFFF must be a UTF-16 "
                "surrogate pair (\\uD800-\\uDBFF then \\uDC00-\\uDFFF)";
      return false;
    }
    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
  }
  char buffer[8];
  char *end = buffer;
  llvm::ConvertCodePointToUTF8(code, end);
  out.append(buffer, end);
  return true;
}

Token Lexer::lexString() {
  advance(); // the opening quote
  std::string value, message;
  while (true) {
    char c = peek();
    if (pos >= text.size() || c == '\n')
      return error("unterminated string; add a closing '\"' before the end "
                   "of the line");
    advance();
    if (c == '"')
      break;
    if (c != '\\') {
      value += c;
      continue;
    }
    if (pos >= text.size() || peek() == '\n')
      return error("unterminated string; add a closing '\"' before the end "
                   "of the line");
    unsigned escapeLine = line, escapeCol = col - 1;
    if (!lexEscape(value, message)) {
      // Skip the rest of the string so that lexing resumes after it.
      while (pos < text.size() && peek() != '\n' && peek() != '"')
        advance();
      if (peek() == '"')
        advance();
      Token t = error(message);
      t.line = escapeLine;
      t.col = escapeCol;
      return t;
    }
  }
  Token t = make(TokenKind::String, pos);
  t.text = std::move(value);
  return t;
}

std::vector<Token> Lexer::run() {
  std::vector<Token> tokens;
  static const std::pair<char, TokenKind> punctuation[] = {
      {'=', TokenKind::Equal},    {':', TokenKind::Colon},
      {',', TokenKind::Comma},    {';', TokenKind::Semicolon},
      {'.', TokenKind::Dot},      {'(', TokenKind::LParen},
      {')', TokenKind::RParen},   {'[', TokenKind::LBracket},
      {']', TokenKind::RBracket}, {'{', TokenKind::LBrace},
      {'}', TokenKind::RBrace},   {'+', TokenKind::Plus},
      {'-', TokenKind::Minus},    {'*', TokenKind::Star},
      {'/', TokenKind::Slash}};
  while (true) {
    startLine = line;
    startCol = col;
    if (pos >= text.size()) {
      tokens.push_back(make(TokenKind::Eof, pos));
      return tokens;
    }
    char c = peek();
    size_t begin = pos;
    if (c == ' ' || c == '\t' || c == '\r') {
      advance();
    } else if (c == '#') {
      while (pos < text.size() && peek() != '\n')
        advance();
    } else if (c == '\n') {
      advance();
      tokens.push_back(make(TokenKind::Newline, begin));
    } else if (llvm::isAlpha(c) || c == '_') {
      // Dotted parts (`b1.y`, `s.0`, `layers.0.kernel`) belong to the name.
      auto isPart = [](char ch) { return llvm::isAlnum(ch) || ch == '_'; };
      while (isPart(peek()) || (peek() == '.' && isPart(peek(1))))
        advance();
      tokens.push_back(make(TokenKind::Identifier, begin));
    } else if (llvm::isDigit(c)) {
      tokens.push_back(lexNumber());
    } else if (c == '"') {
      tokens.push_back(lexString());
    } else {
      advance();
      auto *it =
          llvm::find_if(punctuation, [&](auto &p) { return p.first == c; });
      if (it != std::end(punctuation)) {
        tokens.push_back(make(it->second, begin));
      } else if (c == '\'') {
        tokens.push_back(error("strings use double quotes: \"...\""));
      } else {
        // Take a whole UTF-8 sequence so the message shows the character.
        while (pos < text.size() && (peek() & 0xC0) == 0x80)
          advance();
        tokens.push_back(error("unexpected character '" +
                               text.slice(begin, pos).str() + "'"));
      }
    }
  }
}

} // namespace

std::vector<Token> lex(llvm::StringRef text) { return Lexer(text).run(); }

std::string describe(const Token &token) {
  switch (token.kind) {
  case TokenKind::Eof:
    return "end of file";
  case TokenKind::Newline:
    return "end of line";
  case TokenKind::String:
    return "string \"" + token.text + "\"";
  case TokenKind::Error:
    return "invalid token";
  default:
    return "'" + token.text + "'";
  }
}

bool isIdentifier(llvm::StringRef word) {
  if (word.empty() || !(llvm::isAlpha(word[0]) || word[0] == '_'))
    return false;
  return llvm::all_of(word.drop_front(),
                      [](char c) { return llvm::isAlnum(c) || c == '_'; });
}

bool isDottedName(llvm::StringRef name) {
  llvm::SmallVector<llvm::StringRef> parts;
  name.split(parts, '.');
  return isIdentifier(parts.front()) &&
         llvm::all_of(parts, [](llvm::StringRef part) {
           return !part.empty() && llvm::all_of(part, [](char c) {
             return llvm::isAlnum(c) || c == '_';
           });
         });
}

} // namespace sora::dsl
