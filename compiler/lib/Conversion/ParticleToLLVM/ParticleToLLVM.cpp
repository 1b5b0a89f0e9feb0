//===- ParticleToLLVM.cpp - The graph driver in the LLVM dialect ----------===//
//
// Turns the fused and planned graph function into the code the runtime
// calls (see runtime/include/sora/kernel_abi.h):
//
//   i64 _sora_run(ptr user_context, ptr inputs, ptr outputs, ptr arena,
//                 ptr weights, i64 units)
//   const sora_abi_model_t sora_abi_model = {...}
//   ptr <name>_model() { return &sora_abi_model; }
//
// Every tensor becomes a pointer: a model input, an arena slice, or a slice
// of the weight blob the runtime passes (`_sora_weights` linked in, or an
// external file it maps); views reuse their operand's pointer.
// Each kernel is called with halide_buffer_t descriptors built on the stack
// (static shapes, dense strides); model outputs are copied out at the end.
// In a graph whose runs choose some extents (sora-mark-run-time-batch), the
// tensors marked `run_time_least` take the extent `units` × least along each
// dimension whose least extent is not its static one, in descriptors of
// their own.
//
// For a GPU target the runtime passes device addresses instead (see
// sora_abi_device_t): the descriptors name them as the `device` of the
// target's Halide device interface, with no host memory, and outputs are
// copied device to device by halide_buffer_copy.
//
//===----------------------------------------------------------------------===//

#include "sora/Conversion/KernelSpecBuilder.h"
#include "sora/Conversion/Passes.h"
#include "sora/Conversion/RecurrenceStep.h"
#include "sora/Conversion/WeightLayout.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"
#include "sora/Target/TargetInfo.h"
#include "sora/Tuning/CostModel.h"
#include "sora/kernel_abi.h"

#include "HalideRuntime.h" // C structs only: halide_buffer_t, halide_type_t

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/JSON.h"

namespace sora {
#define GEN_PASS_DEF_CONVERTPARTICLETOLLVM
#include "sora/Conversion/Passes.h.inc"
} // namespace sora

using namespace mlir;
using namespace sora::particle;

namespace {

/// halide_type_t{code, bits, lanes = 1} as one little-endian i32.
static_assert(sizeof(halide_type_t) == 4, "halide_type_t is one i32");
constexpr int32_t halideTypeWord(halide_type_code_t code, int bits) {
  return (int32_t)code | bits << 8 | 1 << 16;
}
constexpr int32_t kHalideFloat32 = halideTypeWord(halide_type_float, 32);
constexpr int32_t kHalideInt64 = halideTypeWord(halide_type_int, 64);

// The literal structs below mirror the C headers field for field; these
// checks fail the build if a header's layout changes.
static_assert(offsetof(halide_buffer_t, type) == 32 &&
                  offsetof(halide_buffer_t, dimensions) == 36 &&
                  offsetof(halide_buffer_t, dim) == 40 &&
                  offsetof(halide_buffer_t, padding) == 48 &&
                  sizeof(halide_buffer_t) == 56,
              "bufferType mirrors halide_buffer_t");
static_assert(sizeof(halide_dimension_t) == 16,
              "dimsGlobal writes four i32 words per halide_dimension_t");
static_assert(offsetof(sora_abi_tensor_t, dims) == 24 &&
                  offsetof(sora_abi_tensor_t, sequence_axis) == 32 &&
                  sizeof(sora_abi_tensor_t) == 40,
              "tensorDescType mirrors sora_abi_tensor_t");
static_assert(sizeof(sora_abi_model_t) % 8 == 0,
              "sora_abi_model_t is a table of 8-byte words");
static_assert(offsetof(sora_abi_kernel_t, bytes) == 24 &&
                  sizeof(sora_abi_kernel_t) == 32,
              "kernelTable mirrors sora_abi_kernel_t");

/// How a tensor of the graph crosses the ABI: f32, or i64 token ids.
struct ElementInfo {
  int64_t dtype; ///< SORA_ABI_DTYPE_*
  const char *name;
  int32_t halideType;
};

ElementInfo elementInfo(Value tensor) {
  if (isTokenIds(tensor.getType()))
    return {SORA_ABI_DTYPE_I64, "i64", kHalideInt64};
  return {SORA_ABI_DTYPE_F32, "f32", kHalideFloat32};
}

/// What the descriptor says beyond the graph (the pass's options).
struct DescriptorOptions {
  StringRef symbol;      ///< <name>_model, or "" for none
  StringRef weightsFile; ///< "" = the blob `_sora_weights` is linked in
  uint64_t weightsChecksum;
  int64_t maxBatch;    ///< 0, or the graph is one sample of up to this many
  int64_t maxSequence; ///< 0, or the graph runs 1 to this many tokens
};

class DriverBuilder {
public:
  DriverBuilder(ModuleOp module, const sora::TargetInfo &target,
                DescriptorOptions descriptor)
      : module(module), target(target), descriptor(descriptor),
        b(module.getContext()), loc(module.getLoc()) {
    MLIRContext *ctx = module.getContext();
    i32 = b.getI32Type();
    i64 = b.getI64Type();
    ptr = LLVM::LLVMPointerType::get(ctx);
    // struct halide_buffer_t { u64 device; ptr device_interface; ptr host;
    //   u64 flags; halide_type_t type; i32 dimensions; ptr dim; ptr padding; }
    bufferType = LLVM::LLVMStructType::getLiteral(
        ctx, {i64, ptr, ptr, i64, i32, i32, ptr, ptr});
    tensorDescType =
        LLVM::LLVMStructType::getLiteral(ctx, {ptr, i64, i64, ptr, i64});
  }

