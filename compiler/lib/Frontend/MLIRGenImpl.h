//===- MLIRGenImpl.h - Model AST to the particle dialect --------*- C++ -*-===//
//
// The state of one MLIRGen run, shared by the graph-level code
// (MLIRGenGraph.cpp: names, order, composites, the model function) and the
// per-particle lowerings (MLIRGen.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef SORA_LIB_FRONTEND_MLIRGENIMPL_H
#define SORA_LIB_FRONTEND_MLIRGENIMPL_H

#include "ParticleAttrs.h"
#include "sora/Core/ParticleShapes.h"
#include "sora/Frontend/ModelAST.h"
#include "sora/Frontend/WeightStore.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <map>
#include <set>

namespace sora {

class MLIRGenImpl {
public:
  MLIRGenImpl(const ModelAST &model, WeightStore &weights,
              mlir::MLIRContext &context)
      : model(model), weights(weights), context(context), b(&context) {}

  mlir::OwningOpRef<mlir::ModuleOp> generate();

private:
  using Value = mlir::Value;
  template <typename T> using ArrayRef = llvm::ArrayRef<T>;
  using Lowering = std::function<Value(const ParticleDecl &, ParticleAttrs &,
                                       ArrayRef<Value>)>;

  //===--------------------------------------------------------------------===//
  // Graphs (MLIRGenGraph.cpp)
  //===--------------------------------------------------------------------===//

  /// A weight a composite receives as an argument; `name` is relative to
  /// the instance (`d.kernel` becomes `<instance>.d.kernel`).
  struct WeightParam {
    std::string name;
    std::vector<int64_t> shape;
    int64_t fanIn;
    std::string layout;
    std::string owner;
  };
  /// The function being built: the model graph, or a composite's body.
  struct Scope {
    const CompositeDecl *composite = nullptr;
    mlir::func::FuncOp func;
    std::vector<WeightParam> params;
  };
  /// A composite's function, built on first use.
  struct CompositeFunc {
    enum State { Building, Done, Failed } state = Building;
    mlir::func::FuncOp func;
    std::vector<WeightParam> params;
  };
  /// The values of one graph by name, and what went wrong in it.
  struct GraphValues {
    std::map<std::string, Value> values;
    std::set<std::string> failed;
    /// Instances of composites with several outputs -> their output names.
    std::map<std::string, std::vector<std::string>> multiOutputs;
  };

  bool lowerGraph(const std::vector<InputDecl> &inputs,
                  const std::vector<ParticleDecl> &particles,
                  const std::vector<OutputDecl> &outputs, GraphValues &graph,
                  llvm::SmallVectorImpl<Value> &results);
  bool order(const std::vector<InputDecl> &inputs,
             const std::vector<ParticleDecl> &particles,
             const std::vector<OutputDecl> &outputs,
             std::vector<const ParticleDecl *> &sorted);
  bool lower(const ParticleDecl &particle, GraphValues &graph);
  bool instantiate(const ParticleDecl &particle, const CompositeDecl &composite,
                   ParticleAttrs &attrs, ArrayRef<Value> in,
                   GraphValues &graph);
  CompositeFunc *compositeFunc(const CompositeDecl &composite);
  /// The value `name` refers to, or null after reporting why not.
  Value lookup(const std::string &name, const SourceLoc &where,
               const std::string &who, GraphValues &graph);
  /// A weight tensor: from the store in the model graph, an argument of the
  /// function in a composite.
  Value namedWeight(const std::string &name, const std::vector<int64_t> &shape,
                    int64_t fanIn, const std::string &layout,
                    const std::string &owner, const SourceLoc &where);
  /// Reports `what` at `where` if a tensor of `shape` is too large.
  bool checkSize(ArrayRef<int64_t> shape, const SourceLoc &where,
                 const std::string &what);

  //===--------------------------------------------------------------------===//
  // Particles (MLIRGen.cpp)
  //===--------------------------------------------------------------------===//

