//===- OnnxModel.cpp - Loading and shape inference ------------------------===//

#include "OnnxModel.h"
#include "GuardedSchemas.h"
#include "Opset18.h"

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

#include "sora/Support/Json.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>

namespace sora::onnximport {

bool ValueType::isStatic() const {
  if (!hasShape)
    return false;
  for (int64_t d : dims)
    if (d < 0)
      return false;
  return true;
}

int64_t ConstTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(n, d, &n))
      return -1;
  return n;
}

bool ConstTensor::holdsFloats() const {
  switch (elemType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case onnx::TensorProto::DOUBLE:
    return true;
  default:
    return false;
  }
}

bool ConstTensor::isInt() const {
  switch (elemType) {
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    return true;
  default:
    return false;
  }
}

std::optional<float> ConstTensor::scalar() const {
  if (!readable || numel() != 1)
    return std::nullopt;
  if (holdsFloats())
    return floats[0];
  return static_cast<float>(ints[0]);
}

std::string dataTypeName(int32_t elemType) {
  if (!onnx::TensorProto::DataType_IsValid(elemType))
    return "type " + std::to_string(elemType);
  return onnx::TensorProto::DataType_Name(
      static_cast<onnx::TensorProto::DataType>(elemType));
}

/// Copies `count` little-endian values of type T out of raw bytes.
template <typename T, typename Out>
static bool fromRaw(const std::string &raw, int64_t count,
                    std::vector<Out> &out) {
  if (raw.size() != static_cast<size_t>(count) * sizeof(T))
    return false;
  out.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<Out>(v);
  }
  return true;
}

/// IEEE half precision bits as float.
static float fromHalf(uint32_t bits) {
  uint32_t sign = (bits & 0x8000u) << 16, exponent = (bits >> 10) & 0x1f,
           mantissa = bits & 0x3ff;
  float magnitude;
  if (exponent == 0) // zero or subnormal: mantissa * 2^-24
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 0x1f)
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN()
                         : std::numeric_limits<float>::infinity();
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400),
                           static_cast<int>(exponent) - 25);
  uint32_t out;
  std::memcpy(&out, &magnitude, sizeof(out));
  out |= sign;
  float value;
  std::memcpy(&value, &out, sizeof(value));
  return value;
}

/// Raw data as `Raw` values, else the typed `field` (as many as `n`).
template <typename Raw, typename Field, typename Out>
static bool readValues(const onnx::TensorProto &t, int64_t n,
                       const Field &field, std::vector<Out> &out) {
  if (t.has_raw_data())
    return fromRaw<Raw>(t.raw_data(), n, out);
  if (field.size() != n)
    return false;
  out.assign(field.begin(), field.end());
  return true;
}

/// 16-bit floats (float16 or bfloat16): raw data or int32_data, as float.
static bool read16BitFloats(const onnx::TensorProto &t, int64_t n,
                            std::vector<float> &out) {
  std::vector<int64_t> bits;
  if (!readValues<uint16_t>(t, n, t.int32_data(), bits))
    return false;
  bool brain = t.data_type() == onnx::TensorProto::BFLOAT16;
  out.resize(n);
  for (int64_t i = 0; i < n; ++i) {
    auto b = static_cast<uint32_t>(bits[i]) & 0xffffu;
    if (!brain) {
      out[i] = fromHalf(b);
      continue;
    }
    uint32_t high = b << 16; // bfloat16 is float32's upper half
    std::memcpy(&out[i], &high, sizeof(float));
  }
  return true;
}