  LogicalResult build(func::FuncOp graph);

private:
  // Module-level constants.
  FlatSymbolRefAttr stringGlobal(StringRef value);
  FlatSymbolRefAttr dimsGlobal(ArrayRef<int64_t> shape);
  FlatSymbolRefAttr i64ArrayGlobal(ArrayRef<int64_t> values);
  /// A model input's or output's shape as the signature gives it: with
  /// --max-batch, the largest batch (the graph's one sample times it, where
  /// the runtime runs the graph once per sample).
  SmallVector<int64_t> signatureShape(Value tensor) const {
    SmallVector<int64_t> shape(
        cast<RankedTensorType>(tensor.getType()).getShape());
    if (descriptor.maxBatch && !runTimeUnits && !shape.empty())
      shape[0] *= descriptor.maxBatch;
    return shape;
  }
  FlatSymbolRefAttr tensorTable(StringRef symbol, ArrayRef<Value> tensors,
                                ArrayRef<std::string> names);
  /// The sora_abi_kernel_t table of `kernels` (in call order); fails if a
  /// kernel cannot be described.
  FailureOr<FlatSymbolRefAttr> kernelTable(ArrayRef<KernelOp> kernels);
  /// Calls sora_hook_kernel_event(user_context, kernel, end).
  void kernelEvent(Value userContext, int64_t kernel, int64_t end);
  template <typename Fill>
  LLVM::GlobalOp constantGlobal(StringRef name, Type type, Fill fill);
  /// The kernel's function, taking `numArgs` pointers (the user context and
  /// the buffers).
  LLVM::LLVMFuncOp kernelDecl(KernelOp kernel, size_t numArgs);
  LogicalResult buildDescriptor(func::FuncOp graph, ArrayRef<Value> inputs,
                                ArrayRef<std::string> inputNames,
                                ArrayRef<Value> outputs,
                                ArrayRef<std::string> outputNames,
                                int64_t arenaSize, int64_t weightsBytes);

  // Code in the run function.
  Value constant(Type type, int64_t value) {
    return LLVM::ConstantOp::create(b, loc, type, value);
  }
  /// `base` + `offset` bytes. A GEP's constant index keeps only 29 bits
  /// (LLVM::kGEPConstantBitWidth) and silently wraps beyond them, so larger
  /// offsets (weights past 256 MiB, big arenas) are i64 operands.
  Value offsetPtr(Value base, int64_t offset) {
    constexpr int64_t limit = int64_t(1) << (LLVM::kGEPConstantBitWidth - 1);
    LLVM::GEPArg index = (int32_t)offset;
    if (offset >= limit || offset < -limit)
      index = constant(i64, offset);
    return LLVM::GEPOp::create(b, loc, ptr, b.getI8Type(), base,
                               ArrayRef<LLVM::GEPArg>{index});
  }
  /// A descriptor of the tensor at `data` (host memory, or device memory on
  /// a GPU target).
  Value halideBuffer(Value data, Value tensor);
  /// `onHost`: `data` is host memory even on a GPU target. `dims`: the
  /// halide_dimension_t array, if not the constant one of `shape`.
  Value halideBuffer(Value data, ArrayRef<int64_t> shape,
                     int32_t halideType = kHalideFloat32, bool onHost = false,
                     Value dims = {});
  /// `tensor`'s extent along `dim` in this run, where a run chooses it:
  /// units × least.
  Value runExtent(Value tensor, size_t dim);
  /// The halide_dimension_t array of a tensor whose extents a run chooses,
  /// on the stack: the constant one of its shape with this run's extents.
  Value runDims(Value tensor);
  /// Whether a run's elements of `tensor` come first in its bound's layout
  /// (what a model's inputs and outputs need, the caller's being dense): at
  /// most one dimension's extent is the run's, and every one before it 1.
  bool runsAsPrefix(Value tensor) const {
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(tensor.getType()).getShape();
    bool unitsSoFar = true; // every dimension before d has one element
    for (size_t d = 0; d < shape.size(); ++d) {
      if (runTimeDim(tensor, d) && !unitsSoFar)
        return false;
      unitsSoFar &= shape[d] == 1;
    }
    return true;
  }
  /// sora_abi_tensor_t's sequence_axis: the dimension a run's tokens
  /// choose (of a model input or output), else -1.
  int64_t sequenceAxis(Value tensor) const {
    if (!descriptor.maxSequence)
      return -1;
    int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
    for (int64_t d = 0; d < rank; ++d)
      if (runTimeDim(tensor, (size_t)d))
        return d;
    return -1;
  }
  /// Whether a run chooses `tensor`'s extent along `dim`.
  bool runTimeDim(Value tensor, size_t dim) const {
    auto it = least.find(tensor);
    return it != least.end() &&
           it->second[dim] !=
               cast<RankedTensorType>(tensor.getType()).getDimSize(dim);
  }
  /// Zeroes the f32 tensor of `shape` at `dst` (on a GPU target by a copy
  /// from zeroed host memory).
  void zeroFill(Value userContext, Value dst, ArrayRef<int64_t> shape,
                Block *fail);
  /// Branches to `fail` with `status` (an i32 Halide code) if it is not 0;
  /// continues in a new block.
  void branchOnFailure(Value status, Block *fail);
  /// The kernel whose result, through views nothing else reads, is the
  /// model output `output` and read by nothing else; else null.
  static KernelOp soleProducer(OutputOp output) {
    Value value = output.getValue();
    while (value.hasOneUse()) {
      Operation *def = value.getDefiningOp();
      if (auto kernel = dyn_cast_or_null<KernelOp>(def))
        return kernel;
      if (!isa_and_nonnull<ReshapeOp, FlattenOp>(def))
        return nullptr;
      value = def->getOperand(0);
    }
    return nullptr;
  }
  /// Copies the model output `value` into the caller's buffer at `dst`.
  void copyOutput(Value userContext, Value dst, Value value, Block *fail);
  /// Declares (once) an external function of the linked runtime.
  LLVM::LLVMFuncOp runtimeDecl(StringRef name, Type result,
                               ArrayRef<Type> params);
  /// Element `index` of the array of pointers `array`.
  Value loadPointer(Value array, int32_t index) {
    Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, array,
                                     ArrayRef<LLVM::GEPArg>{index});
    return LLVM::LoadOp::create(b, loc, ptr, slot);
  }
  /// `base` + `index` * `bytes`, with a run-time index.
  Value offsetPtr(Value base, Value index, int64_t bytes) {
    Value offset = LLVM::MulOp::create(b, loc, index, constant(i64, bytes));
    return LLVM::GEPOp::create(b, loc, ptr, b.getI8Type(), base,
                               ArrayRef<LLVM::GEPArg>{offset});
  }
  /// Calls `kernel` and branches to `fail` with its status if it fails;
  /// continues in a new block.
  void callKernel(KernelOp kernel, ArrayRef<Value> args, Block *fail);
  /// Calls a recurrence kernel once per time step (RecurrenceStep.h) on
  /// the tensors at `inputs` (its operands') and `result`.
  void callRecurrence(KernelOp kernel, const sora::RecurrenceStep &step,
                      Value userContext, ArrayRef<Value> inputs, Value result,
                      Block *fail);
  /// The kernel before `kernel` when the two run concurrently: recurrences
  /// paired by sora-pair-recurrences, on a CPU (a GPU target calls them one
  /// after the other); else null.
  KernelOp concurrentWith(KernelOp kernel) const {
    auto first = dyn_cast_or_null<KernelOp>(kernel->getPrevNode());
    if (target.isGpu() || !first || !kernel->hasAttr(kConcurrentAttr) ||
        !sora::recurrenceStep(first) || !sora::recurrenceStep(kernel))
      return nullptr;
    return first;
  }
  /// Calls `kernels`, recurrences that do not depend on each other, as the
  /// tasks of one sora_hook_run_concurrently: each task in a function of its
  /// own, reading its tensors' pointers from a closure.
  void callConcurrently(ArrayRef<KernelOp> kernels, Value userContext,
                        Block *fail);