  /// How one op is lowered: the function, its number of inputs and the
  /// attribute keys it accepts.
  struct OpLowering {
    /// `arity` of particles that take one or more inputs (concat).
    static constexpr unsigned kVariadic = ~0u;
    Lowering lower;
    unsigned arity;
    std::vector<std::string> attributes;
  };
  const std::map<std::string, OpLowering> &lowerings();

  // Lowerings, one per particle family.
  Value dense(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value conv2d(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value convTranspose2d(const ParticleDecl &p, ParticleAttrs &a,
                        ArrayRef<Value> in);
  template <typename PoolOp>
  Value pool(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value conv1d(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value depthSpace(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  template <typename PoolOp>
  Value pool1d(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value flatten(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value reshape(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value softmax(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  template <typename BinaryOp>
  Value binary(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  /// cond, a, b: a where cond is nonzero.
  Value where(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  template <typename UnaryOp>
  Value unary(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  // Math particles with attributes (gelu, leaky_relu, clip).
  Value gelu(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value leakyRelu(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  /// An activation whose attributes are all numbers (elu, selu, ...): each
  /// given one is set, the others keep the op's defaults.
  template <typename Op>
  Value scalarActivation(const ParticleDecl &p, ParticleAttrs &a,
                         ArrayRef<Value> in);
  Value clip(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value hardSigmoid(const ParticleDecl &p, ParticleAttrs &a,
                    ArrayRef<Value> in);
  // Tensor particles (log_softmax, dropout and data movement).
  Value logSoftmax(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value dropout(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value transpose(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value concat(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value split(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value slice(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value pad(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value constant(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  /// reduce_<kind>: the kind is the op name's suffix.
  Value reduce(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  // Network layers (global pools, norms, matmul, embedding).
  template <typename GlobalPoolOp>
  Value globalPool(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value batchNorm(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value layerNorm(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value groupNorm(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value matmul(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value embedding(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value oneHot(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  // Transformer layers (MLIRGenTransformer.cpp).
  Value multiHeadAttention(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in);
  Value feedForward(const ParticleDecl &p, ParticleAttrs &a,
                    ArrayRef<Value> in);
  Value positionalEncoding(const ParticleDecl &p, ParticleAttrs &a,
                           ArrayRef<Value> in);
  // Recurrent layers (MLIRGenRecurrent.cpp).
  Value lstm(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value gru(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value rnn(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  /// What lstm, gru and rnn share: the attributes, each direction's weights
  /// (kernel, recurrent kernel, bias and, for a gru, recurrent bias; the
  /// reverse ones null when unidirectional) and the checked result type.
  struct RecurrentLayer {
    llvm::SmallVector<Value, 4> forward, reverse;
    bool returnSequences;
    mlir::Type type;
  };
  std::optional<RecurrentLayer>
  recurrentLayer(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in,
                 const particle::RecurrentCell &cell);
  // Preprocessing (MLIRGenPreprocess.cpp).
  Value normalize(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value resize(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  Value gridSample(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<Value> in);
  /// Registers the results of a particle with several (split): the values
  /// `<name>.0`, `<name>.1`, ... Returns false after reporting a result that
  /// is too large.
  bool defineResults(const ParticleDecl &p, ParticleAttrs &a,
                     mlir::ResultRange results, GraphValues &graph);
  /// `axis` of a rank-`rank` value, negative counting from the end, or
  /// nullopt after an error at `key`.
  std::optional<int64_t> axisAttr(ParticleAttrs &a, const std::string &key,
                                  int64_t fallback, size_t rank);

  // Helpers.
  mlir::Type tensorType(ArrayRef<int64_t> shape) {
    return mlir::RankedTensorType::get(shape, b.getF32Type());
  }
  /// The type of a model or composite input: f32, or i64 token ids.
  mlir::Type inputType(const InputDecl &in) {
    mlir::Type element = b.getF32Type();
    if (in.dtype == "i64")
      element = b.getI64Type();
    return mlir::RankedTensorType::get(in.shape, element);
  }
  static ArrayRef<int64_t> shapeOf(Value v) {
    return llvm::cast<mlir::RankedTensorType>(v.getType()).getShape();
  }
  Value weight(const ParticleDecl &p, ParticleAttrs &a,
               const std::string &param, const std::vector<int64_t> &shape,
               int64_t fanIn, const std::string &layout);
  Value activation(const ParticleDecl &p, ParticleAttrs &a, Value x);
  /// What conv2d and conv_transpose2d share: their attributes (`groups`
  /// checked against the NHWC input `x` and the filters), and their kernel
  /// of `kshape` (`layout` names its dims) and bias.
  struct ConvAttrs {
    int64_t filters, groups;
    std::array<int64_t, 2> kernel, strides, dilation;
    bool useBias;
  };
  std::optional<ConvAttrs> convAttrs(const ParticleDecl &p, ParticleAttrs &a,
                                     ArrayRef<int64_t> x);
  std::optional<std::pair<Value, Value>>
  convWeights(const ParticleDecl &p, ParticleAttrs &a, const ConvAttrs &conv,
              const std::vector<int64_t> &kshape, const std::string &layout);
  /// The op of an `activation` name other than softmax; "none" is `x`
  /// (MLIRGenMath.cpp).
  Value namedActivation(llvm::StringRef name, Value x);
  /// Where shape rules report a mistake in particle `p`: at its location,
  /// prefixed with the particle.
  ShapeError shapeError(const ParticleDecl &p, ParticleAttrs &a);
  /// Checks that `x` is NHWC and returns the [top, left, bottom, right]
  /// padding of a window over it (Keras 'same' or 'valid').
  /// The `padding` attribute of a windowed particle: "valid", "same" or an
  /// explicit [top, left, bottom, right] list.
  std::optional<std::vector<int64_t>>
  paddingAttr(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<int64_t> x,
              std::array<int64_t, 2> window, std::array<int64_t, 2> strides,
              std::array<int64_t, 2> dilation);
  /// A 1-D window over [N, L, C] as the 2-D window of height 1 over
  /// [N, 1, L, C]: `windowKey` ("kernel", "pool"), `strides` (default 1, or
  /// the window for pools), `dilation_rate` when `dilated`, and `padding`
  /// ("valid", "same" or [left, right]) (MLIRGenWindows1D.cpp).
  struct Window1D {
    std::array<int64_t, 2> kernel, strides, dilation;
    std::array<int64_t, 4> pads;
  };
  std::optional<Window1D> window1d(const ParticleDecl &p, ParticleAttrs &a,
                                   ArrayRef<int64_t> x, const char *windowKey,
                                   bool dilated);
  /// An explicit `padding`: four non-negative ints.
  static std::optional<std::vector<int64_t>> explicitPadding(ParticleAttrs &a);
  /// conv_transpose2d's `padding` and `output_padding`: {padding, output
  /// padding} (MLIRGenLayers.cpp).
  static std::optional<std::pair<std::vector<int64_t>, std::vector<int64_t>>>
  transposedPadding(ParticleAttrs &a, std::array<int64_t, 2> kernel,
                    std::array<int64_t, 2> strides,
                    std::array<int64_t, 2> dilation);
  std::optional<std::vector<int64_t>>
  windowPadding(const ParticleDecl &p, ParticleAttrs &a, ArrayRef<int64_t> x,
                bool same, std::array<int64_t, 2> window,
                std::array<int64_t, 2> strides,
                std::array<int64_t, 2> dilation);

  const ModelAST &model;
  WeightStore &weights;
  mlir::MLIRContext &context;
  mlir::OpBuilder b;
  mlir::ModuleOp module;
  mlir::Location loc = mlir::UnknownLoc::get(&context);
  Scope *scope = nullptr;
  std::map<std::string, const CompositeDecl *> compositesByName;
  std::map<std::string, CompositeFunc> compositeFuncs;
  /// How many composite definitions are being built, one inside another.
  unsigned compositeDepth = 0;
  std::map<std::string, OpLowering> table;
};

} // namespace sora

#endif
