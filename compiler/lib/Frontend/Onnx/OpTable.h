//===- OpTable.h - ONNX operators and the particles they become -*- C++ -*-===//
//
// One rule per supported ONNX operator: the particles it becomes, the
// attributes it accepts, what each input must be (a run-time tensor, a
// float initializer, integer constants), a check of attribute values, and
// the lowering. OpTable.cpp holds the only list of rules; the op families
// (ConvOps.cpp, LinearOps.cpp, ...) implement the checks and lowerings.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNX_OPTABLE_H
#define SORA_FRONTEND_ONNX_OPTABLE_H

#include "OnnxModel.h"

#include <string>
#include <vector>

namespace sora::onnximport {

class GraphBuilder;

/// Unsupported constructs found while checking a model, one line each.
class Problems {
public:
  /// "node 'Conv_12' (Conv): <message>".
  void node(const onnx::NodeProto &node, const std::string &message);
  /// A line about something other than a node ("input 'x': ...").
  void other(const std::string &line) { lines.push_back(line); }
  bool empty() const { return lines.empty(); }
  const std::vector<std::string> &all() const { return lines; }

private:
  std::vector<std::string> lines;
};

/// "node 'NAME' (Op)", naming a node by its first output if it has no name.
std::string describeNode(const onnx::NodeProto &node);

/// Typed reads of a node's attributes; absent attributes give the default.
class NodeAttrs {
public:
  explicit NodeAttrs(const onnx::NodeProto &node) : node(node) {}
  const onnx::AttributeProto *find(const std::string &name) const;
  int64_t getInt(const std::string &name, int64_t fallback) const;
  float getFloat(const std::string &name, float fallback) const;
  std::string getString(const std::string &name,
                        const std::string &fallback) const;
  std::vector<int64_t> getInts(const std::string &name,
                               std::vector<int64_t> fallback) const;

private:
  const onnx::NodeProto &node;
};

/// What one input of an operator must be.
enum class InputKind {
  Data,       ///< a float32 tensor computed at run time
  Weight,     ///< a float32 constant (initializer or Constant)
  Ints,       ///< an integer constant (shapes, axes)
  FloatConst, ///< a float constant (Clip bounds)
  OptWeight,  ///< Weight, or absent
  OptInts,    ///< Ints, or absent
  OptFloatConst,
  Ids,     ///< int64 token ids: a model input (read by an embedding)
  Any,     ///< required; checked by the op itself
  Ignored, ///< optional; checked by the op itself
};

/// A node seen by checks and lowerings.
struct NodeContext {
  const onnx::NodeProto &node;
  const OnnxModel &model;
  NodeAttrs attrs;

  NodeContext(const onnx::NodeProto &node, const OnnxModel &model)
      : node(node), model(model), attrs(node) {}
  bool has(int i) const {
    return i < node.input_size() && !node.input(i).empty();
  }
  const std::string &in(int i) const { return node.input(i); }
  const std::string &out(int i) const { return node.output(i); }
  /// Shape of input `i` / output `i` (static: checked before lowering).
  const std::vector<int64_t> &inShape(int i) const;
  const std::vector<int64_t> &outShape(int i) const;
  const ConstTensor *constant(int i) const {
    return has(i) ? model.constant(in(i)) : nullptr;
  }
  /// True if output `i` exists and something reads it.
  bool outputUsed(int i, const std::map<std::string, int> &uses) const;
};

using CheckFn = void (*)(const NodeContext &, Problems &);
using LowerFn = void (*)(const NodeContext &, GraphBuilder &);

struct OpRule {
  const char *op;        ///< ONNX op type (internal fused ops: domain soracc)
  const char *particles; ///< what it becomes, for the documentation
  const char *notes;
  std::vector<const char *> attributes; ///< accepted attributes
  std::vector<InputKind> inputs;        ///< the last kind repeats
  CheckFn check;                        ///< attribute values; may be null
  LowerFn lower;
};

/// The rule for `node`, or nullptr if the operator is not supported.
const OpRule *findRule(const onnx::NodeProto &node);
/// Every rule, in documentation order.
const std::vector<OpRule> &opRules();

/// The domain of the importer's own fused nodes (GELU, dense with bias...).
inline constexpr const char *kFusedDomain = "soracc";

} // namespace sora::onnximport

#endif
