//===- ParticleAttrs.cpp - Typed reads of a particle's attributes ---------===//

#include "ParticleAttrs.h"

#include "sora/Frontend/Diagnostics.h"
#include "sora/Support/Json.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"

#include <cmath>

using nlohmann::json;

namespace sora {

std::string ParticleAttrs::owner() const {
  return "particle '" + particle.name + "' (" + particle.op + ")";
}

mlir::InFlightDiagnostic ParticleAttrs::error(const std::string &key) {
  hadError = true;
  return emitErrorAt(&context, particle.locOf(key)) << owner() << ": ";
}

const json *ParticleAttrs::find(const std::string &key) {
  auto it = particle.attrs.find(key);
  return it == particle.attrs.end() ? nullptr : &*it;
}

std::optional<int64_t>
ParticleAttrs::positiveInt(const std::string &key,
                           std::optional<int64_t> fallback) {
  const json *v = find(key);
  if (!v) {
    if (!fallback)
      error(key) << "missing required attribute '" << key << "'";
    return fallback;
  }
  if (!v->is_number_integer() || v->get<int64_t>() < 1) {
    error(key) << "'" << key << "' must be a positive integer, got "
               << describeJson(*v);
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<int64_t> ParticleAttrs::integer(const std::string &key,
                                              int64_t fallback) {
  const json *v = find(key);
  if (!v)
    return fallback;
  if (!v->is_number_integer()) {
    error(key) << "'" << key << "' must be an integer, got "
               << describeJson(*v);
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<double> ParticleAttrs::number(const std::string &key,
                                            std::optional<double> fallback) {
  const json *v = find(key);
  if (!v) {
    if (!fallback)
      error(key) << "missing required attribute '" << key << "'";
    return fallback;
  }
  if (!v->is_number() || !std::isfinite(v->get<double>())) {
    error(key) << "'" << key << "' must be a number, got " << describeJson(*v);
    return std::nullopt;
  }
  return v->get<double>();
}

std::optional<std::vector<double>>
ParticleAttrs::numbers(const std::string &key, std::optional<double> fallback) {
  const json *v = find(key);
  if (!v) {
    if (!fallback) {
      error(key) << "missing required attribute '" << key << "'";
      return std::nullopt;
    }
    return std::vector<double>{*fallback};
  }
  auto finite = [](const json &x) {
    return x.is_number() && std::isfinite(x.get<double>());
  };
  if (finite(*v))
    return std::vector<double>{v->get<double>()};
  if (!v->is_array() || v->empty() || !llvm::all_of(*v, finite)) {
    error(key) << "'" << key
               << "' must be a number or a non-empty list of numbers, got "
               << describeJson(*v);
    return std::nullopt;
  }
  return v->get<std::vector<double>>();
}

std::optional<std::array<int64_t, 2>>
ParticleAttrs::positivePair(const std::string &key,
                            std::optional<std::array<int64_t, 2>> fallback) {
  return boundedPair(key, fallback, 1, "positive");
}

std::optional<std::array<int64_t, 2>>
ParticleAttrs::nonNegativePair(const std::string &key) {
  return boundedPair(key, std::nullopt, 0, "non-negative");
}

std::optional<std::array<int64_t, 2>>
ParticleAttrs::boundedPair(const std::string &key,
                           std::optional<std::array<int64_t, 2>> fallback,
                           int64_t least, const char *what) {
  const json *v = find(key);
  if (!v) {
    if (!fallback)
      error(key) << "missing required attribute '" << key << "'";
    return fallback;
  }
  auto inRange = [least](const json &x) {
    return x.is_number_integer() && x.get<int64_t>() >= least;
  };
  if (inRange(*v))
    return std::array<int64_t, 2>{v->get<int64_t>(), v->get<int64_t>()};
  if (v->is_array() && v->size() == 2 && inRange((*v)[0]) && inRange((*v)[1]))
    return std::array<int64_t, 2>{(*v)[0].get<int64_t>(),
                                  (*v)[1].get<int64_t>()};
  error(key) << "'" << key << "' must be a " << what
             << " integer or a pair [h, w] of them, got " << describeJson(*v);
  return std::nullopt;
}

std::optional<bool> ParticleAttrs::boolean(const std::string &key,
                                           bool fallback) {
  const json *v = find(key);
  if (!v)
    return fallback;
  if (!v->is_boolean()) {
    error(key) << "'" << key << "' must be true or false, got "
               << describeJson(*v);
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::string>
ParticleAttrs::choice(const std::string &key,
                      llvm::ArrayRef<const char *> choices) {
  const json *v = find(key);
  if (!v)
    return std::string(choices.front());
  if (v->is_string() &&
      llvm::is_contained(choices, llvm::StringRef(v->get<std::string>())))
    return v->get<std::string>();
  auto diag = error(key);
  diag << "'" << key << "' must be one of ";
  llvm::interleave(
      choices, [&](const char *c) { diag << '"' << c << '"'; },
      [&] { diag << ", "; });
  diag << "; got " << describeJson(*v);
  return std::nullopt;
}

std::optional<std::vector<int64_t>>
ParticleAttrs::intList(const std::string &key, bool allowEmpty) {
  const json *v = find(key);
  if (!v) {
    error(key) << "missing required attribute '" << key << "'";
    return std::nullopt;
  }
  if (!v->is_array() || (v->empty() && !allowEmpty) ||
      !llvm::all_of(*v, [](const json &d) { return d.is_number_integer(); })) {
    error(key) << "'" << key << "' must be a"
               << (allowEmpty ? "n" : " non-empty") << " array of integers";
    return std::nullopt;
  }
  return v->get<std::vector<int64_t>>();
}

std::optional<std::vector<std::array<int64_t, 2>>>
ParticleAttrs::intPairs(const std::string &key) {
  const json *v = find(key);
  if (!v) {
    error(key) << "missing required attribute '" << key << "'";
    return std::nullopt;
  }
  auto isPair = [](const json &x) {
    return x.is_array() && x.size() == 2 && x[0].is_number_integer() &&
           x[1].is_number_integer();
  };
  if (!v->is_array() || v->empty() || !llvm::all_of(*v, isPair)) {
    error(key) << "'" << key
               << "' must be a non-empty array of [before, after] integer "
                  "pairs, got "
               << describeJson(*v);
    return std::nullopt;
  }
  std::vector<std::array<int64_t, 2>> pairs;
  for (const json &x : *v)
    pairs.push_back({x[0].get<int64_t>(), x[1].get<int64_t>()});
  return pairs;
}

bool ParticleAttrs::checkKnown(const std::vector<std::string> &known) {
  bool ok = true;
  for (auto &[key, value] : particle.attrs.items()) {
    if (llvm::is_contained(known, key))
      continue;
    ok = false;
    hadError = true;
    auto diag = emitErrorAt(&context, particle.attrKeyLocs.at(key))
                << owner() << ": unknown attribute '" << key << "'";
    addSpellingHint(diag, key, known);
  }
  return ok;
}

} // namespace sora