ConstTensor readTensor(const onnx::TensorProto &t) {
  ConstTensor c;
  c.elemType = t.data_type();
  c.dims.assign(t.dims().begin(), t.dims().end());
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    c.external = true;
    c.readable = false;
    return c;
  }
  int64_t n = c.numel();
  if (n < 0) {
    c.readable = false;
    return c;
  }
  switch (c.elemType) {
  case onnx::TensorProto::FLOAT:
    c.readable = readValues<float>(t, n, t.float_data(), c.floats);
    break;
  case onnx::TensorProto::DOUBLE:
    c.readable = readValues<double>(t, n, t.double_data(), c.floats);
    break;
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    c.readable = read16BitFloats(t, n, c.floats);
    break;
  case onnx::TensorProto::INT64:
    c.readable = readValues<int64_t>(t, n, t.int64_data(), c.ints);
    break;
  case onnx::TensorProto::INT32:
    c.readable = readValues<int32_t>(t, n, t.int32_data(), c.ints);
    break;
  case onnx::TensorProto::INT16:
    c.readable = readValues<int16_t>(t, n, t.int32_data(), c.ints);
    break;
  case onnx::TensorProto::INT8:
    c.readable = readValues<uint8_t>(t, n, t.int32_data(), c.ints);
    for (int64_t &v : c.ints) // raw bytes are two's complement
      v = v >= 128 ? v - 256 : v;
    break;
  case onnx::TensorProto::UINT16:
    c.readable = readValues<uint16_t>(t, n, t.int32_data(), c.ints);
    break;
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::BOOL:
    c.readable = readValues<uint8_t>(t, n, t.int32_data(), c.ints);
    break;
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64:
    c.readable = c.elemType == onnx::TensorProto::UINT32
                     ? readValues<uint32_t>(t, n, t.uint64_data(), c.ints)
                     : readValues<uint64_t>(t, n, t.uint64_data(), c.ints);
    // Values beyond int64 (they wrapped to negative) are not read.
    for (int64_t v : c.ints)
      c.readable &= v >= 0;
    break;
  default:
    c.readable = false;
  }
  return c;
}

onnx::TensorProto writeTensor(const std::string &name, const ConstTensor &t) {
  onnx::TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(t.elemType);
  for (int64_t d : t.dims)
    proto.add_dims(d);
  if (t.isFloat())
    for (float v : t.floats)
      proto.add_float_data(v);
  else if (t.elemType == onnx::TensorProto::INT64)
    for (int64_t v : t.ints)
      proto.add_int64_data(v);
  else
    for (int64_t v : t.ints)
      proto.add_int32_data(static_cast<int32_t>(v));
  return proto;
}

static ValueType readType(const onnx::ValueInfoProto &info) {
  ValueType type;
  if (!info.type().has_tensor_type())
    return type;
  const onnx::TypeProto_Tensor &tensor = info.type().tensor_type();
  type.elemType = tensor.elem_type();
  if (!tensor.has_shape())
    return type;
  type.hasShape = true;
  for (const onnx::TensorShapeProto_Dimension &d : tensor.shape().dim()) {
    type.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    type.symbols.push_back(d.has_dim_param() ? d.dim_param() : "");
  }
  return type;
}

/// Whether the window attributes of `node` are in range and agree in
/// length: ONNX's shape inference divides by strides (a stride of 0 is
/// SIGFPE in libonnx), indexes pads by the kernel's dimensions (pads shorter
/// than twice kernel_shape read past their end: SIGSEGV) and does arithmetic
/// on pads and kernel sizes that overflows.
static bool checkWindowAttributes(const onnx::NodeProto &node,
                                  std::string &error) {
  auto fail = [&](const std::string &why) {
    error = "not a valid ONNX model: node '" + abbreviate(node.name()) + "' (" +
            abbreviate(node.op_type()) + "): " + why;
    return false;
  };
  // Spatial dimensions per attribute: pads hold a begin and an end for each.
  std::map<std::string, int> dims;
  for (const onnx::AttributeProto &a : node.attribute()) {
    bool pads = a.name() == "pads";
    if (!pads && a.name() != "strides" && a.name() != "dilations" &&
        a.name() != "kernel_shape")
      continue;
    if (pads && a.ints_size() % 2)
      return fail("attribute 'pads' holds " + std::to_string(a.ints_size()) +
                  " values; it needs a begin and an end per dimension");
    dims[a.name()] = pads ? a.ints_size() / 2 : a.ints_size();
    int64_t min = pads ? 0 : 1;
    for (int64_t value : a.ints())
      if (value < min || value > INT32_MAX)
        return fail("attribute '" + a.name() + "' holds " +
                    std::to_string(value) + "; its values must be in [" +
                    std::to_string(min) + ", 2147483647]");
  }
  for (const auto &[name, count] : dims)
    if (count != dims.begin()->second)
      return fail("its window attributes disagree on the number of spatial "
                  "dimensions (" +
                  dims.begin()->first + " gives " +
                  std::to_string(dims.begin()->second) + ", " + name + " " +
                  std::to_string(count) + ")");
  return true;
}

