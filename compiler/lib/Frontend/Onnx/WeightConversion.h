//===- WeightConversion.h - ONNX tensors to particle layouts ----*- C++ -*-===//
//
// ONNX stores Conv weights OIHW and Gemm/MatMul weights [K, N] (or [N, K]
// with transB); the particles want [kh, kw, in/groups, out] and [in, units].
// Everything here is plain row-major float arithmetic at import time.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_FRONTEND_ONNX_WEIGHTCONVERSION_H
#define SORA_FRONTEND_ONNX_WEIGHTCONVERSION_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sora::onnximport {

/// Row-major `data` of `shape`, transposed: result.shape[i] =
/// shape[perm[i]].
std::vector<float> permuteTensor(const std::vector<float> &data,
                                 const std::vector<int64_t> &shape,
                                 const std::vector<int64_t> &perm);

/// Conv weights [O, I, kh, kw] to [kh, kw, I, O].
inline std::vector<float> oihwToHwio(const std::vector<float> &data,
                                     const std::vector<int64_t> &oihw) {
  return permuteTensor(data, oihw, {2, 3, 1, 0});
}

/// A dense kernel [K, N] whose input columns arrive permuted: logical input
/// column j is physical column columns[j]. Returns the kernel for the
/// physical order.
std::vector<float> permuteKernelRows(const std::vector<float> &kernel,
                                     int64_t units,
                                     const std::vector<int64_t> &columns);

/// Broadcasts a bias given in ONNX as [N], [1, N], a scalar, ... to [n];
/// empty if it does not broadcast to a vector of n.
std::vector<float> broadcastToVector(const std::vector<float> &data,
                                     const std::vector<int64_t> &shape,
                                     int64_t n);

/// `data` of `shape` broadcast (NumPy rules, trailing dimensions aligned)
/// to `target`, row-major; empty if it does not broadcast.
std::vector<float> broadcastToShape(const std::vector<float> &data,
                                    const std::vector<int64_t> &shape,
                                    const std::vector<int64_t> &target);

} // namespace sora::onnximport

#endif
