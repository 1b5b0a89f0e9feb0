//===- TuningDatabase.cpp - Tuned schedules, one JSON file ----------------===//
//
//   {"format": "soracc-tuning-db", "version": 3, "entries": [
//     {"kernel": "...", "target": "x86-64-avx2", "threads": 2,
//      "schedule": {"vector": 8, ...}, "default_schedule": {...},
//      "median_us": 10.5, "default_median_us": 12.5, "trials": 40,
//      "complete": true, "date": "...", "machine": "..."}]}
//
// Version 2 added the schedule field gpu_threads, version 3 winograd; an
// older database is read with their fallbacks (what its schedules meant).
//
//===----------------------------------------------------------------------===//

#include "sora/Tuning/TuningDatabase.h"
#include "sora/Support/Json.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace sora {
namespace {

using json = nlohmann::ordered_json;

constexpr const char *kFormat = "soracc-tuning-db";
constexpr int kVersion = 3;

/// A malformed database: the message names the place in it.
struct Malformed {
  std::string message;
};

const json &member(const json &object, const char *key,
                   const std::string &where) {
  auto it = object.find(key);
  if (it == object.end())
    throw Malformed{where + ": missing \"" + key + "\""};
  return *it;
}

std::string stringMember(const json &object, const char *key,
                         const std::string &where) {
  const json &value = member(object, key, where);
  if (!value.is_string())
    throw Malformed{where + "." + key + ": expected a string"};
  return value.get<std::string>();
}

int64_t integerMember(const json &object, const char *key, int64_t min,
                      int64_t max, const std::string &where) {
  const json &value = member(object, key, where);
  if (!value.is_number_integer() ||
      (value.is_number_unsigned() &&
       value.get<uint64_t>() > (uint64_t)INT64_MAX))
    throw Malformed{where + "." + key + ": expected an integer"};
  int64_t v = value.get<int64_t>();
  if (v < min || v > max)
    throw Malformed{where + "." + key + ": " + std::to_string(v) +
                    " is outside [" + std::to_string(min) + ", " +
                    std::to_string(max) + "]"};
  return v;
}

double numberMember(const json &object, const char *key,
                    const std::string &where) {
  const json &value = member(object, key, where);
  if (!value.is_number() || value.get<double>() < 0)
    throw Malformed{where + "." + key + ": expected a non-negative number"};
  return value.get<double>();
}

ScheduleRecord readSchedule(const json &object, const char *key,
                            const std::string &at, int64_t version) {
  std::string where = at + "." + key;
  const json &value = member(object, key, at);
  if (!value.is_object())
    throw Malformed{where + ": expected an object"};
  size_t count;
  const ScheduleField *fields = scheduleFields(count);
  PartialSchedule record;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const ScheduleField *field =
        std::find_if(fields, fields + count,
                     [&](const ScheduleField &f) { return it.key() == f.key; });
    if (field == fields + count)
      throw Malformed{where + ": unknown field \"" + it.key() + "\""};
    record.*field->member =
        integerMember(value, field->key, field->min, field->max, where);
  }
  // Fields a database of that version did not have: their fallback is
  // what its schedules meant.
  if (version < 2 && !record.gpuThreads)
    record.gpuThreads = ScheduleRecord().gpuThreads;
  if (version < 3 && !record.winograd)
    record.winograd = ScheduleRecord().winograd;
  if (!record.isComplete())
    throw Malformed{where + ": a schedule names every field"};
  if (std::string message = checkSchedule(record); !message.empty())
    throw Malformed{where + ": " + message};
  return record.complete(ScheduleRecord());
}

json writeSchedule(const ScheduleRecord &schedule) {
  PartialSchedule record = PartialSchedule::of(schedule);
  size_t count;
  const ScheduleField *fields = scheduleFields(count);
  json object = json::object();
  for (size_t i = 0; i < count; ++i)
    object[fields[i].key] = *(record.*fields[i].member);
  return object;
}

TuningEntry readEntry(const json &value, const std::string &where,
                      int64_t version) {
  if (!value.is_object())
    throw Malformed{where + ": expected an object"};
  TuningEntry e;
  e.kernel = stringMember(value, "kernel", where);
  e.target = stringMember(value, "target", where);
  e.threads = (int)integerMember(value, "threads", 1, 1024, where);
  e.schedule = readSchedule(value, "schedule", where, version);
  e.defaultSchedule = readSchedule(value, "default_schedule", where, version);
  e.medianUs = numberMember(value, "median_us", where);
  e.defaultMedianUs = numberMember(value, "default_median_us", where);
  e.trials = (int)integerMember(value, "trials", 0, 1 << 30, where);
  const json &complete = member(value, "complete", where);
  if (!complete.is_boolean())
    throw Malformed{where + ".complete: expected true or false"};
  e.complete = complete.get<bool>();
  e.date = stringMember(value, "date", where);
  e.machine = stringMember(value, "machine", where);
  return e;
}

