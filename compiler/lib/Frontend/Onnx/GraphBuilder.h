//===- GraphBuilder.h - Building the particle graph from ONNX ---*- C++ -*-===//
//
// Holds every ONNX value as a particle-graph value plus a layout, emits
// particles and weights, and converts layouts on demand. ONNX models are
// NCHW; soracc's 2-D particles are NHWC. A value keeps its ONNX (logical)
// shape and records how the tensor that holds it is laid out:
//
//   logical = physical.transpose(perm)
//
// so a convolution's output is held NHWC with perm [0, 3, 1, 2], and an ONNX
// Transpose only composes permutations. A transpose particle is emitted
// where a consumer needs another layout (the model's outputs always get
// the ONNX layout). Flattening an NHWC value gives a rank-2 value whose
// columns are in (h, w, c) order; a dense layer that reads it permutes its
// kernel rows instead, at compile time.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNX_GRAPHBUILDER_H
#define SORA_FRONTEND_ONNX_GRAPHBUILDER_H

#include "OnnxModel.h"

#include "sora/Frontend/ModelAST.h"

#include <array>
#include <map>
#include <set>

namespace sora::onnximport {

/// An ONNX value as the particle graph holds it.
struct Held {
  std::string ref;            ///< the ModelAST value (input or particle)
  std::vector<int64_t> shape; ///< the ONNX shape
  /// logical = physical.transpose(perm); empty for the identity.
  std::vector<int64_t> perm;
  /// Rank 2 only: logical column j is physical column columns[j]; empty for
  /// the identity. The physical tensor is a flattened `[N, ...]` of shape
  /// `unflatShape` whose logical form was unflatShape.transpose(unflatPerm).
  std::vector<int64_t> columns;
  std::vector<int64_t> unflatShape, unflatPerm;

  /// The shape of the tensor `ref` names.
  std::vector<int64_t> physicalShape() const;
  bool isPlain() const { return perm.empty() && columns.empty(); }
};

/// The layout of NHWC tensors seen as NCHW.
inline const std::vector<int64_t> kChannelsLast = {0, 3, 1, 2};

/// Weights in the particles' layouts, by tensor name.
using TensorMap =
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>>;

class GraphBuilder {
public:
  explicit GraphBuilder(const OnnxModel &model);

  /// The value an ONNX name is held as (defined by an earlier node); an
  /// initializer read as a run-time tensor is a constant particle in the
  /// ONNX layout, made on first use.
  const Held &get(const std::string &onnxName);
  void define(const std::string &onnxName, Held held);

  /// A ModelAST value with the ONNX layout of `onnxName`.
  std::string plain(const std::string &onnxName);
  /// A ModelAST value holding rank-4 `onnxName` as NHWC.
  std::string channelsLast(const std::string &onnxName);
  /// Flattens `onnxName` to [N, rest] keeping its layout: a flatten of the
  /// physical tensor whose columns are permuted (see Held::columns).
  Held flattenKeepingLayout(const std::string &onnxName,
                            const onnx::NodeProto &node);
  /// Makes `onnxName` laid out as `perm` (same meaning as Held::perm).
  std::string withPerm(const std::string &onnxName,
                       const std::vector<int64_t> &perm);

  /// Appends a particle named after `node` (plus `suffix`) and returns its
  /// name. `attrs` uses the JSON attribute names of docs/model-format.md.
  std::string particle(const onnx::NodeProto &node, const std::string &suffix,
                       const std::string &op,
                       const std::vector<std::string> &inputs,
                       nlohmann::json attrs = nlohmann::json::object());
  /// A transpose particle (or a reshape when only unit dimensions move).
  std::string transpose(const std::string &ref,
                        const std::vector<int64_t> &shape,
                        const std::vector<int64_t> &perm,
                        const std::string &nameHint);
  /// A pad particle around H and W of NHWC `ref`; pads are [top, left,
  /// bottom, right], new cells hold `value`.
  std::string padSpatial(const std::string &ref,
                         const std::array<int64_t, 4> &pads, float value,
                         const std::string &nameHint);
  /// Initializer `onnxName` as a `constant` particle of rank `rank` (1s
  /// prepended, as broadcasting does; at least rank 1) laid out as `perm`
  /// (empty: the ONNX layout): the data is rearranged at compile time, so a
  /// constant meets a run-time value in that value's layout. One particle
  /// per layout asked for.
  Held constant(const std::string &onnxName, size_t rank,
                const std::vector<int64_t> &perm = {});
  /// A `constant` particle of shape [1] holding `value`, named after `node`.
  std::string scalar(const onnx::NodeProto &node, const std::string &suffix,
                     float value);
  /// Adds weight `<particle>.<param>`.
  void weight(const std::string &particle, const std::string &param,
              std::vector<int64_t> shape, std::vector<float> data);
  /// The shape of a ModelAST value.
  const std::vector<int64_t> &shapeOf(const std::string &ref) const;

  /// Finishes the graph: the outputs in ONNX layout, named as in ONNX.
  ModelAST finish(TensorMap &weights);

private:
  std::string uniqueName(const std::string &hint);
  std::string emit(const std::string &name, const std::string &op,
                   const std::vector<std::string> &inputs, nlohmann::json attrs,
                   const std::string &where);
  void rename(const std::string &from, const std::string &to);

  const OnnxModel &model;
  SourceLoc fileLoc;
  ModelAST ast;
  TensorMap tensors;
  std::map<std::string, Held> values;
  std::map<std::string, std::vector<int64_t>> shapes; ///< of ModelAST values
  std::map<std::string, std::string> plainCache, channelsLastCache;
  std::map<std::pair<std::string, std::vector<int64_t>>, Held> constants;
  std::set<std::string> taken;
  std::map<std::string, std::string> outputNames; ///< ONNX output -> name
};

/// A name safe for particles and weights: letters, digits and '_'.
std::string safeName(const std::string &name);

/// The identity permutation of `rank`, and checks for it.
std::vector<int64_t> identityPerm(size_t rank);
bool isIdentity(const std::vector<int64_t> &perm);
/// `a` applied after `b`: result[i] = b[a[i]] (b empty: identity).
std::vector<int64_t> composePerm(const std::vector<int64_t> &b,
                                 const std::vector<int64_t> &a);
std::vector<int64_t> invertPerm(const std::vector<int64_t> &perm);

} // namespace sora::onnximport

#endif
