//===- MLIRGen.cpp - Model AST to the particle dialect --------------------===//
//
// Name resolution, topological ordering and per-particle lowering. Shapes
// come from the dialect's shape rules (ParticleShapes.h), so a bad
// connection gets the same message here as in the verifier, but at the
// model file's line and column.
//
//===----------------------------------------------------------------------===//

#include "sora/Frontend/MLIRGen.h"
#include "ParticleAttrs.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/ParticleShapes.h"
#include "sora/Frontend/Diagnostics.h"
#include "sora/Frontend/WeightStore.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include <climits>
#include <functional>

using namespace mlir;
using namespace sora::particle;

namespace sora {
namespace {

class MLIRGenImpl {
public:
  MLIRGenImpl(const ModelAST &model, WeightStore &weights,
              MLIRContext &context)
      : model(model), weights(weights), context(context), b(&context) {}

  OwningOpRef<ModuleOp> generate();

private:
  using Lowering = std::function<Value(const ParticleDecl &, ParticleAttrs &,
                                       ArrayRef<Value>)>;

  bool indexNames();
  bool order(std::vector<const ParticleDecl *> &sorted);
  bool lower(const ParticleDecl &particle);
  /// How one op is lowered: the function, its number of inputs and the
  /// attribute keys it accepts.
  struct OpLowering {
    Lowering lower;
    unsigned arity;
    std::vector<std::string> attributes;
  };
  const std::map<std::string, OpLowering> &lowerings();

