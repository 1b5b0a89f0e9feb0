//===- WeightStore.cpp - The parameter tensors of a model -----------------===//

#include "sora/Frontend/WeightStore.h"
#include "sora/Core/Shape.h"
#include "sora/Frontend/Diagnostics.h"
#include "sora/Support/Json.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>

using nlohmann::json;

namespace sora {

WeightStore::~WeightStore() = default;

static std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::unique_ptr<WeightStore>
WeightStore::fromSafetensors(const std::string &path, const SourceLoc &where,
                             mlir::MLIRContext &context) {
  auto fail = [&]() { return emitErrorAt(&context, where); };
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    fail() << "cannot read weights file '" << path
           << "': " << buffer.getError().message()
           << (buffer.getError() == std::errc::no_such_file_or_directory
                   ? " (give the weights with --weights FILE, or compile "
                     "with --random-weights SEED for seeded random ones)"
                   : "");
    return nullptr;
  }
  llvm::StringRef data = (*buffer)->getBuffer();
  auto corrupt = [&]() {
    return fail() << "corrupt safetensors file '" << path << "': ";
  };
  if (data.size() < 8) {
    corrupt() << "only " << data.size() << " bytes, not even a header length";
    return nullptr;
  }
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = headerSize << 8 | (uint8_t)data[i];
  if (headerSize > data.size() - 8) {
    corrupt() << "header length " << headerSize << " exceeds the file size "
              << data.size();
    return nullptr;
  }
  JsonError jsonError;
  std::optional<json> header =
      parseJson<json>(data.substr(8, headerSize).str(), jsonError);
  if (!header || !header->is_object()) {
    corrupt() << "the header is not a JSON object"
              << (header ? ""
                         : " (at its byte column " +
                               std::to_string(jsonError.column) + ": " +
                               jsonError.message + ")");
    return nullptr;
  }
  auto store = std::unique_ptr<WeightStore>(new WeightStore());
  store->source = "'" + path + "'";
  size_t payload = data.size() - 8 - headerSize;
  const char *base = data.data() + 8 + headerSize;
  for (auto &[name, entry] : header->items()) {
    if (name == "__metadata__")
      continue;
    if (!entry.is_object() || !entry.contains("dtype") ||
        !entry.contains("shape") || !entry.contains("data_offsets") ||
        !entry["dtype"].is_string() || !entry["shape"].is_array() ||
        !entry["data_offsets"].is_array() ||
        entry["data_offsets"].size() != 2 ||
        !llvm::all_of(entry["shape"],
                      [](const json &d) {
                        return d.is_number_integer() && d.get<int64_t>() >= 0;
                      }) ||
        !llvm::all_of(entry["data_offsets"],
                      [](const json &d) { return d.is_number_unsigned(); })) {
      corrupt() << "tensor '" << name
                << "' lacks a valid dtype, shape or data_offsets";
      return nullptr;
    }
    std::string dtype = entry["dtype"].get<std::string>();
    if (dtype != "F32") {
      fail() << "weight '" << name << "' in '" << path << "' has dtype "
             << dtype << "; soracc needs F32";
      return nullptr;
    }
    Tensor t;
    t.shape = entry["shape"].get<std::vector<int64_t>>();
    uint64_t begin = entry["data_offsets"][0], end = entry["data_offsets"][1];
    std::optional<int64_t> count = checkedNumElements(t.shape);
    if (!count || *count > INT64_MAX / 4 || begin > end || end > payload ||
        end - begin != (uint64_t)*count * 4) {
      corrupt() << "tensor '" << name << "' has data_offsets [" << begin << ", "
                << end << "] that do not hold " << formatShape(t.shape)
                << " f32 values within the " << payload << " data bytes";
      return nullptr;
    }
    t.bytes = base + begin;
    store->tensors.emplace(name, std::move(t));
  }
  store->file = std::move(*buffer);
  return store;
}

/// Flattens nested arrays of numbers into `out`, recording the shape.
static bool flattenNested(const json &value, size_t depth,
                          std::vector<int64_t> &shape,
                          std::vector<float> &out) {
  if (value.is_number()) {
    if (depth != shape.size())
      return false;
    out.push_back(value.get<float>());
    return true;
  }
  if (!value.is_array() || value.empty())
    return false;
  if (depth == shape.size())
    shape.push_back((int64_t)value.size());
  else if (shape[depth] != (int64_t)value.size())
    return false;
  for (const json &v : value)
    if (!flattenNested(v, depth + 1, shape, out))
      return false;
  return true;
}

