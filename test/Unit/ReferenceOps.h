//===- ReferenceOps.h - The reference of each kernel op kind ----*- C++ -*-===//
//
// One `reference<Kind>` per row of KernelOps.def (or `pointwiseReference`
// for elementwise kinds), dispatched by evaluateReference through a table
// generated from it: a kind without a reference does not link.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_TEST_UNIT_REFERENCEOPS_H
#define SORA_TEST_UNIT_REFERENCEOPS_H

#include "Reference.h"

namespace sora::test {

/// The operands of one op.
using Inputs = std::vector<const Tensor *>;

/// The result of op `K` on `in`.
template <KernelOpKind K>
Tensor reference(const KernelOp &op, const Inputs &in);

/// One element of elementwise op `K` from its operands' elements there;
/// `channel` is the element's index along the last dimension.
template <KernelOpKind K>
double pointwiseReference(const KernelOp &op, const std::vector<double> &x,
                          int64_t channel);

#define SORA_KERNEL_OP(Kind, Name, Family)                                     \
  template <>                                                                  \
  Tensor reference<KernelOpKind::Kind>(const KernelOp &, const Inputs &);      \
  template <>                                                                  \
  double pointwiseReference<KernelOpKind::Kind>(                               \
      const KernelOp &, const std::vector<double> &, int64_t);
#include "sora/Core/KernelOps.def"

/// A zero tensor of `op`'s result shape.
inline Tensor resultOf(const KernelOp &op) {
  return Tensor{op.shape, std::vector<float>(numElements(op.shape))};
}

/// Steps `index` to the next row-major index of `shape`.
inline void nextIndex(std::vector<int64_t> &index, const Shape &shape) {
  for (size_t d = index.size(); d-- > 0;) {
    if (++index[d] < shape[d])
      return;
    index[d] = 0;
  }
}

/// Row-major offset of `index` in `shape`.
inline int64_t offsetOf(const Shape &shape, const std::vector<int64_t> &index) {
  int64_t offset = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    offset = offset * shape[d] + index[d];
  return offset;
}

} // namespace sora::test

#endif // SORA_TEST_UNIT_REFERENCEOPS_H
