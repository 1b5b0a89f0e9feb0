//===- DslParticles.cpp - .sora particles and attribute values ------------===//
//
// `NAME = op(inputs..., key=value...)` and `NAME = a + b`: the particles of a
// model or a composite, and the values of their attributes.
//
//===----------------------------------------------------------------------===//

#include "DslParser.h"

#include "sora/Support/Json.h"

#include <cstdint>

using nlohmann::json;

namespace sora::dsl {

//===----------------------------------------------------------------------===//
// Names and values
//===----------------------------------------------------------------------===//

bool Parser::checkWord(const Token &t, const std::string &what) {
  if (isIdentifier(t.text))
    return true;
  error(t) << what << " must be an identifier, without dots; got '" << t.text
           << "'";
  return false;
}

std::optional<std::string> Parser::parseName(const std::string &what) {
  if (!atName()) {
    expected(what);
    return std::nullopt;
  }
  if (at(TokenKind::String) && tok().text.empty()) {
    error(tok()) << "a name cannot be empty";
    return std::nullopt;
  }
  const Token &last = take();
  std::string name = last.text;
  // `y.` and `y. z`: a dot that no name part follows.
  if (last.is(TokenKind::Identifier) && at(TokenKind::Dot) &&
      tok().line == last.line && tok().col == last.col + last.text.size()) {
    take();
    expected("letters, digits or '_' after '" + name + ".'");
    return std::nullopt;
  }
  return name;
}

std::optional<json> Parser::parseValue(unsigned depth) {
  const Token &t = tok();
  switch (t.kind) {
  case TokenKind::Integer:
    if (t.integer > uint64_t(INT64_MAX)) {
      error(t) << "integer '" << t.text << "' is out of range";
      return std::nullopt;
    }
    // Like nlohmann::json, non-negative integers are unsigned.
    return json(take().integer);
  case TokenKind::Float:
    return json(take().number);
  case TokenKind::String:
    return json(take().text);
  case TokenKind::Identifier:
    take();
    if (t.text == "true" || t.text == "false")
      return json(t.text == "true");
    return json(t.text);
  case TokenKind::Minus: {
    take();
    const Token &n = tok();
    if (n.is(TokenKind::Float))
      return json(-take().number);
    if (!n.is(TokenKind::Integer)) {
      expected("a number after '-'");
      return std::nullopt;
    }
    if (n.integer > uint64_t(INT64_MAX) + 1) {
      error(n) << "integer '-" << n.text << "' is out of range";
      return std::nullopt;
    }
    return json(int64_t(0 - take().integer));
  }
  case TokenKind::LBracket: {
    if (depth == kMaxJsonDepth) {
      error(t) << "lists nest deeper than " << kMaxJsonDepth << " levels";
      return std::nullopt;
    }
    const Token &opener = take();
    json list = json::array();
    while (true) {
      skipNewlines();
      if (at(TokenKind::RBracket))
        break;
      std::optional<json> element = parseValue(depth + 1);
      if (!element)
        return std::nullopt;
      list.push_back(std::move(*element));
      skipNewlines();
      if (at(TokenKind::Comma)) {
        take();
        continue;
      }
      if (!at(TokenKind::RBracket)) {
        expectedInList("',' or ']' in the list", opener);
        return std::nullopt;
      }
    }
    take();
    return list;
  }
  default:
    expected("a value (a number, a string, true or false, a word like "
             "'relu', or a list [...])");
    return std::nullopt;
  }
}

//===----------------------------------------------------------------------===//
// Particles
//===----------------------------------------------------------------------===//

bool Parser::parseKeyword(ParticleDecl &p) {
  const Token &key = take();
  take(); // '='
  if (!checkWord(key, "an attribute name"))
    return false;
  if (key.text == "name" || key.text == "op" || key.text == "input" ||
      key.text == "inputs") {
    error(key) << "'" << key.text
               << "' is not an attribute: give the particle's inputs as "
                  "names before the attributes, as in 'dense(x, units=4)'";
    return false;
  }
  if (p.attrs.contains(key.text)) {
    error(key) << "attribute '" << key.text << "' is given twice";
    return false;
  }
  SourceLoc where = loc(tok());
  std::optional<json> value = parseValue();
  if (!value)
    return false;
  p.attrs[key.text] = std::move(*value);
  p.attrLocs[key.text] = where;
  p.attrKeyLocs[key.text] = loc(key);
  return true;
}

bool Parser::parseCall(ParticleDecl &p) {
  const Token &op = take();
  if (!checkWord(op, "an op name"))
    return false;
  p.op = op.text;
  // Not an attribute: where MLIRGen reports an unknown op (locOf("op")).
  p.attrLocs["op"] = loc(op);
  const Token &opener = take(); // '('
  bool keywords = false;
  while (true) {
    skipNewlines();
    if (at(TokenKind::RParen))
      break;
    if (at(TokenKind::Identifier) && tok(1).is(TokenKind::Equal)) {
      keywords = true;
      if (!parseKeyword(p))
        return false;
    } else if (atName()) {
      if (keywords) {
        error(tok()) << "input '" << tok().text
                     << "' after attributes; give the inputs first, as in "
                        "'dense(x, units=4)'";
        return false;
      }
      p.inputLocs.push_back(loc(tok()));
      std::optional<std::string> name = parseName("an input name");
      if (!name)
        return false;
      p.inputs.push_back(*name);
    } else if (at(TokenKind::Integer) || at(TokenKind::Float) ||
               at(TokenKind::Minus) || at(TokenKind::LBracket)) {
      error(tok()) << "a value needs a key: inputs are names and attributes "
                      "are 'key=value', as in 'dense(x, units=4)'";
      return false;
    } else {
      return expectedInList("an input name or an attribute 'key=value'",
                            opener);
    }
    skipNewlines();
    if (at(TokenKind::Comma)) {
      take();
      continue;
    }
    if (!at(TokenKind::RParen))
      return expectedInList("',' or ')' after the argument", opener);
  }
  take();
  return true;
}

bool Parser::parseBinary(ParticleDecl &p) {
  static const std::pair<TokenKind, const char *> ops[] = {
      {TokenKind::Plus, "add"},
      {TokenKind::Minus, "sub"},
      {TokenKind::Star, "mul"},
      {TokenKind::Slash, "div"}};
  auto opOf = [&](const Token &t) -> const char * {
    for (auto &[kind, name] : ops)
      if (t.is(kind))
        return name;
    return nullptr;
  };
  p.inputLocs.push_back(loc(tok()));
  std::optional<std::string> lhs = parseName("a name");
  if (!lhs)
    return false;
  p.inputs.push_back(*lhs);
  const char *op = opOf(tok());
  if (!op)
    return expected("'(' and inputs, or an operator (+, -, *, /), after '" +
                    p.inputs[0] + "'");
  p.op = op;
  p.attrLocs["op"] = loc(take());
  p.inputLocs.push_back(loc(tok()));
  std::optional<std::string> rhs =
      parseName("a name after '" + tokens[index - 1].text + "'");
  if (!rhs)
    return false;
  p.inputs.push_back(*rhs);
  if (opOf(tok())) {
    error(tok()) << "one operation per statement: give '" << p.inputs[0] << " "
                 << tokens[index - 2].text << " " << p.inputs[1]
                 << "' a name first";
    return false;
  }
  return true;
}

bool Parser::parseAssignment(std::vector<ParticleDecl> &particles) {
  ParticleDecl p;
  p.loc = loc(tok());
  std::optional<std::string> name = parseName("a name");
  if (!name)
    return false;
  p.name = *name;
  take(); // '='
  p.attrs = json::object();
  bool ok;
  if (at(TokenKind::Identifier) && tok(1).is(TokenKind::LParen))
    ok = parseCall(p);
  else if (atName())
    ok = parseBinary(p);
  else
    ok = expected("a particle like 'relu(x)' or an operation like 'a + b' "
                  "after '='");
  if (!ok || !endStatement())
    return false;
  particles.push_back(std::move(p));
  return true;
}

} // namespace sora::dsl
