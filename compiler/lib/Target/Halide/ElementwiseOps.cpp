//===- ElementwiseOps.cpp - Binary and unary elementwise ops --------------===//
//
// Pure Funcs, inlined by default into whatever consumes them, which is how an
// epilogue fuses into its anchor's loop nest. Binary ops broadcast like NumPy:
// shapes align on the right, which in Halide's reversed order means operand
// dimension i is result dimension i; a size-1 dimension reads index 0.
//
//===----------------------------------------------------------------------===//

#include "Algorithms.h"

namespace sora {

using namespace Halide;

/// `operand` read at the result coordinates `vars` with broadcasting.
static Expr broadcastRead(const Value &operand, const std::vector<Var> &vars,
                          const Shape &resultShape) {
  size_t rank = operand.shape.size(), resultRank = resultShape.size();
  std::vector<Expr> args;
  for (size_t d = 0; d < rank; ++d) {
    bool broadcast = operand.shape[rank - 1 - d] == 1 &&
                     resultShape[resultRank - 1 - d] != 1;
    args.push_back(broadcast ? Expr(0) : Expr(vars[d]));
  }
  return operand.func(args);
}

Value buildElementwise(const KernelOp &op, const std::vector<Value> &operands,
                       const std::string &name) {
  std::vector<Var> vars = makeVars(op.shape.size(), "d");
  Expr a = broadcastRead(operands[0], vars, op.shape);
  Expr result;
  switch (op.kind) {
  case KernelOpKind::Add:
    result = a + broadcastRead(operands[1], vars, op.shape);
    break;
  case KernelOpKind::Mul:
    result = a * broadcastRead(operands[1], vars, op.shape);
    break;
  case KernelOpKind::Sub:
    result = a - broadcastRead(operands[1], vars, op.shape);
    break;
  case KernelOpKind::Div:
    result = a / broadcastRead(operands[1], vars, op.shape);
    break;
  case KernelOpKind::Maximum:
    result = max(a, broadcastRead(operands[1], vars, op.shape));
    break;
  case KernelOpKind::Minimum:
    result = min(a, broadcastRead(operands[1], vars, op.shape));
    break;
  case KernelOpKind::BatchNorm: {
    // As PyTorch computes it at inference: alpha = gamma / sqrt(var + eps),
    // y = x * alpha + (beta - mean * alpha), per channel (the last dim).
    auto param = [&](int i) {
      return broadcastRead(operands[i], vars, op.shape);
    };
    Expr alpha = param(1) / sqrt(param(4) + op.scalars[0]);
    result = a * alpha + (param(2) - param(3) * alpha);
    break;
  }
  case KernelOpKind::Normalize:
    result = normalizeExpr(op, a, vars[0]); // channels: the last dim
    break;
  default:
    try {
      result = unaryExpr(op, a);
    } catch (const CompileError &) {
      throw CompileError("'" + name + "' is not an elementwise op");
    }
  }
  Value value{Func(name), op.shape};
  value.func(vars) = result;
  return value;
}

} // namespace sora
