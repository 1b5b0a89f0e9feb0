//===- ParticleAttrs.cpp - Particle dialect attributes --------------------===//
//
// #particle.schedule<key = value, ...>: the fields of ScheduleFields.def, in
// any order when parsed, in .def order when printed.
//
//===----------------------------------------------------------------------===//

#include "sora/Dialect/Particle/ParticleAttrs.h"
#include "sora/Dialect/Particle/ParticleDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace sora::particle;

namespace sora {
// NOLINTNEXTLINE(readability-identifier-naming)
llvm::hash_code hash_value(const PartialSchedule &record) {
  size_t count;
  const ScheduleField *fields = scheduleFields(count);
  llvm::hash_code hash = llvm::hash_value(count);
  for (size_t i = 0; i < count; ++i) {
    const std::optional<int64_t> &value = record.*fields[i].member;
    hash = llvm::hash_combine(hash, value.has_value(), value.value_or(0));
  }
  return hash;
}
} // namespace sora

#define GET_ATTRDEF_CLASSES
#include "sora/Dialect/Particle/ParticleAttrs.cpp.inc"

void ParticleDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sora/Dialect/Particle/ParticleAttrs.cpp.inc"
      >();
}

Attribute ScheduleAttr::parse(AsmParser &parser, Type) {
  size_t count;
  const sora::ScheduleField *fields = sora::scheduleFields(count);
  auto known = [&] {
    std::string names;
    for (size_t i = 0; i < count; ++i)
      names += (i ? ", " : "") + std::string(fields[i].key);
    return names;
  };
  sora::PartialSchedule record;
  if (parser.parseLess())
    return {};
  if (succeeded(parser.parseOptionalGreater()))
    return get(parser.getContext(), record);
  do {
    SMLoc at = parser.getCurrentLocation();
    std::string key;
    if (parser.parseKeywordOrString(&key))
      return {};
    const sora::ScheduleField *field = nullptr;
    for (size_t i = 0; i < count; ++i)
      if (key == fields[i].key)
        field = &fields[i];
    if (!field) {
      parser.emitError(at) << "unknown schedule field '" << key
                           << "'; known: " << known();
      return {};
    }
    if (record.*field->member) {
      parser.emitError(at) << "schedule field '" << key << "' is repeated";
      return {};
    }
    int64_t value = 0;
    if (parser.parseEqual() || parser.parseInteger(value))
      return {};
    record.*field->member = value;
  } while (succeeded(parser.parseOptionalComma()));
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); },
                    parser.getContext(), record);
}

void ScheduleAttr::print(AsmPrinter &printer) const {
  size_t count;
  const sora::ScheduleField *fields = sora::scheduleFields(count);
  sora::PartialSchedule record = getRecord();
  printer << '<';
  bool first = true;
  for (size_t i = 0; i < count; ++i)
    if (const std::optional<int64_t> &value = record.*fields[i].member) {
      printer << (first ? "" : ", ") << fields[i].key << " = " << *value;
      first = false;
    }
  printer << '>';
}

LogicalResult ScheduleAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   sora::PartialSchedule record) {
  std::string error = sora::checkSchedule(record);
  if (!error.empty())
    return emitError() << "invalid schedule: " << error;
  return success();
}