  ModuleOp module;
  const sora::TargetInfo &target;
  DescriptorOptions descriptor;
  /// The kernels in the order the driver calls them, and each one's place
  /// in that order (its index in the descriptor's kernel table).
  SmallVector<KernelOp> calledKernels;
  llvm::DenseMap<Operation *, int64_t> callIndex;
  OpBuilder b;
  Location loc;
  Type i32, i64, ptr;
  LLVM::LLVMStructType bufferType, tensorDescType;
  Block *entry = nullptr;
  /// The target's halide_device_interface_t on a GPU target, else null.
  Value deviceInterface;
  unsigned counter = 0;
  llvm::StringMap<FlatSymbolRefAttr> strings, dims;
  /// The pointer of every tensor of the graph built so far.
  llvm::DenseMap<Value, Value> pointers;
  /// The most units of a graph whose runs choose some extents, else 0;
  /// then the run's `units` and the least extents of the tensors whose
  /// extents the run chooses (run_time_least).
  int64_t runTimeUnits = 0;
  Value units;
  llvm::DenseMap<Value, SmallVector<int64_t>> least;
};

template <typename Fill>
LLVM::GlobalOp DriverBuilder::constantGlobal(StringRef name, Type type,
                                             Fill fill) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto global =
      LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                             LLVM::Linkage::Internal, name, Attribute());
  b.setInsertionPointToStart(&global.getInitializerRegion().emplaceBlock());
  LLVM::ReturnOp::create(b, loc, fill());
  return global;
}

FlatSymbolRefAttr DriverBuilder::stringGlobal(StringRef value) {
  auto it = strings.find(value);
  if (it != strings.end())
    return it->second;
  std::string name = "_sora_str" + std::to_string(counter++);
  std::string data = value.str();
  data.push_back('\0');
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  LLVM::GlobalOp::create(b, loc,
                         LLVM::LLVMArrayType::get(b.getI8Type(), data.size()),
                         /*isConstant=*/true, LLVM::Linkage::Internal, name,
                         b.getStringAttr(data));
  return strings[value] = FlatSymbolRefAttr::get(b.getContext(), name);
}

FlatSymbolRefAttr DriverBuilder::dimsGlobal(ArrayRef<int64_t> shape) {
  std::string key;
  for (int64_t d : shape)
    key += std::to_string(d) + "x";
  auto it = dims.find(key);
  if (it != dims.end())
    return it->second;
  // halide_dimension_t {i32 min, extent, stride; u32 flags}, innermost first.
  SmallVector<int32_t> words;
  int64_t stride = 1;
  for (int64_t extent : llvm::reverse(shape)) {
    words.append({0, (int32_t)extent, (int32_t)stride, 0});
    stride *= extent;
  }
  if (words.empty())
    words.append({0, 1, 1, 0});
  std::string name = "_sora_dims" + std::to_string(counter++);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto type = LLVM::LLVMArrayType::get(i32, words.size());
  LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                         LLVM::Linkage::Internal, name,
                         b.getI32TensorAttr(words));
  return dims[key] = FlatSymbolRefAttr::get(b.getContext(), name);
}

FlatSymbolRefAttr DriverBuilder::i64ArrayGlobal(ArrayRef<int64_t> values) {
  std::string name = "_sora_i64s" + std::to_string(counter++);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<int64_t> data(values.begin(), values.end());
  if (data.empty())
    data.push_back(0);
  LLVM::GlobalOp::create(b, loc, LLVM::LLVMArrayType::get(i64, data.size()),
                         /*isConstant=*/true, LLVM::Linkage::Internal, name,
                         b.getI64TensorAttr(data));
  return FlatSymbolRefAttr::get(b.getContext(), name);
}

FlatSymbolRefAttr DriverBuilder::tensorTable(StringRef symbol,
                                             ArrayRef<Value> tensors,
                                             ArrayRef<std::string> names) {
  SmallVector<FlatSymbolRefAttr> nameSyms, dimSyms;
  for (auto [tensor, name] : llvm::zip(tensors, names)) {
    nameSyms.push_back(stringGlobal(name));
    dimSyms.push_back(i64ArrayGlobal(signatureShape(tensor)));
  }
  auto type = LLVM::LLVMArrayType::get(tensorDescType,
                                       std::max<size_t>(tensors.size(), 1));
  constantGlobal(symbol, type, [&]() -> Value {
    Value table = LLVM::UndefOp::create(b, loc, type);
    for (auto [i, tensor] : llvm::enumerate(tensors)) {
      Value entry = LLVM::UndefOp::create(b, loc, tensorDescType);
      int64_t rank = cast<RankedTensorType>(tensor.getType()).getRank();
      Value fields[] = {LLVM::AddressOfOp::create(b, loc, ptr, nameSyms[i]),
                        constant(i64, elementInfo(tensor).dtype),
                        constant(i64, rank),
                        LLVM::AddressOfOp::create(b, loc, ptr, dimSyms[i]),
                        constant(i64, sequenceAxis(tensor))};
      for (auto [f, value] : llvm::enumerate(fields))
        entry = LLVM::InsertValueOp::create(b, loc, entry, value, f);
      table = LLVM::InsertValueOp::create(b, loc, table, entry, i);
    }
    return table;
  });
  return FlatSymbolRefAttr::get(b.getContext(), symbol);
}