/// Whether every node can go through ONNX's shape inference and the
/// importer's passes: a standard operator has as many inputs and outputs
/// as its schema allows (the passes index them), window attributes are in
/// range.
static bool checkNodes(const onnx::GraphProto &graph, int opset,
                       std::string &error) {
  for (const onnx::NodeProto &node : graph.node()) {
    if (!checkWindowAttributes(node, error))
      return false;
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      continue;
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Schema(node.op_type(), opset, "");
    if (!schema)
      continue; // validation reports unsupported operators
    // libonnx's shape inference reads required attributes unchecked (a pool
    // without kernel_shape: SIGSEGV).
    for (const auto &[name, attribute] : schema->attributes()) {
      bool given = false;
      for (const onnx::AttributeProto &a : node.attribute())
        given |= a.name() == name;
      if (attribute.required && !given) {
        error = "not a valid ONNX model: node '" + abbreviate(node.name()) +
                "' (" + abbreviate(node.op_type()) +
                ") lacks its required attribute '" + name + "'";
        return false;
      }
    }
    if (node.input_size() >= schema->min_input() &&
        node.input_size() <= schema->max_input() &&
        node.output_size() >= schema->min_output() &&
        node.output_size() <= schema->max_output())
      continue;
    error = "not a valid ONNX model: node '" + abbreviate(node.name()) + "' (" +
            abbreviate(node.op_type()) + ") has " +
            std::to_string(node.input_size()) + " inputs and " +
            std::to_string(node.output_size()) + " outputs; " + node.op_type() +
            " takes " + std::to_string(schema->min_input()) + " to " +
            std::to_string(schema->max_input()) + " inputs and " +
            std::to_string(schema->min_output()) + " to " +
            std::to_string(schema->max_output()) + " outputs";
    return false;
  }
  return true;
}

/// Whether every value `graph` (and each subgraph in its nodes' attributes)
/// reads is defined once, before it is read: by an enclosing scope, a graph
/// input, an initializer or an earlier node. libonnx's version converter
/// dereferences the definition of each name it meets unchecked (an output no
/// node computes: SIGSEGV), so older models are checked before conversion.
static bool checkDefinitions(const onnx::GraphProto &graph,
                             std::set<std::string> defined,
                             std::string &error) {
  auto define = [&](const std::string &name, const char *what) {
    if (name.empty() || defined.insert(name).second)
      return true;
    error = "not a valid ONNX model: " + std::string(what) + " '" +
            abbreviate(name) + "' is defined twice";
    return false;
  };
  for (const onnx::ValueInfoProto &in : graph.input())
    if (!define(in.name(), "input"))
      return false;
  for (const onnx::TensorProto &init : graph.initializer())
    defined.insert(init.name()); // initializers may also be listed as inputs
  for (const onnx::NodeProto &node : graph.node()) {
    for (const std::string &in : node.input()) {
      if (in.empty() || defined.count(in))
        continue;
      error = "not a valid ONNX model: node '" + abbreviate(node.name()) +
              "' (" + abbreviate(node.op_type()) + ") reads '" +
              abbreviate(in) + "', which no input, initializer or earlier " +
              "node defines";
      return false;
    }
    for (const onnx::AttributeProto &attribute : node.attribute()) {
      if (attribute.has_g() && !checkDefinitions(attribute.g(), defined, error))
        return false;
      for (const onnx::GraphProto &subgraph : attribute.graphs())
        if (!checkDefinitions(subgraph, defined, error))
          return false;
    }
    for (const std::string &out : node.output())
      if (!define(out, "value"))
        return false;
  }
  for (const onnx::ValueInfoProto &out : graph.output()) {
    if (defined.count(out.name()))
      continue;
    error = "not a valid ONNX model: output '" + abbreviate(out.name()) +
            "' is not computed by any node";
    return false;
  }
  return true;
}

