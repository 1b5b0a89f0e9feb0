//===- OnnxModel.h - A loaded, shape-inferred ONNX graph --------*- C++ -*-===//
//
// The importer's view of an ONNX model: its nodes (a copy that the
// simplification and fusion steps rewrite), the type and static shape of
// every value after ONNX shape inference, and every constant (initializers,
// Constant nodes and values folded at import time) as plain vectors.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNX_ONNXMODEL_H
#define SORA_FRONTEND_ONNX_ONNXMODEL_H

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sora::onnximport {

/// The element type and shape of a value; a dimension is -1 when unknown or
/// symbolic (its name is then in `symbols`).
struct ValueType {
  int32_t elemType = onnx::TensorProto::UNDEFINED;
  bool hasShape = false;
  std::vector<int64_t> dims;
  std::vector<std::string> symbols;

  bool isStatic() const;
};

/// A constant tensor. Floats live in `floats`, integers (any integer type)
/// in `ints`; other types keep only their type and shape (`readable` false).
struct ConstTensor {
  int32_t elemType = onnx::TensorProto::FLOAT;
  std::vector<int64_t> dims;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  bool readable = true;
  bool external = false; ///< data in an external file (not supported)

  /// The element count; -1 for a negative dimension or a count beyond
  /// int64 (a hostile file), which no data can match.
  int64_t numel() const;
  bool isFloat() const { return elemType == onnx::TensorProto::FLOAT; }
  /// Values in `floats`: float32, and float16, bfloat16 and double read as
  /// float32 (only Cast and the folder read those).
  bool holdsFloats() const;
  /// Values in `ints`: the integer types and bool.
  bool isInt() const;
  /// The only value of a one-element float tensor.
  std::optional<float> scalar() const;
};

/// Converts a TensorProto (initializer or Constant attribute).
ConstTensor readTensor(const onnx::TensorProto &tensor);
/// Converts back (readable tensors only).
onnx::TensorProto writeTensor(const std::string &name, const ConstTensor &t);

/// "FLOAT", "FLOAT16", "INT64", ...
std::string dataTypeName(int32_t elemType);

class OnnxModel {
public:
  /// Reads and parses `path`, gives the graph inputs named in
  /// `inputShapes` those shapes and every input the first extent `batch`
  /// when it is positive and every other dynamic dimension `sequence` when
  /// that is (pinInputShapes), checks the opset and runs ONNX's
  /// shape inference. On failure returns nullptr with a one-line `error`.
  static std::unique_ptr<OnnxModel>
  load(const std::string &path,
       const std::map<std::string, std::vector<int64_t>> &inputShapes,
       int64_t batch, int64_t sequence, std::string &error);

  const std::string &path() const { return file; }
  const std::string &name() const { return graphName; }
  int64_t opset() const { return onnxOpset; }

  /// The graph's nodes, in order (topological, as ONNX requires).
  std::vector<onnx::NodeProto> nodes;
  /// Graph inputs that are not initializers, and graph outputs.
  std::vector<std::string> inputs, outputs;
  /// Domains other than the default one that the model imports.
  std::vector<std::string> otherDomains;

  const ValueType *type(const std::string &value) const;
  const ConstTensor *constant(const std::string &value) const;
  void setConstant(const std::string &value, ConstTensor tensor);
  bool isGraphOutput(const std::string &value) const;

  /// How many node inputs (plus graph outputs) read each value.
  std::map<std::string, int> useCounts() const;
  /// The node that defines `value`, or nullptr.
  const onnx::NodeProto *producer(const std::string &value) const;

  /// Runs ONNX shape inference again on the current nodes, with folded
  /// constants as initializers, so that values computed from them (e.g. a
  /// Reshape whose target was computed by Shape/Gather/Concat) get shapes.
  bool reinferShapes(std::string &error);

private:
  OnnxModel() = default;
  static bool inferShapes(onnx::ModelProto &proto, std::string &error);
  void readTypes(const onnx::GraphProto &graph);

  std::string file, graphName;
  int64_t onnxOpset = 0;
  /// The model without nodes and initializers: IR version, opsets, inputs
  /// and outputs, for reinferShapes.
  onnx::ModelProto skeleton;
  std::map<std::string, ValueType> types;
  std::map<std::string, ConstTensor> constants;
};

/// The ONNX opsets the importer lowers; models from kOldestOpset up are
/// first converted to kMinOpset by libonnx's version converter, opset-18
/// models to opset 17 by downgradeOpset18 (Opset18.h).
constexpr int64_t kMinOpset = 13, kMaxOpset = 18, kOldestOpset = 7;

/// Gives the graph inputs named in `inputShapes` those shapes (InputShapes.cpp,
/// `soracc --input-shape`) and, when `batch` is positive (`soracc
/// --max-batch`), every input the first extent `batch`, which each must
/// declare dynamic, and when `sequence` is positive (`soracc
/// --max-sequence`) every other dynamic dimension of every input that
/// extent; false with a one-line `error` when a name is not an
/// input or a shape does not fit its declaration (rank, fixed extents).
bool pinInputShapes(
    onnx::GraphProto &graph,
    const std::map<std::string, std::vector<int64_t>> &inputShapes,
    int64_t batch, int64_t sequence, std::string &error);

} // namespace sora::onnximport

#endif