LLVM::LLVMFuncOp DriverBuilder::kernelDecl(KernelOp kernel, size_t numArgs) {
  if (auto existing =
          module.lookupSymbol<LLVM::LLVMFuncOp>(kernel.getSymName()))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  SmallVector<Type> params(numArgs, ptr);
  auto decl = LLVM::LLVMFuncOp::create(
      b, loc, kernel.getSymName(), LLVM::LLVMFunctionType::get(i32, params));
  decl.setVisibility_(LLVM::Visibility::Hidden);
  return decl;
}

Value DriverBuilder::halideBuffer(Value data, Value tensor) {
  return halideBuffer(data, cast<RankedTensorType>(tensor.getType()).getShape(),
                      elementInfo(tensor).halideType, /*onHost=*/false,
                      least.count(tensor) ? runDims(tensor) : Value());
}

Value DriverBuilder::runExtent(Value tensor, size_t dim) {
  return LLVM::MulOp::create(b, loc, units,
                             constant(i64, least.lookup(tensor)[dim]));
}

Value DriverBuilder::runDims(Value tensor) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(tensor.getType()).getShape();
  auto type = LLVM::LLVMArrayType::get(i32, 4 * shape.size());
  Value dims;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    dims = LLVM::AllocaOp::create(b, loc, ptr, type, constant(i32, 1),
                                  /*alignment=*/8);
  }
  LLVM::MemcpyOp::create(
      b, loc, dims, LLVM::AddressOfOp::create(b, loc, ptr, dimsGlobal(shape)),
      constant(i64, 16 * (int64_t)shape.size()), /*isVolatile=*/false);
  // Halide dimension i is shape dimension rank-1-i; its extent the second
  // word.
  for (size_t d = 0; d < shape.size(); ++d) {
    if (!runTimeDim(tensor, d))
      continue;
    Value extent = LLVM::GEPOp::create(
        b, loc, ptr, i32, dims,
        ArrayRef<LLVM::GEPArg>{(int32_t)(4 * (shape.size() - 1 - d) + 1)});
    LLVM::StoreOp::create(
        b, loc, LLVM::TruncOp::create(b, loc, i32, runExtent(tensor, d)),
        extent);
  }
  return dims;
}

Value DriverBuilder::halideBuffer(Value data, ArrayRef<int64_t> shape,
                                  int32_t halideType, bool onHost, Value dims) {
  Value buffer;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    buffer = LLVM::AllocaOp::create(b, loc, ptr, bufferType, constant(i32, 1),
                                    /*alignment=*/8);
  }
  Value zero64 = constant(i64, 0), null = LLVM::ZeroOp::create(b, loc, ptr);
  Value device = zero64, interface = null, host = data;
  if (deviceInterface && !onHost) {
    device = LLVM::PtrToIntOp::create(b, loc, i64, data);
    interface = deviceInterface;
    host = null;
  }
  Value fields[] = {
      device,
      interface,
      host,
      zero64,
      constant(i32, halideType),
      constant(i32, (int32_t)shape.size()),
      dims ? dims : LLVM::AddressOfOp::create(b, loc, ptr, dimsGlobal(shape)),
      null};
  for (auto [i, value] : llvm::enumerate(fields)) {
    Value field = LLVM::GEPOp::create(b, loc, ptr, bufferType, buffer,
                                      ArrayRef<LLVM::GEPArg>{0, (int32_t)i});
    LLVM::StoreOp::create(b, loc, value, field);
  }
  return buffer;
}

void DriverBuilder::callKernel(KernelOp kernel, ArrayRef<Value> args,
                               Block *fail) {
  int64_t index = callIndex.lookup(kernel);
  kernelEvent(args[0], index, 0);
  branchOnFailure(
      LLVM::CallOp::create(b, loc, kernelDecl(kernel, args.size()), args)
          .getResult(),
      fail);
  kernelEvent(args[0], index, 1);
}

void DriverBuilder::branchOnFailure(Value status, Block *fail) {
  Value failed = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::ne, status,
                                      constant(i32, 0));
  Value code = LLVM::SExtOp::create(b, loc, i64, status);
  Block *current = b.getInsertionBlock();
  Block *next = b.createBlock(current->getParent());
  b.setInsertionPointToEnd(current);
  LLVM::CondBrOp::create(b, loc, failed, fail, ValueRange{code}, next,
                         ValueRange{});
  b.setInsertionPointToEnd(next);
}

LLVM::LLVMFuncOp DriverBuilder::runtimeDecl(StringRef name, Type result,
                                            ArrayRef<Type> params) {
  if (auto existing = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto decl = LLVM::LLVMFuncOp::create(
      b, loc, name, LLVM::LLVMFunctionType::get(result, params));
  decl.setVisibility_(LLVM::Visibility::Hidden);
  return decl;
}

void DriverBuilder::zeroFill(Value userContext, Value dst,
                             ArrayRef<int64_t> shape, Block *fail) {
  int64_t bytes = 4;
  for (int64_t d : shape)
    bytes *= d;
  if (!deviceInterface) {
    LLVM::MemsetOp::create(b, loc, dst,
                           LLVM::ConstantOp::create(b, loc, b.getI8Type(), 0),
                           constant(i64, bytes), /*isVolatile=*/false);
    return;
  }
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), bytes);
  std::string name = "_sora_zeros" + std::to_string(counter++);
  constantGlobal(name, type,
                 [&]() -> Value { return LLVM::ZeroOp::create(b, loc, type); });
  Value zeros = LLVM::AddressOfOp::create(
      b, loc, ptr, FlatSymbolRefAttr::get(b.getContext(), name));
  Value args[] = {userContext,
                  halideBuffer(zeros, shape, kHalideFloat32, /*onHost=*/true),
                  deviceInterface, halideBuffer(dst, shape)};
  auto copy = runtimeDecl("halide_buffer_copy", i32, {ptr, ptr, ptr, ptr});
  branchOnFailure(LLVM::CallOp::create(b, loc, copy, args).getResult(), fail);
}