bool OnnxModel::inferShapes(onnx::ModelProto &proto, std::string &error) {
  try {
    onnx::shape_inference::InferShapes(proto, guardedSchemas());
  } catch (const std::exception &e) {
    error = "ONNX shape inference failed: " + std::string(e.what());
    return false;
  }
  return true;
}

std::unique_ptr<OnnxModel>
OnnxModel::load(const std::string &path,
                const std::map<std::string, std::vector<int64_t>> &inputShapes,
                int64_t batch, int64_t sequence, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    error = "cannot read '" + path + "': " + buffer.getError().message();
    return nullptr;
  }
  llvm::StringRef bytes = (*buffer)->getBuffer();
  onnx::ModelProto proto;
  if (bytes.size() > INT32_MAX ||
      !proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    error = "not a valid ONNX model: the protobuf data cannot be parsed "
            "(not an ONNX file, or a truncated one)";
    return nullptr;
  }
  if (proto.ir_version() <= 0 || !proto.has_graph()) {
    error = "not a valid ONNX model: it has no IR version or no graph";
    return nullptr;
  }

  if (!pinInputShapes(*proto.mutable_graph(), inputShapes, batch, sequence,
                      error))
    return nullptr;
  auto model = std::unique_ptr<OnnxModel>(new OnnxModel());
  model->file = path;
  for (const onnx::OperatorSetIdProto &opset : proto.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      model->onnxOpset = opset.version();
    else
      model->otherDomains.push_back(opset.domain());
  }
  if (model->onnxOpset == 0) {
    error = "the model imports no version of the default ONNX operator set; "
            "soracc supports opsets " +
            std::to_string(kOldestOpset) + " to " + std::to_string(kMaxOpset);
    return nullptr;
  }
  // A model whose operators all read as they do at kMinOpset needs no
  // conversion, however old its opset.
  bool unchanged = model->onnxOpset < kMinOpset;
  for (const onnx::NodeProto &node : proto.graph().node()) {
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      continue;
    const onnx::OpSchema *then = onnx::OpSchemaRegistry::Schema(
        node.op_type(), (int)model->onnxOpset, "");
    const onnx::OpSchema *now =
        onnx::OpSchemaRegistry::Schema(node.op_type(), (int)kMinOpset, "");
    unchanged &= then && now && then->since_version() == now->since_version();
  }
  if (unchanged) {
    for (onnx::OperatorSetIdProto &opset : *proto.mutable_opset_import())
      if (opset.domain().empty() || opset.domain() == "ai.onnx")
        opset.set_version(kMinOpset);
    model->onnxOpset = kMinOpset;
  }
  if (model->onnxOpset < kOldestOpset || model->onnxOpset > kMaxOpset) {
    error = "opset " + std::to_string(model->onnxOpset) +
            " is not supported: soracc imports ONNX opsets " +
            std::to_string(kOldestOpset) + " to " + std::to_string(kMaxOpset) +
            " (and older models whose operators have not changed since)";
    return nullptr;
  }
  if (model->onnxOpset < kMinOpset) {
    // Older models are converted node by node (libonnx's adapters).
    if (!checkDefinitions(proto.graph(), {}, error))
      return nullptr;
    try {
      // Some adapters (Softmax 12 -> 13) need the input shapes.
      onnx::shape_inference::InferShapes(proto, guardedSchemas());
      proto = onnx::version_conversion::ConvertVersion(proto, kMinOpset);
    } catch (const std::exception &e) {
      error = "cannot convert the model from opset " +
              std::to_string(model->onnxOpset) + " to " +
              std::to_string(kMinOpset) + ": " + e.what();
      return nullptr;
    }
    model->onnxOpset = kMinOpset;
  }
  if (model->onnxOpset == 18) {
    if (!checkDefinitions(proto.graph(), {}, error) ||
        !downgradeOpset18(proto, error))
      return nullptr;
    model->onnxOpset = 17;
  }
  if (!checkNodes(proto.graph(), model->onnxOpset, error) ||
      !model->inferShapes(proto, error))
    return nullptr;

  const onnx::GraphProto &graph = proto.graph();
  model->graphName = graph.name();
  for (const onnx::TensorProto &init : graph.initializer())
    model->constants[init.name()] = readTensor(init);
  for (const onnx::ValueInfoProto &in : graph.input())
    if (!model->constants.count(in.name()))
      model->inputs.push_back(in.name());
  for (const onnx::ValueInfoProto &out : graph.output())
    model->outputs.push_back(out.name());
  model->readTypes(graph);
  model->nodes.assign(graph.node().begin(), graph.node().end());

  model->skeleton = proto;
  onnx::GraphProto *bare = model->skeleton.mutable_graph();
  bare->clear_node();
  bare->clear_initializer();
  bare->clear_value_info();
  bare->clear_input();
  for (const onnx::ValueInfoProto &in : graph.input())
    if (!model->constants.count(in.name()))
      *bare->add_input() = in;
  return model;
}