  // Lowerings, one per particle family.
  Value dense(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value conv2d(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  template <typename PoolOp>
  Value pool(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value flatten(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value reshape(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value softmax(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  template <typename BinaryOp>
  Value binary(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  template <typename UnaryOp>
  Value unary(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);

  // Helpers.
  Type tensorType(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  }
  Value weight(const ParticleDecl &p, ParticleAttrs &a,
               const std::string &param, const std::vector<int64_t> &shape,
               int64_t fanIn, const std::string &layout);
  Value activation(const ParticleDecl &p, ParticleAttrs &a, Value x);
  EmitErrorFn shapeError(const ParticleDecl &p, ParticleAttrs &a);
  /// Reports `what` at `where` if a tensor of `shape` is too large.
  bool checkSize(ArrayRef<int64_t> shape, const SourceLoc &where,
                 const std::string &what);
  /// Checks that `x` is NHWC and returns the [top, left, bottom, right]
  /// padding of a window over it (Keras 'same' or 'valid').
  std::optional<std::vector<int64_t>>
  windowPadding(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<int64_t> x,
                bool same, std::array<int64_t, 2> window,
                std::array<int64_t, 2> strides, std::array<int64_t, 2> dilation);

  const ModelAST &model;
  WeightStore &weights;
  MLIRContext &context;
  OpBuilder b;
  Location loc = UnknownLoc::get(&context);
  std::map<std::string, const InputDecl *> inputsByName;
  std::map<std::string, const ParticleDecl *> particlesByName;
  std::map<std::string, Value> values;
  std::function<InFlightDiagnostic()> currentShapeError;
  std::map<std::string, OpLowering> table;
};

//===----------------------------------------------------------------------===//
// Names and order
//===----------------------------------------------------------------------===//

bool MLIRGenImpl::indexNames() {
  bool ok = true;
  auto duplicate = [&](const std::string &name, const SourceLoc &at) {
    emitErrorAt(&context, at) << "name '" << name << "' is defined twice";
    ok = false;
  };
  for (const InputDecl &in : model.inputs)
    if (!inputsByName.emplace(in.name, &in).second)
      duplicate(in.name, in.loc);
  for (const ParticleDecl &p : model.particles)
    if (inputsByName.count(p.name) ||
        !particlesByName.emplace(p.name, &p).second)
      duplicate(p.name, p.loc);
  return ok;
}

bool MLIRGenImpl::order(std::vector<const ParticleDecl *> &sorted) {
  std::vector<std::string> known;
  for (auto &[name, in] : inputsByName)
    known.push_back(name);
  for (auto &[name, p] : particlesByName)
    known.push_back(name);
  auto unknown = [&](const std::string &name, const SourceLoc &at,
                     const std::string &who) {
    auto diag = emitErrorAt(&context, at)
                << who << "unknown name '" << name << "'";
    addSpellingHint(diag, name, known);
  };

  bool ok = true;
  for (const ParticleDecl &p : model.particles)
    for (size_t i = 0; i < p.inputs.size(); ++i)
      if (!inputsByName.count(p.inputs[i]) &&
          !particlesByName.count(p.inputs[i])) {
        unknown(p.inputs[i], p.inputLocs[i],
                "particle '" + p.name + "' (" + p.op + "): ");
        ok = false;
      }
  for (const OutputDecl &out : model.outputs)
    if (!inputsByName.count(out.name) && !particlesByName.count(out.name)) {
      unknown(out.name, out.loc, "output: ");
      ok = false;
    }
  if (!ok)
    return false;

  // Depth-first, in file order, so the IR follows the file where it can.
  enum State { New, Active, Done };
  std::map<std::string, State> state;
  std::vector<std::string> stack;
  std::function<bool(const ParticleDecl &)> visit =
      [&](const ParticleDecl &p) -> bool {
    State &s = state[p.name];
    if (s == Done)
      return true;
    if (s == Active) {
      auto begin = llvm::find(stack, p.name);
      std::string cycle;
      for (auto it = begin; it != stack.end(); ++it)
        cycle += *it + " -> ";
      emitErrorAt(&context, p.loc)
          << "particle '" << p.name
          << "' depends on itself: " << cycle << p.name;
      return false;
    }
    s = Active;
    stack.push_back(p.name);
    for (const std::string &in : p.inputs)
      if (auto it = particlesByName.find(in); it != particlesByName.end())
        if (!visit(*it->second))
          return false;
    stack.pop_back();
    state[p.name] = Done;
    sorted.push_back(&p);
    return true;
  };
  for (const ParticleDecl &p : model.particles)
    if (!visit(p))
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// Lowerings
//===----------------------------------------------------------------------===//

/// Kernels index tensors with 32-bit Halide extents and strides.
static constexpr int64_t kMaxElements = INT32_MAX;

bool MLIRGenImpl::checkSize(ArrayRef<int64_t> shape, const SourceLoc &where,
                            const std::string &what) {
  int64_t count = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(count, d, &count) || count > kMaxElements) {
      emitErrorAt(&context, where)
          << what << " of shape " << formatDims(shape)
          << " is too large: soracc supports tensors of at most " << kMaxElements
          << " elements";
      return false;
    }
  return true;
}

EmitErrorFn MLIRGenImpl::shapeError(const ParticleDecl &p, ParticleAttrs &a) {
  currentShapeError = [this, &p, &a]() {
    return emitErrorAt(&context, p.loc) << a.owner() << ": ";
  };
  return currentShapeError;
}

Value MLIRGenImpl::weight(const ParticleDecl &p, ParticleAttrs &a,
                          const std::string &param,
                          const std::vector<int64_t> &shape, int64_t fanIn,
                          const std::string &layout) {
  std::string name = p.name + "." + param;
  if (!checkSize(shape, p.loc, a.owner() + ": weight '" + name + "'"))
    return nullptr;
  if (!weights.require(name, shape, fanIn, p.loc, a.owner(), layout, context))
    return nullptr;
  return WeightOp::create(b, loc, tensorType(shape), name);
}

Value MLIRGenImpl::activation(const ParticleDecl &p, ParticleAttrs &a,
                              Value x) {
  std::optional<std::string> act =
      a.choice("activation", {"none", "relu", "sigmoid", "tanh", "softmax"});
  if (!act || !x)
    return nullptr;
  Type t = x.getType();
  if (*act == "relu")
    return ReluOp::create(b, loc, t, x);
  if (*act == "sigmoid")
    return SigmoidOp::create(b, loc, t, x);
  if (*act == "tanh")
    return TanhOp::create(b, loc, t, x);
  if (*act == "softmax")
    return SoftmaxOp::create(b, loc, t, x, shapeOf(x).size() - 1);
  return x;
}

std::optional<std::vector<int64_t>>
MLIRGenImpl::windowPadding(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<int64_t> x, bool same,
                           std::array<int64_t, 2> window,
                           std::array<int64_t, 2> strides,
                           std::array<int64_t, 2> dilation) {
  if (x.size() != 4) {
    shapeError(p, a)() << "port 'input' expects rank 4 NHWC, got "
                       << formatDims(x);
    return std::nullopt;
  }
  auto [top, bottom] =
      computePadding(same, x[1], window[0], strides[0], dilation[0]);
  auto [left, right] =
      computePadding(same, x[2], window[1], strides[1], dilation[1]);
  return std::vector<int64_t>{top, left, bottom, right};
}

Value MLIRGenImpl::dense(const ParticleDecl &p, ParticleAttrs &a,
                         ArrayRef<Value> in) {
  auto units = a.positiveInt("units", std::nullopt);
  auto useBias = a.boolean("use_bias", true);
  if (!units || !useBias)
    return nullptr;
  ArrayRef<int64_t> x = shapeOf(in[0]);
  if (x.size() < 2) {
    shapeError(p, a)() << "port 'input' expects rank >= 2 [batch, ..., "
                          "features], got "
                       << formatDims(x);
    return nullptr;
  }
  std::vector<int64_t> kshape{x.back(), *units};
  Value kernel = weight(p, a, "kernel", kshape, x.back(), "[in, units]");
  Value bias = *useBias ? weight(p, a, "bias", {*units}, x.back(), "[units]")
                        : Value();
  if (!kernel || (*useBias && !bias))
    return nullptr;
  auto shape = inferDenseShape(x, kshape,
                               bias ? std::optional(shapeOf(bias)) : std::nullopt,
                               shapeError(p, a));
  if (failed(shape))
    return nullptr;
  Value y = DenseOp::create(b, loc, tensorType(*shape), in[0], kernel, bias);
  return activation(p, a, y);
}

Value MLIRGenImpl::conv2d(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  auto filters = a.positiveInt("filters", std::nullopt);
  auto kernelSize = a.positivePair("kernel", std::nullopt);
  auto strides = a.positivePair("strides", std::array<int64_t, 2>{1, 1});
  auto dilation = a.positivePair("dilation_rate", std::array<int64_t, 2>{1, 1});
  auto padding = a.choice("padding", {"valid", "same"});
  auto useBias = a.boolean("use_bias", true);
  if (!filters || !kernelSize || !strides || !dilation || !padding || !useBias)
    return nullptr;
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto pads = windowPadding(p, a, x, *padding == "same", *kernelSize,
                            *strides, *dilation);
  if (!pads)
    return nullptr;
  std::vector<int64_t> kshape{(*kernelSize)[0], (*kernelSize)[1], x[3],
                              *filters};
  int64_t fanIn = kshape[0] * kshape[1] * kshape[2];
  Value kernel = weight(p, a, "kernel", kshape, fanIn, "[kh, kw, in, filters]");
  Value bias = *useBias ? weight(p, a, "bias", {*filters}, fanIn, "[filters]")
                        : Value();
  if (!kernel || (*useBias && !bias))
    return nullptr;
  auto shape = inferConv2DShape(
      x, kshape, bias ? std::optional(shapeOf(bias)) : std::nullopt, *strides,
      *dilation, *pads, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  Value y = Conv2DOp::create(b, loc, tensorType(*shape), in[0], kernel, bias,
                             *strides, *dilation, *pads);
  return activation(p, a, y);
}

template <typename PoolOp>
Value MLIRGenImpl::pool(const ParticleDecl &p, ParticleAttrs &a,
                        ArrayRef<Value> in) {
  auto window = a.positivePair("pool", std::nullopt);
  if (!window)
    return nullptr;
  auto strides = a.positivePair("strides", window);
  auto padding = a.choice("padding", {"valid", "same"});
  if (!strides || !padding)
    return nullptr;
  ArrayRef<int64_t> x = shapeOf(in[0]);
  auto pads = windowPadding(p, a, x, *padding == "same", *window, *strides,
                            {1, 1});
  if (!pads)
    return nullptr;
  auto shape = inferPool2DShape(x, *window, *strides, *pads, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return PoolOp::create(b, loc, tensorType(*shape), in[0], *window, *strides,
                        *pads);
}

Value MLIRGenImpl::flatten(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  auto shape = inferFlattenShape(shapeOf(in[0]), shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return FlattenOp::create(b, loc, tensorType(*shape), in[0]);
}

Value MLIRGenImpl::reshape(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  auto target = a.intList("shape");
  if (!target)
    return nullptr;
  auto shape = inferReshapeShape(shapeOf(in[0]), *target, shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return ReshapeOp::create(b, loc, tensorType(*shape), in[0]);
}

Value MLIRGenImpl::softmax(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in) {
  int64_t rank = shapeOf(in[0]).size();
  auto axis = a.integer("axis", -1);
  if (!axis)
    return nullptr;
  if (*axis < -rank || *axis >= rank) {
    a.error("axis") << "axis " << *axis << " is out of range for rank "
                    << rank;
    return nullptr;
  }
  return SoftmaxOp::create(b, loc, in[0].getType(), in[0],
                           *axis < 0 ? *axis + rank : *axis);
}

template <typename BinaryOp>
Value MLIRGenImpl::binary(const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) {
  auto shape =
      inferBroadcastShape(shapeOf(in[0]), shapeOf(in[1]), shapeError(p, a));
  if (failed(shape))
    return nullptr;
  return BinaryOp::create(b, loc, tensorType(*shape), in[0], in[1]);
}

template <typename UnaryOp>
Value MLIRGenImpl::unary(const ParticleDecl &, ParticleAttrs &,
                         ArrayRef<Value> in) {
  return UnaryOp::create(b, loc, in[0].getType(), in[0]);
}

/// Every particle op: its lowering, its inputs and its attributes.
const std::map<std::string, MLIRGenImpl::OpLowering> &
MLIRGenImpl::lowerings() {
  auto bind = [this](auto member) -> Lowering {
    return [this, member](const ParticleDecl &p, ParticleAttrs &a,
                          ArrayRef<Value> in) { return (this->*member)(p, a, in); };
  };
  if (table.empty()) {
    std::vector<std::string> pool{"pool", "strides", "padding"};
    table = {
        {"dense",
         {bind(&MLIRGenImpl::dense), 1, {"units", "use_bias", "activation"}}},
        {"conv2d",
         {bind(&MLIRGenImpl::conv2d), 1,
          {"filters", "kernel", "strides", "padding", "dilation_rate",
           "use_bias", "activation"}}},
        {"max_pool2d", {bind(&MLIRGenImpl::pool<MaxPool2DOp>), 1, pool}},
        {"avg_pool2d", {bind(&MLIRGenImpl::pool<AvgPool2DOp>), 1, pool}},
        {"flatten", {bind(&MLIRGenImpl::flatten), 1, {}}},
        {"reshape", {bind(&MLIRGenImpl::reshape), 1, {"shape"}}},
        {"softmax", {bind(&MLIRGenImpl::softmax), 1, {"axis"}}},
        {"add", {bind(&MLIRGenImpl::binary<AddOp>), 2, {}}},
        {"mul", {bind(&MLIRGenImpl::binary<MulOp>), 2, {}}},
        {"relu", {bind(&MLIRGenImpl::unary<ReluOp>), 1, {}}},
        {"sigmoid", {bind(&MLIRGenImpl::unary<SigmoidOp>), 1, {}}},
        {"tanh", {bind(&MLIRGenImpl::unary<TanhOp>), 1, {}}},
    };
  }
  return table;
}

bool MLIRGenImpl::lower(const ParticleDecl &p) {
  ParticleAttrs attrs(p, context);
  auto it = lowerings().find(p.op);
  if (it == lowerings().end()) {
    std::vector<std::string> ops;
    for (auto &[name, l] : lowerings())
      ops.push_back(name);
    auto diag = emitErrorAt(&context, p.locOf("op"))
                << "particle '" << p.name << "': unknown op '" << p.op << "'";
    addSpellingHint(diag, p.op, ops);
    return false;
  }
  const OpLowering &op = it->second;
  bool ok = attrs.checkKnown(op.attributes);
  if (p.inputs.size() != op.arity) {
    emitErrorAt(&context, p.loc)
        << attrs.owner() << ": takes " << op.arity
        << (op.arity == 1 ? " input ('input': name)" : " inputs ('inputs': [...])")
        << ", got " << p.inputs.size();
    return false;
  }
  SmallVector<Value> in;
  for (const std::string &name : p.inputs) {
    // An input whose particle failed was reported already.
    auto value = values.find(name);
    if (value == values.end())
      return false;
    in.push_back(value->second);
  }
  loc = particleLocation(&context, p);
  Value result = op.lower(p, attrs, in);
  if (!ok || !result || attrs.failed())
    return false;
  if (!checkSize(shapeOf(result), p.loc, attrs.owner() + ": the result"))
    return false;
  values[p.name] = result;
  return true;
}

OwningOpRef<ModuleOp> MLIRGenImpl::generate() {
  std::vector<const ParticleDecl *> sorted;
  if (!indexNames() || !order(sorted))
    return nullptr;

  OwningOpRef<ModuleOp> module =
      ModuleOp::create(toLocation(&context, model.loc), model.name);
  b.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(b, toLocation(&context, model.loc),
                                   model.name, b.getFunctionType({}, {}));
  b.setInsertionPointToStart(func.addEntryBlock());

  for (const InputDecl &in : model.inputs) {
    if (!checkSize(in.shape, in.loc, "input '" + in.name + "'"))
      return nullptr;
    values[in.name] = InputOp::create(b, toLocation(&context, in.loc),
                                      tensorType(in.shape), in.name);
  }
  bool ok = true;
  for (const ParticleDecl *p : sorted)
    ok &= lower(*p);
  if (!ok)
    return nullptr;
  for (const OutputDecl &out : model.outputs)
    OutputOp::create(b, toLocation(&context, out.loc), out.name,
                     values.at(out.name));
  func::ReturnOp::create(b, toLocation(&context, model.loc));

  for (const std::string &name : weights.unused())
    mlir::emitWarning(toLocation(&context, model.weights.loc))
        << "weight '" << name << "' in " << weights.description()
        << " is not used by any particle";
  return module;
}

} // namespace

OwningOpRef<ModuleOp> mlirGen(const ModelAST &model, WeightStore &weights,
                              MLIRContext &context) {
  return MLIRGenImpl(model, weights, context).generate();
}

} // namespace sora