void DriverBuilder::copyOutput(Value userContext, Value dst, Value value,
                               Block *fail) {
  Value src = pointers.lookup(value);
  if (!deviceInterface) {
    auto type = cast<RankedTensorType>(value.getType());
    Value bytes = constant(i64, type.getNumElements() * 4);
    // An output's run-time extents are one dimension's, after unit ones
    // (build() checks): the run's elements come first.
    // (Operands built one statement each: the order of the ops must not
    // depend on the C++ compiler's order of evaluating arguments.)
    for (size_t d = 0; d < (size_t)type.getRank(); ++d) {
      if (!runTimeDim(value, d))
        continue;
      Value extent = runExtent(value, d);
      Value bytesPerIndex =
          constant(i64, type.getNumElements() * 4 / type.getDimSize(d));
      bytes = LLVM::MulOp::create(b, loc, extent, bytesPerIndex);
    }
    LLVM::MemcpyOp::create(b, loc, dst, src, bytes, /*isVolatile=*/false);
    return;
  }
  // int halide_buffer_copy(void *uc, halide_buffer_t *src,
  //     const halide_device_interface_t *dst_interface, halide_buffer_t *dst)
  Value args[] = {userContext, halideBuffer(src, value), deviceInterface,
                  halideBuffer(dst, value)};
  auto copy = runtimeDecl("halide_buffer_copy", i32, {ptr, ptr, ptr, ptr});
  branchOnFailure(LLVM::CallOp::create(b, loc, copy, args).getResult(), fail);
}

void DriverBuilder::callRecurrence(KernelOp kernel,
                                   const sora::RecurrenceStep &step,
                                   Value userContext, ArrayRef<Value> inputs,
                                   Value result, Block *fail) {
  auto bytes = [](const sora::Shape &shape) {
    int64_t n = 4;
    for (int64_t d : shape)
      n *= d;
    return n;
  };
  int64_t slotBytes = bytes(step.stateShape());
  int64_t gatesBytes = bytes(step.gatesShape());
  zeroFill(userContext, offsetPtr(result, step.initialSlot * slotBytes),
           step.stateShape(), fail);
  // for (s = 0; s < steps; ++s) call the step kernel on slices at s.
  Block *current = b.getInsertionBlock();
  Region *body = current->getParent();
  Block *loop = b.createBlock(body, {}, {i64}, {loc});
  b.setInsertionPointToEnd(current);
  LLVM::BrOp::create(b, loc, ValueRange{constant(i64, 0)}, loop);
  b.setInsertionPointToEnd(loop);
  Value s = loop->getArgument(0);
  auto at = [&](sora::StepIndex index) {
    Value scaled = LLVM::MulOp::create(b, loc, s, constant(i64, index.step));
    return LLVM::AddOp::create(b, loc, scaled, constant(i64, index.base))
        .getResult();
  };
  SmallVector<Value, 6> args{
      userContext,
      halideBuffer(offsetPtr(inputs[0], at(step.time), gatesBytes),
                   step.gatesShape()),
      halideBuffer(inputs[1], step.recurrentKernelArg())};
  if (step.cell->recurrentBias)
    args.push_back(halideBuffer(inputs[2], step.recurrentBiasShape()));
  args.push_back(halideBuffer(offsetPtr(result, at(step.readSlot), slotBytes),
                              step.stateShape()));
  args.push_back(halideBuffer(offsetPtr(result, at(step.writeSlot), slotBytes),
                              step.stateShape()));
  callKernel(kernel, args, fail);
  Value nextStep = LLVM::AddOp::create(b, loc, s, constant(i64, 1));
  Value more = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::slt, nextStep,
                                    constant(i64, step.steps));
  Block *latch = b.getInsertionBlock();
  Block *done = b.createBlock(body);
  b.setInsertionPointToEnd(latch);
  LLVM::CondBrOp::create(b, loc, more, loop, ValueRange{nextStep}, done,
                         ValueRange{});
  b.setInsertionPointToEnd(done);
}

void DriverBuilder::callConcurrently(ArrayRef<KernelOp> kernels,
                                     Value userContext, Block *fail) {
  // The closure: every kernel's input pointers, then its result's.
  SmallVector<Value> tensors;
  for (KernelOp kernel : kernels) {
    for (Value in : kernel.getInputs())
      tensors.push_back(pointers.lookup(in));
    tensors.push_back(pointers.lookup(kernel.getResult()));
  }
  Value closure;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(entry);
    closure = LLVM::AllocaOp::create(b, loc, ptr, ptr,
                                     constant(i32, (int32_t)tensors.size()),
                                     /*alignment=*/8);
  }
  for (auto [i, tensor] : llvm::enumerate(tensors))
    LLVM::StoreOp::create(
        b, loc, tensor,
        LLVM::GEPOp::create(b, loc, ptr, ptr, closure,
                            ArrayRef<LLVM::GEPArg>{(int32_t)i}));

  // int task(void *user_context, int index, uint8_t *closure): kernel
  // `index`, its failure's status returned.
  std::string name = "_sora_tasks" + std::to_string(counter++);
  {
    OpBuilder::InsertionGuard guard(b);
    Block *runEntry = entry;
    b.setInsertionPointToEnd(module.getBody());
    auto task = LLVM::LLVMFuncOp::create(
        b, loc, name, LLVM::LLVMFunctionType::get(i32, {ptr, i32, ptr}),
        LLVM::Linkage::Internal);
    entry = task.addEntryBlock(b);
    Value taskContext = entry->getArgument(0), index = entry->getArgument(1),
          taskClosure = entry->getArgument(2);
    Block *taskFail = b.createBlock(&task.getBody(), {}, {i64}, {loc});
    LLVM::ReturnOp::create(
        b, loc, LLVM::TruncOp::create(b, loc, i32, taskFail->getArgument(0)));
    // if (index == 0) run kernel 0; else if (index == 1) ...
    Block *dispatch = entry;
    int32_t slot = 0;
    for (auto [i, kernel] : llvm::enumerate(kernels)) {
      Block *run = b.createBlock(&task.getBody());
      Block *other = b.createBlock(&task.getBody());
      b.setInsertionPointToEnd(dispatch);
      Value isThis = LLVM::ICmpOp::create(b, loc, LLVM::ICmpPredicate::eq,
                                          index, constant(i32, (int32_t)i));
      LLVM::CondBrOp::create(b, loc, isThis, run, other);
      b.setInsertionPointToEnd(run);
      auto load = [&] {
        Value at = LLVM::GEPOp::create(b, loc, ptr, ptr, taskClosure,
                                       ArrayRef<LLVM::GEPArg>{slot++});
        return LLVM::LoadOp::create(b, loc, ptr, at).getResult();
      };
      SmallVector<Value> inputs;
      for (unsigned k = 0; k < kernel->getNumOperands(); ++k)
        inputs.push_back(load());
      Value result = load();
      callRecurrence(kernel, *sora::recurrenceStep(kernel), taskContext, inputs,
                     result, taskFail);
      LLVM::ReturnOp::create(b, loc, constant(i32, 0));
      dispatch = other;
    }
    b.setInsertionPointToEnd(dispatch);
    LLVM::ReturnOp::create(b, loc, constant(i32, 0));
    entry = runEntry;
  }
  Value status =
      LLVM::CallOp::create(
          b, loc,
          runtimeDecl("sora_hook_run_concurrently", i32, {ptr, ptr, i32, ptr}),
          ValueRange{
              userContext,
              LLVM::AddressOfOp::create(
                  b, loc, ptr, FlatSymbolRefAttr::get(b.getContext(), name)),
              constant(i32, (int32_t)kernels.size()), closure})
          .getResult();
  branchOnFailure(status, fail);
}

