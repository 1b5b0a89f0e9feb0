//===- ParticleAttrs.h - Typed reads of a particle's attributes -*- C++ -*-===//
#ifndef SORA_FRONTEND_PARTICLEATTRS_H
#define SORA_FRONTEND_PARTICLEATTRS_H

#include "sora/Core/Shape.h"
#include "sora/Frontend/ModelAST.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ArrayRef.h"

#include <array>
#include <optional>

namespace sora {

/// Reads attributes of one particle with defaults and range checks,
/// reporting each problem at the attribute's own place.
class ParticleAttrs {
public:
  ParticleAttrs(const ParticleDecl &particle, mlir::MLIRContext &context)
      : particle(particle), context(context) {}

  /// "particle 'c1' (conv2d)", the prefix of every message.
  std::string owner() const;
  mlir::InFlightDiagnostic error(const std::string &key);
  /// Where a shape rule reports a mistake in attribute `key`: like error().
  ShapeError shapeError(const std::string &key) {
    return ShapeError(
        [this, key](const std::string &message) { error(key) << message; });
  }

  std::optional<int64_t> positiveInt(const std::string &key,
                                     std::optional<int64_t> fallback);
  /// An int or a [h, w] pair of positive ints.
  std::optional<std::array<int64_t, 2>>
  positivePair(const std::string &key,
               std::optional<std::array<int64_t, 2>> fallback);
  /// A required int or [h, w] pair of non-negative ints.
  std::optional<std::array<int64_t, 2>> nonNegativePair(const std::string &key);
  std::optional<bool> boolean(const std::string &key, bool fallback);
  /// One of `choices`; the first is the default.
  std::optional<std::string> choice(const std::string &key,
                                    llvm::ArrayRef<const char *> choices);
  /// An array of integers; `allowEmpty`: [] too (a rank-0 shape).
  std::optional<std::vector<int64_t>> intList(const std::string &key,
                                              bool allowEmpty = false);
  std::optional<int64_t> integer(const std::string &key, int64_t fallback);
  /// A finite number (integer or not); nullopt (after an error when the
  /// value is not a number, or when it is missing and there is no fallback).
  std::optional<double> number(const std::string &key,
                               std::optional<double> fallback);
  /// A finite number or a non-empty list of them (normalize's mean/std);
  /// nullopt after an error, or when missing and there is no fallback.
  std::optional<std::vector<double>> numbers(const std::string &key,
                                             std::optional<double> fallback);
  /// A non-empty list of [a, b] integer pairs (e.g. pad's [before, after]).
  std::optional<std::vector<std::array<int64_t, 2>>>
  intPairs(const std::string &key);
  /// Whether attribute `key` is given as a JSON array.
  bool isArray(const std::string &key) const {
    auto it = particle.attrs.find(key);
    return it != particle.attrs.end() && it->is_array();
  }
  /// Whether the particle gives attribute `key`.
  bool has(const std::string &key) const {
    return particle.attrs.contains(key);
  }

  /// Reports every attribute not in `known` (with the nearest known name).
  /// Returns false if any.
  bool checkKnown(const std::vector<std::string> &known);
  bool failed() const { return hadError; }

private:
  const nlohmann::json *find(const std::string &key);
  std::optional<std::array<int64_t, 2>>
  boundedPair(const std::string &key,
              std::optional<std::array<int64_t, 2>> fallback, int64_t least,
              const char *what);

  const ParticleDecl &particle;
  mlir::MLIRContext &context;
  bool hadError = false;
};

} // namespace sora

#endif