void OnnxModel::readTypes(const onnx::GraphProto &graph) {
  for (const onnx::ValueInfoProto &in : graph.input())
    types[in.name()] = readType(in);
  for (const onnx::ValueInfoProto &info : graph.value_info())
    types[info.name()] = readType(info);
  for (const onnx::ValueInfoProto &out : graph.output())
    types[out.name()] = readType(out);
}

bool OnnxModel::reinferShapes(std::string &error) {
  // Small constants go in with their data (shape inference reads Reshape
  // targets, axes...), large ones as typed inputs.
  constexpr int64_t kMaxInlined = 4096;
  onnx::ModelProto proto = skeleton;
  onnx::GraphProto *graph = proto.mutable_graph();
  std::set<std::string> declared;
  for (const onnx::NodeProto &node : nodes) {
    *graph->add_node() = node;
    for (const std::string &in : node.input()) {
      const ConstTensor *t = constant(in);
      if (in.empty() || !t || !declared.insert(in).second)
        continue;
      bool writable = t->isFloat() || t->elemType == onnx::TensorProto::INT64 ||
                      t->elemType == onnx::TensorProto::INT32 ||
                      t->elemType == onnx::TensorProto::BOOL;
      if (t->readable && writable && t->numel() <= kMaxInlined) {
        *graph->add_initializer() = writeTensor(in, *t);
        continue;
      }
      onnx::ValueInfoProto *info = graph->add_input();
      info->set_name(in);
      onnx::TypeProto_Tensor *tensor =
          info->mutable_type()->mutable_tensor_type();
      tensor->set_elem_type(t->elemType);
      onnx::TensorShapeProto *shape = tensor->mutable_shape();
      for (int64_t d : t->dims)
        shape->add_dim()->set_dim_value(d);
    }
  }
  if (!inferShapes(proto, error))
    return false;
  readTypes(proto.graph());
  return true;
}

const ValueType *OnnxModel::type(const std::string &value) const {
  auto it = types.find(value);
  return it == types.end() ? nullptr : &it->second;
}

const ConstTensor *OnnxModel::constant(const std::string &value) const {
  auto it = constants.find(value);
  return it == constants.end() ? nullptr : &it->second;
}

void OnnxModel::setConstant(const std::string &value, ConstTensor tensor) {
  // Shape inference may have left the value's shape unknown (it does not
  // see values computed from constants it could not read): now it is known.
  ValueType &type = types[value];
  type.hasShape = true;
  type.dims = tensor.dims;
  type.symbols.assign(tensor.dims.size(), "");
  if (type.elemType == onnx::TensorProto::UNDEFINED)
    type.elemType = tensor.elemType;
  constants[value] = std::move(tensor);
}

bool OnnxModel::isGraphOutput(const std::string &value) const {
  for (const std::string &out : outputs)
    if (out == value)
      return true;
  return false;
}

std::map<std::string, int> OnnxModel::useCounts() const {
  std::map<std::string, int> uses;
  for (const onnx::NodeProto &node : nodes)
    for (const std::string &in : node.input())
      if (!in.empty())
        ++uses[in];
  for (const std::string &out : outputs)
    ++uses[out];
  return uses;
}

const onnx::NodeProto *OnnxModel::producer(const std::string &value) const {
  for (const onnx::NodeProto &node : nodes)
    for (const std::string &out : node.output())
      if (out == value)
        return &node;
  return nullptr;
}

} // namespace sora::onnximport