FailureOr<FlatSymbolRefAttr>
DriverBuilder::kernelTable(ArrayRef<KernelOp> kernels) {
  SmallVector<FlatSymbolRefAttr> names, particles;
  SmallVector<sora::KernelWork> work;
  for (KernelOp kernel : kernels) {
    FailureOr<sora::KernelSpec> spec = sora::buildKernelSpec(kernel);
    if (failed(spec))
      return failure();
    std::string what;
    for (const sora::KernelOp &op : spec->ops)
      what += (what.empty() ? "" : ", ") +
              (op.particle.empty() ? "" : op.particle + ": ") +
              sora::kernelOpName(op.kind);
    names.push_back(stringGlobal(kernel.getSymName()));
    particles.push_back(stringGlobal(what));
    work.push_back(sora::kernelWork(*spec));
  }
  auto entryType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {ptr, ptr, i64, i64});
  auto type =
      LLVM::LLVMArrayType::get(entryType, std::max<size_t>(kernels.size(), 1));
  constantGlobal("_sora_kernels", type, [&]() -> Value {
    Value table = LLVM::UndefOp::create(b, loc, type);
    for (size_t i = 0; i < kernels.size(); ++i) {
      Value entry = LLVM::UndefOp::create(b, loc, entryType);
      Value fields[] = {LLVM::AddressOfOp::create(b, loc, ptr, names[i]),
                        LLVM::AddressOfOp::create(b, loc, ptr, particles[i]),
                        constant(i64, (int64_t)work[i].flops),
                        constant(i64, (int64_t)work[i].bytes)};
      for (auto [f, value] : llvm::enumerate(fields))
        entry = LLVM::InsertValueOp::create(b, loc, entry, value, f);
      table = LLVM::InsertValueOp::create(b, loc, table, entry, i);
    }
    return table;
  });
  return FlatSymbolRefAttr::get(b.getContext(), "_sora_kernels");
}

void DriverBuilder::kernelEvent(Value userContext, int64_t kernel,
                                int64_t end) {
  auto hook =
      runtimeDecl("sora_hook_kernel_event",
                  LLVM::LLVMVoidType::get(b.getContext()), {ptr, i64, i64});
  LLVM::CallOp::create(
      b, loc, hook,
      ValueRange{userContext, constant(i64, kernel), constant(i64, end)});
}