std::unique_ptr<WeightStore>
WeightStore::fromInline(const WeightsDecl &decl, mlir::MLIRContext &context) {
  auto store = std::unique_ptr<WeightStore>(new WeightStore());
  store->source = "the model's inline weights";
  bool ok = true;
  for (auto &[name, value] : decl.tensors.items()) {
    Tensor t;
    if (!flattenNested(value, 0, t.shape, t.owned)) {
      emitErrorAt(&context, decl.tensorLocs.at(name))
          << "weight '" << name
          << "' must be a number or a rectangular nested array of numbers";
      ok = false;
      continue;
    }
    t.bytes = reinterpret_cast<const char *>(t.owned.data());
    store->tensors.emplace(name, std::move(t));
  }
  if (!ok)
    return nullptr;
  return store;
}

std::unique_ptr<WeightStore> WeightStore::fromTensors(
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>
        tensors,
    std::string description) {
  auto store = std::unique_ptr<WeightStore>(new WeightStore());
  store->source = std::move(description);
  for (auto &[name, tensor] : tensors) {
    Tensor t;
    t.shape = std::move(tensor.first);
    t.owned = std::move(tensor.second);
    t.bytes = reinterpret_cast<const char *>(t.owned.data());
    store->tensors.emplace(name, std::move(t));
  }
  return store;
}

std::unique_ptr<WeightStore> WeightStore::random(uint64_t seed) {
  auto store = std::unique_ptr<WeightStore>(new WeightStore());
  store->source = "random weights (seed " + std::to_string(seed) + ")";
  store->seed = seed;
  return store;
}

std::unique_ptr<WeightStore> WeightStore::none() {
  auto store = std::unique_ptr<WeightStore>(new WeightStore());
  store->source = "no weights (the model names none: give \"weights\" in the "
                  "model, --weights FILE or --random-weights SEED)";
  return store;
}

/// splitmix64: a small, well-mixed, portable generator.
static uint64_t nextRandom(uint64_t &state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// FNV-1a, so that generated weights do not depend on the C++ library.
static uint64_t hashName(const std::string &name) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name)
    h = (h ^ c) * 0x100000001b3ull;
  return h;
}

bool WeightStore::require(const std::string &name,
                          const std::vector<int64_t> &shape, int64_t fanIn,
                          const SourceLoc &where, const std::string &owner,
                          const std::string &layout,
                          mlir::MLIRContext &context) {
  auto it = tensors.find(name);
  if (it == tensors.end() && seed) {
    Tensor t;
    t.shape = shape;
    t.owned.resize(numElements(shape));
    uint64_t state = *seed ^ hashName(name);
    float bound = 1.0f / std::sqrt((float)std::max<int64_t>(fanIn, 1));
    // Variances must be positive: draw them around 1 instead.
    bool positive = llvm::StringRef(name).ends_with(".moving_variance");
    for (float &v : t.owned) {
      v = bound * (2.0f * (float)(nextRandom(state) >> 40) / (1 << 24) - 1.0f);
      if (positive)
        v = 1.0f + 0.5f * v / bound;
    }
    t.bytes = reinterpret_cast<const char *>(t.owned.data());
    it = tensors.emplace(name, std::move(t)).first;
  }
  if (it == tensors.end()) {
    emitErrorAt(&context, where)
        << owner << ": missing weight '" << name << "' " << layout << " = "
        << formatShape(shape) << " in " << source;
    return false;
  }
  if (it->second.shape != shape) {
    emitErrorAt(&context, where)
        << owner << ": weight '" << name << "' in " << source << " has shape "
        << formatShape(it->second.shape) << ", expected " << layout << " = "
        << formatShape(shape);
    return false;
  }
  it->second.used = true;
  return true;
}

std::optional<std::vector<float>> WeightStore::read(llvm::StringRef name) {
  std::lock_guard<std::mutex> lock(mutex);
  auto it = tensors.find(name.str());
  if (it == tensors.end())
    return std::nullopt;
  std::vector<float> values(numElements(it->second.shape));
  std::memcpy(values.data(), it->second.bytes, values.size() * 4);
  return values;
}

void WeightStore::define(llvm::StringRef name, llvm::ArrayRef<int64_t> shape,
                         std::vector<float> values) {
  std::lock_guard<std::mutex> lock(mutex);
  Tensor &t = tensors[name.str()];
  t.shape.assign(shape.begin(), shape.end());
  t.owned = std::move(values);
  t.bytes = reinterpret_cast<const char *>(t.owned.data());
  t.used = true;
}

void WeightStore::copyTo(const std::string &name, char *dst) const {
  std::lock_guard<std::mutex> lock(mutex);
  const Tensor &t = tensors.at(name);
  std::memcpy(dst, t.bytes, numElements(t.shape) * 4);
}

std::vector<std::string> WeightStore::unused() const {
  std::vector<std::string> names;
  for (auto &[name, t] : tensors)
    if (!t.used)
      names.push_back(name);
  return names;
}

} // namespace sora
