//===- Ops.h - Checks and lowerings of the ONNX op families -----*- C++ -*-===//
//
// Declared here, listed in OpTable.cpp, implemented one family per file.
// A check reports unsupported attribute values (generic input and attribute
// checks are done by the validator from the rule); a lowering runs only on
// a model that passed every check.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNX_OPS_H
#define SORA_FRONTEND_ONNX_OPS_H

#include "GraphBuilder.h"
#include "OpTable.h"

namespace sora::onnximport {

// ConvOps.cpp: Conv, ConvTranspose, pools, BatchNormalization.
void checkConv(const NodeContext &c, Problems &p);
void lowerConv(const NodeContext &c, GraphBuilder &b);
void checkConvTranspose(const NodeContext &c, Problems &p);
void checkInstanceNorm(const NodeContext &c, Problems &p);
void lowerInstanceNorm(const NodeContext &c, GraphBuilder &b);
void checkLrn(const NodeContext &c, Problems &p);
void lowerLrn(const NodeContext &c, GraphBuilder &b);
void lowerConvTranspose(const NodeContext &c, GraphBuilder &b);
void checkMaxPool(const NodeContext &c, Problems &p);
void lowerMaxPool(const NodeContext &c, GraphBuilder &b);
void checkAveragePool(const NodeContext &c, Problems &p);
void lowerAveragePool(const NodeContext &c, GraphBuilder &b);
void checkLpPool(const NodeContext &c, Problems &p);
void lowerLpPool(const NodeContext &c, GraphBuilder &b);
void checkGlobalPool(const NodeContext &c, Problems &p);
void lowerGlobalPool(const NodeContext &c, GraphBuilder &b);
void checkBatchNorm(const NodeContext &c, Problems &p);
void lowerBatchNorm(const NodeContext &c, GraphBuilder &b);

// LinearOps.cpp: Gemm, MatMul (dense or matmul), fused MatMul + Add.
void checkGemm(const NodeContext &c, Problems &p);
void lowerGemm(const NodeContext &c, GraphBuilder &b);
void checkMatMul(const NodeContext &c, Problems &p);
void lowerMatMul(const NodeContext &c, GraphBuilder &b);

// ElementwiseOps.cpp: activations, binary arithmetic, normalizations.
void lowerUnary(const NodeContext &c, GraphBuilder &b);
void lowerHardSigmoid(const NodeContext &c, GraphBuilder &b);
void lowerLeakyRelu(const NodeContext &c, GraphBuilder &b);
/// Elu, Selu, Celu, ThresholdedRelu, Shrink: the particle of the same name
/// with the node's float attributes.
void lowerScalarActivation(const NodeContext &c, GraphBuilder &b);
/// Max, Min and Sum of one or more inputs.
void lowerVariadic(const NodeContext &c, GraphBuilder &b);
void checkPRelu(const NodeContext &c, Problems &p);
void checkMod(const NodeContext &c, Problems &p);
void checkWhere(const NodeContext &c, Problems &p);
void lowerWhere(const NodeContext &c, GraphBuilder &b);
void checkClip(const NodeContext &c, Problems &p);
void lowerClip(const NodeContext &c, GraphBuilder &b);
void lowerBinary(const NodeContext &c, GraphBuilder &b);
void checkSoftmax(const NodeContext &c, Problems &p);
void lowerSoftmax(const NodeContext &c, GraphBuilder &b);
void checkLayerNorm(const NodeContext &c, Problems &p);
void lowerLayerNorm(const NodeContext &c, GraphBuilder &b);

// TensorOps.cpp: views and data movement; SliceOps.cpp: Slice, Gather and
// Embedding.
void checkFlatten(const NodeContext &c, Problems &p);
void lowerFlatten(const NodeContext &c, GraphBuilder &b);
void lowerReshape(const NodeContext &c, GraphBuilder &b);
void checkTranspose(const NodeContext &c, Problems &p);
void lowerTranspose(const NodeContext &c, GraphBuilder &b);
void checkConcat(const NodeContext &c, Problems &p);
void lowerConcat(const NodeContext &c, GraphBuilder &b);
void checkPad(const NodeContext &c, Problems &p);
void lowerPad(const NodeContext &c, GraphBuilder &b);
void checkSlice(const NodeContext &c, Problems &p);
void lowerSlice(const NodeContext &c, GraphBuilder &b);
void checkSplit(const NodeContext &c, Problems &p);
void lowerSplit(const NodeContext &c, GraphBuilder &b);
void checkGather(const NodeContext &c, Problems &p);
void lowerGather(const NodeContext &c, GraphBuilder &b);
void checkEmbedding(const NodeContext &c, Problems &p);
void lowerEmbedding(const NodeContext &c, GraphBuilder &b);
void checkDropout(const NodeContext &c, Problems &p);
void lowerIdentity(const NodeContext &c, GraphBuilder &b);
void checkDepthSpace(const NodeContext &c, Problems &p);
void lowerDepthSpace(const NodeContext &c, GraphBuilder &b);

// ReduceOps.cpp: ReduceSum, ReduceMean and the other Reduce* operators;
// MeanVarianceNormalization; Hardmax.
void checkReduce(const NodeContext &c, Problems &p);
void lowerReduce(const NodeContext &c, GraphBuilder &b);
void checkMeanVarianceNorm(const NodeContext &c, Problems &p);
void lowerMeanVarianceNorm(const NodeContext &c, GraphBuilder &b);
void checkHardmax(const NodeContext &c, Problems &p);
void lowerHardmax(const NodeContext &c, GraphBuilder &b);

// ResizeOps.cpp: Resize.
void checkResize(const NodeContext &c, Problems &p);
void lowerResize(const NodeContext &c, GraphBuilder &b);

// GridSampleOps.cpp: GridSample.
void checkGridSample(const NodeContext &c, Problems &p);
void lowerGridSample(const NodeContext &c, GraphBuilder &b);

// TensorOps.cpp: Expand, Tile.
void checkExpand(const NodeContext &c, Problems &p);
void lowerExpand(const NodeContext &c, GraphBuilder &b);
void checkTile(const NodeContext &c, Problems &p);
void lowerTile(const NodeContext &c, GraphBuilder &b);

// LossOps.cpp: NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss.
void checkLoss(const NodeContext &c, Problems &p);
void lowerLoss(const NodeContext &c, GraphBuilder &b);

// RecurrentOps.cpp: LSTM, GRU, RNN.
void checkRecurrent(const NodeContext &c, Problems &p);
void lowerRecurrent(const NodeContext &c, GraphBuilder &b);

// OneHotOps.cpp.
void checkOneHot(const NodeContext &c, Problems &p);
void lowerOneHot(const NodeContext &c, GraphBuilder &b);

// SelectionOps.cpp: GatherElements, GatherND, ScatterElements, ScatterND,
// ReverseSequence at constant indices.
void checkSelection(const NodeContext &c, Problems &p);
void lowerSelection(const NodeContext &c, GraphBuilder &b);

/// Defines output `i` of the node as `ref` with the ONNX shape of that
/// output and the given layout.
void defineOutput(const NodeContext &c, GraphBuilder &b, int i,
                  const std::string &ref, std::vector<int64_t> perm = {});

/// Normalizes a possibly negative axis; std::nullopt if out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

} // namespace sora::onnximport

#endif