LogicalResult DriverBuilder::buildDescriptor(func::FuncOp graph,
                                             ArrayRef<Value> inputs,
                                             ArrayRef<std::string> inputNames,
                                             ArrayRef<Value> outputs,
                                             ArrayRef<std::string> outputNames,
                                             int64_t arenaSize,
                                             int64_t weightsBytes) {
  FailureOr<FlatSymbolRefAttr> kernelSymbol = kernelTable(calledKernels);
  if (failed(kernelSymbol))
    return failure();
  auto describe = [&](ArrayRef<Value> values, ArrayRef<std::string> names) {
    llvm::json::Array list;
    for (auto [v, name] : llvm::zip(values, names)) {
      llvm::json::Array shape;
      for (int64_t d : signatureShape(v))
        shape.push_back(d);
      llvm::json::Object entry{{"name", name},
                               {"dtype", elementInfo(v).name},
                               {"shape", std::move(shape)}};
      if (int64_t axis = sequenceAxis(v); axis >= 0)
        entry["sequence_axis"] = axis;
      list.push_back(std::move(entry));
    }
    return list;
  };
  std::string signature;
  llvm::raw_string_ostream os(signature);
  llvm::json::Object signatureObject{
      {"name", graph.getName()},
      {"target", target.name},
      {"inputs", describe(inputs, inputNames)},
      {"outputs", describe(outputs, outputNames)}};
  if (descriptor.maxBatch)
    signatureObject["max_batch"] = descriptor.maxBatch;
  if (descriptor.maxSequence)
    signatureObject["max_sequence"] = descriptor.maxSequence;
  os << llvm::json::Value(std::move(signatureObject));

  FlatSymbolRefAttr nameSym = stringGlobal(graph.getName());
  FlatSymbolRefAttr signatureSym = stringGlobal(signature);
  FlatSymbolRefAttr targetSym = stringGlobal(target.name);
  FlatSymbolRefAttr featuresSym = stringGlobal(target.cpuFeatures);
  FlatSymbolRefAttr inputTable =
      tensorTable("_sora_inputs", inputs, inputNames);
  FlatSymbolRefAttr outputTable =
      tensorTable("_sora_outputs", outputs, outputNames);
  MLIRContext *ctx = module.getContext();
  // sora_abi_model_t, one 8-byte word per field: each field is placed by
  // its offset in kernel_abi.h, so the struct cannot drift from the header.
  constexpr size_t kWords = sizeof(sora_abi_model_t) / 8;
  SmallVector<std::function<Value()>, kWords> words(kWords);
  SmallVector<Type, kWords> wordTypes(kWords);
  auto set = [&](size_t offset, Type type, std::function<Value()> make) {
    wordTypes[offset / 8] = type;
    words[offset / 8] = std::move(make);
  };
  auto integer = [&](size_t offset, int64_t value) {
    set(offset, i64, [=] { return constant(i64, value); });
  };
  auto address = [&](size_t offset, FlatSymbolRefAttr sym) {
    set(offset, ptr,
        [=] { return LLVM::AddressOfOp::create(b, loc, ptr, sym); });
  };
  integer(offsetof(sora_abi_model_t, abi_version), SORA_ABI_VERSION);
  address(offsetof(sora_abi_model_t, name), nameSym);
  address(offsetof(sora_abi_model_t, signature_json), signatureSym);
  address(offsetof(sora_abi_model_t, target), targetSym);
  address(offsetof(sora_abi_model_t, cpu_features), featuresSym);
  integer(offsetof(sora_abi_model_t, num_inputs), inputs.size());
  integer(offsetof(sora_abi_model_t, num_outputs), outputs.size());
  address(offsetof(sora_abi_model_t, inputs), inputTable);
  address(offsetof(sora_abi_model_t, outputs), outputTable);
  integer(offsetof(sora_abi_model_t, arena_bytes), arenaSize);
  address(offsetof(sora_abi_model_t, run),
          FlatSymbolRefAttr::get(ctx, "_sora_run"));
  if (descriptor.weightsFile.empty()) {
    // The blob, defined in its own object and laid out by
    // sora-layout-weights.
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto blob = LLVM::GlobalOp::create(
        b, loc, LLVM::LLVMArrayType::get(b.getI8Type(), 0), /*isConstant=*/true,
        LLVM::Linkage::External, "_sora_weights", Attribute(),
        /*alignment=*/64);
    blob.setVisibility_(LLVM::Visibility::Hidden);
    address(offsetof(sora_abi_model_t, weights), FlatSymbolRefAttr::get(blob));
  } else {
    set(offsetof(sora_abi_model_t, weights), ptr,
        [=] { return LLVM::ZeroOp::create(b, loc, ptr).getResult(); });
  }
  integer(offsetof(sora_abi_model_t, weights_bytes), weightsBytes);
  integer(offsetof(sora_abi_model_t, weights_checksum),
          (int64_t)descriptor.weightsChecksum);
  address(offsetof(sora_abi_model_t, weights_file),
          stringGlobal(descriptor.weightsFile));
  integer(offsetof(sora_abi_model_t, num_kernels), calledKernels.size());
  integer(offsetof(sora_abi_model_t, max_batch), descriptor.maxBatch);
  integer(offsetof(sora_abi_model_t, batch_at_run_time),
          runTimeUnits && descriptor.maxBatch ? 1 : 0);
  integer(offsetof(sora_abi_model_t, max_sequence), descriptor.maxSequence);
  address(offsetof(sora_abi_model_t, kernels), *kernelSymbol);
  if (target.isGpu()) {
    // sora_<gpu>_device, defined by the target's device hooks.
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto device = LLVM::GlobalOp::create(
        b, loc, LLVM::LLVMArrayType::get(i64, sizeof(sora_abi_device_t) / 8),
        /*isConstant=*/true, LLVM::Linkage::External,
        "sora_" + target.gpu + "_device", Attribute());
    device.setVisibility_(LLVM::Visibility::Hidden);
    address(offsetof(sora_abi_model_t, device), FlatSymbolRefAttr::get(device));
  } else {
    set(offsetof(sora_abi_model_t, device), ptr,
        [=] { return LLVM::ZeroOp::create(b, loc, ptr).getResult(); });
  }
  assert(llvm::all_of(wordTypes, [](Type t) { return bool(t); }) &&
         "a field of sora_abi_model_t is not set");
  auto modelType = LLVM::LLVMStructType::getLiteral(ctx, wordTypes);
  auto global = constantGlobal("sora_abi_model", modelType, [&]() -> Value {
    Value model = LLVM::UndefOp::create(b, loc, modelType);
    for (auto [i, make] : llvm::enumerate(words))
      model = LLVM::InsertValueOp::create(b, loc, model, make(), i);
    return model;
  });
  global.setLinkage(LLVM::Linkage::External);
  global.setVisibility_(LLVM::Visibility::Hidden);
  if (descriptor.symbol.empty())
    return success();
  // const sora_abi_model_t *<name>_model(void) { return &sora_abi_model; }
  b.setInsertionPointToEnd(module.getBody());
  auto accessor = LLVM::LLVMFuncOp::create(
      b, loc, descriptor.symbol, LLVM::LLVMFunctionType::get(ptr, {}));
  b.setInsertionPointToEnd(accessor.addEntryBlock(b));
  LLVM::ReturnOp::create(b, loc,
                         LLVM::AddressOfOp::create(b, loc, global).getResult());
  return success();
}