json writeEntry(const TuningEntry &e) {
  return json{{"kernel", e.kernel},
              {"target", e.target},
              {"threads", e.threads},
              {"schedule", writeSchedule(e.schedule)},
              {"default_schedule", writeSchedule(e.defaultSchedule)},
              {"median_us", e.medianUs},
              {"default_median_us", e.defaultMedianUs},
              {"trials", e.trials},
              {"complete", e.complete},
              {"date", e.date},
              {"machine", e.machine}};
}

bool sameKey(const TuningEntry &a, const TuningEntry &b) {
  return a.kernel == b.kernel && a.target == b.target && a.threads == b.threads;
}

} // namespace

std::string DatabaseError::str() const {
  std::string at = path;
  if (line)
    at += ":" + std::to_string(line) + ":" + std::to_string(column);
  return at + ": error: " + message;
}

bool TuningDatabase::load(const std::string &path, bool mayBeMissing,
                          DatabaseError &error) {
  all.clear();
  error = DatabaseError{path, 0, 0, ""};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (mayBeMissing && access(path.c_str(), F_OK) != 0)
      return true;
    error.message = "cannot read the tuning database";
    return false;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  JsonError parseError;
  std::optional<json> parsed = parseJson<json>(text, parseError);
  if (!parsed) {
    error.line = (int)parseError.line;
    error.column = (int)parseError.column;
    error.message = "not valid JSON: " + parseError.message;
    return false;
  }
  const json &document = *parsed;
  try {
    if (!document.is_object() || !document.contains("format") ||
        document["format"] != kFormat)
      throw Malformed{"not a soracc tuning database (it has no \"format\": "
                      "\"" +
                      std::string(kFormat) + "\")"};
    int64_t version =
        integerMember(document, "version", 0, 1 << 30, "the database");
    if (version < 1 || version > kVersion)
      throw Malformed{"version " + std::to_string(version) +
                      " is not a version this soracc reads (1 to " +
                      std::to_string(kVersion) + ")"};
    const json &entries = member(document, "entries", "the database");
    if (!entries.is_array())
      throw Malformed{"entries: expected an array"};
    for (size_t i = 0; i < entries.size(); ++i)
      put(readEntry(entries[i], "entries[" + std::to_string(i) + "]", version));
  } catch (const Malformed &m) {
    all.clear();
    error.message = m.message;
    return false;
  } catch (const json::exception &e) {
    all.clear();
    error.message = e.what();
    return false;
  }
  return true;
}

bool TuningDatabase::save(const std::string &path, DatabaseError &error) const {
  error = DatabaseError{path, 0, 0, "cannot write the tuning database"};
  json entries = json::array();
  for (const TuningEntry &e : all)
    entries.push_back(writeEntry(e));
  json document{
      {"format", kFormat}, {"version", kVersion}, {"entries", entries}};
  std::string temporary = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << document.dump(1, ' ', false, json::error_handler_t::replace) << "\n";
    if (!out.flush()) {
      std::remove(temporary.c_str());
      return false;
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

const TuningEntry *TuningDatabase::find(const std::string &kernel,
                                        const std::string &target,
                                        int threads) const {
  for (const TuningEntry &e : all)
    if (e.kernel == kernel && e.target == target && e.threads == threads)
      return &e;
  return nullptr;
}

std::vector<int> TuningDatabase::threadCounts(const std::string &kernel,
                                              const std::string &target) const {
  std::vector<int> counts;
  for (const TuningEntry &e : all)
    if (e.kernel == kernel && e.target == target)
      counts.push_back(e.threads);
  std::sort(counts.begin(), counts.end());
  return counts;
}

void TuningDatabase::put(const TuningEntry &entry) {
  for (TuningEntry &e : all)
    if (sameKey(e, entry)) {
      e = entry;
      return;
    }
  all.push_back(entry);
}

std::string thisMachine() {
  std::string cpu = "unknown CPU";
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);)
    if (line.rfind("model name", 0) == 0 &&
        line.find(':') != std::string::npos) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0)
    host[0] = 0;
  return cpu + " (" + (host[0] ? host : "unknown host") + ")";
}

std::string utcNow() {
  std::time_t now = std::time(nullptr);
  std::tm utc;
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

} // namespace sora