LogicalResult DriverBuilder::build(func::FuncOp graph) {
  auto arenaAttr = graph->getAttrOfType<IntegerAttr>(kArenaSizeAttr);
  if (!arenaAttr)
    return graph.emitError("graph has no memory plan; run sora-plan-memory");
  // The weight blob as sora-layout-weights laid it out.
  FailureOr<std::vector<sora::WeightSlot>> layout = sora::weightLayout(module);
  if (failed(layout))
    return failure();
  if (auto bound = graph->getAttrOfType<IntegerAttr>(kRunTimeUnitsAttr)) {
    runTimeUnits = bound.getInt();
    if (target.isGpu() ||
        runTimeUnits != std::max(descriptor.maxBatch, descriptor.maxSequence))
      return graph.emitError("extents chosen at run time need a CPU target "
                             "and --max-batch or --max-sequence ")
             << runTimeUnits;
  }
  b.setInsertionPointToEnd(module.getBody());
  auto run = LLVM::LLVMFuncOp::create(
      b, loc, "_sora_run",
      LLVM::LLVMFunctionType::get(i64, {ptr, ptr, ptr, ptr, ptr, i64}));
  run.setVisibility_(LLVM::Visibility::Hidden);
  entry = run.addEntryBlock(b);
  Block *fail = b.createBlock(&run.getBody(), {}, {i64}, {loc});
  LLVM::ReturnOp::create(b, loc, fail->getArgument(0));
  b.setInsertionPointToEnd(entry);
  Value userContext = entry->getArgument(0), inputsArg = entry->getArgument(1),
        outputsArg = entry->getArgument(2), arena = entry->getArgument(3),
        weights = entry->getArgument(4);
  units = entry->getArgument(5);
  if (target.isGpu())
    deviceInterface =
        LLVM::CallOp::create(
            b, loc,
            runtimeDecl("halide_" + target.gpu + "_device_interface", ptr, {}),
            ValueRange{})
            .getResult();

  // A kernel whose result only a model output reads writes it straight into
  // the caller's buffer (outputs may not overlap anything the run reads):
  // no copy after the run (BERT's 384 KiB output: the run's other time 74 ->
  // 60 us, its last kernel 13 -> 19 us, writing colder memory).
  llvm::DenseMap<Operation *, int32_t> outputIndexOf;
  llvm::SmallPtrSet<Operation *, 4> writeCallerBuffer;
  if (!target.isGpu()) {
    int32_t index = 0;
    for (OutputOp output : graph.getBody().front().getOps<OutputOp>()) {
      if (KernelOp kernel = soleProducer(output))
        outputIndexOf[kernel] = index;
      ++index;
    }
  }

  SmallVector<Value> inputs, outputs;
  std::vector<std::string> inputNames, outputNames;
  for (Operation &op : llvm::make_early_inc_range(graph.getBody().front())) {
    if (auto marked = op.getAttrOfType<DenseI64ArrayAttr>(kRunTimeLeastAttr))
      least[op.getResult(0)].assign(marked.asArrayRef().begin(),
                                    marked.asArrayRef().end());
    if (auto input = dyn_cast<InputOp>(op)) {
      if (!runsAsPrefix(input))
        return input.emitOpError(
            "has extents a run chooses after a dimension of more than one "
            "element: a smaller run's elements would not come first");
      pointers[input] = loadPointer(inputsArg, (int32_t)inputs.size());
      inputs.push_back(input);
      inputNames.push_back(input.getName().str());
    } else if (auto weight = dyn_cast<WeightOp>(op)) {
      pointers[weight] = offsetPtr(
          weights,
          weight->getAttrOfType<IntegerAttr>(kBlobOffsetAttr).getInt());
    } else if (isa<ReshapeOp, FlattenOp>(op)) {
      pointers[op.getResult(0)] = pointers.lookup(op.getOperand(0));
    } else if (auto kernel = dyn_cast<KernelOp>(op)) {
      auto offset = kernel->getAttrOfType<IntegerAttr>(kArenaOffsetAttr);
      if (!offset)
        return kernel.emitError("kernel has no arena offset");
      // Not a recurrence: its result holds its state slots too.
      auto output = outputIndexOf.find(kernel);
      Value result;
      if (output != outputIndexOf.end() && !sora::recurrenceStep(kernel) &&
          runsAsPrefix(kernel.getResult())) {
        result = loadPointer(outputsArg, output->second);
        writeCallerBuffer.insert(kernel);
      } else {
        result = offsetPtr(arena, offset.getInt());
      }
      pointers[kernel] = result;
      // Kernel events (for profiles) bracket each call: kernel i of the
      // descriptor's table is the i-th called here.
      callIndex[kernel] = (int64_t)calledKernels.size();
      calledKernels.push_back(kernel);
      auto next = dyn_cast_or_null<KernelOp>(kernel->getNextNode());
      if (next && concurrentWith(next))
        continue; // called with `next`
      if (KernelOp first = concurrentWith(kernel)) {
        callConcurrently({first, kernel}, userContext, fail);
        continue;
      }
      if (std::optional<sora::RecurrenceStep> step =
              sora::recurrenceStep(kernel)) {
        SmallVector<Value> inputs;
        for (Value in : kernel.getInputs())
          inputs.push_back(pointers.lookup(in));
        callRecurrence(kernel, *step, userContext, inputs, result, fail);
        continue;
      }
      SmallVector<Value> args{userContext};
      for (Value in : kernel.getInputs())
        args.push_back(halideBuffer(pointers.lookup(in), in));
      args.push_back(halideBuffer(result, kernel.getResult()));
      callKernel(kernel, args, fail);
    } else if (auto output = dyn_cast<OutputOp>(op)) {
      if (!runsAsPrefix(output.getValue()))
        return output.emitOpError(
            "has extents a run chooses after a dimension of more than one "
            "element: a smaller run's elements would not come first");
      if (!writeCallerBuffer.contains(soleProducer(output)))
        copyOutput(userContext,
                   loadPointer(outputsArg, (int32_t)outputs.size()),
                   output.getValue(), fail);
      outputs.push_back(output.getValue());
      outputNames.push_back(output.getName().str());
    } else if (!isa<func::ReturnOp>(op)) {
      return op.emitOpError("is not supported by the graph driver; every "
                            "compute particle must be inside a kernel");
    }
  }
  LLVM::ReturnOp::create(b, loc, constant(i64, 0));
  if (failed(buildDescriptor(graph, inputs, inputNames, outputs, outputNames,
                             arenaAttr.getInt(),
                             sora::weightBlobSize(*layout))))
    return failure();
  graph.erase();
  return success();
}

struct ConvertParticleToLLVMPass
    : public sora::impl::ConvertParticleToLLVMBase<ConvertParticleToLLVMPass> {
  using ConvertParticleToLLVMBase::ConvertParticleToLLVMBase;

  void runOnOperation() override {
    const sora::TargetInfo *info = sora::lookupTarget(target);
    if (!info) {
      getOperation().emitError() << "unknown target '" << target << "'";
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> graphs(getOperation().getOps<func::FuncOp>());
    if (graphs.size() != 1) {
      getOperation().emitError()
          << "expected one graph function, found " << graphs.size();
      return signalPassFailure();
    }
    DriverBuilder builder(getOperation(), *info,
                          {descriptorSymbol, weightsFile, weightsChecksum,
                           maxBatch, maxSequence});
    if (failed(builder.build(graphs.front())))
      signalPassFailure();
  }
};

} // namespace
