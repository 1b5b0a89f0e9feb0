//===- Shape.h - Shapes, views and shape errors in plain C++ ----*- C++ -*-===//
//
// The vocabulary of the shape rules (ParticleShapes.h) and of kernel specs
// (KernelSpec.h). Plain C++17 with no LLVM, MLIR or Halide header, so both
// sides of the two-LLVM boundary (MLIR 22, Halide's LLVM 14) include it.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_CORE_SHAPE_H
#define SORA_CORE_SHAPE_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sora {

/// Dimensions, outer to inner (row-major); activations are NHWC.
using Shape = std::vector<int64_t>;

/// A read-only view of contiguous elements (std::span is C++20): made from
/// a std::vector, an llvm::ArrayRef or SmallVector, or a braced list that
/// outlives the call.
template <typename T> class Span {
public:
  Span() = default;
  Span(const T *data, size_t size) : ptr(data), count(size) {}
// A braced list lives until the end of the call it is written in, which is
// all a Span argument needs (llvm::ArrayRef silences GCC the same way).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  Span(std::initializer_list<T> list) : ptr(list.begin()), count(list.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  template <typename Container,
            typename = std::enable_if_t<std::is_convertible_v<
                decltype(std::declval<const Container &>().data()), const T *>>>
  Span(const Container &c) : ptr(c.data()), count(c.size()) {}

  const T *data() const { return ptr; }
  size_t size() const { return count; }
  bool empty() const { return count == 0; }
  const T *begin() const { return ptr; }
  const T *end() const { return ptr + count; }
  const T &operator[](size_t i) const { return ptr[i]; }
  const T &front() const { return ptr[0]; }
  const T &back() const { return ptr[count - 1]; }
  Span dropFront(size_t n = 1) const { return {ptr + n, count - n}; }
  Span dropBack(size_t n = 1) const { return {ptr, count - n}; }
  std::vector<T> vec() const { return std::vector<T>(begin(), end()); }

  friend bool operator==(Span a, Span b) {
    if (a.count != b.count)
      return false;
    for (size_t i = 0; i < a.count; ++i)
      if (!(a.ptr[i] == b.ptr[i]))
        return false;
    return true;
  }
  friend bool operator!=(Span a, Span b) { return !(a == b); }

private:
  const T *ptr = nullptr;
  size_t count = 0;
};

/// A shape argument of a rule.
using ShapeRef = Span<int64_t>;

/// Formats dims as "[1, 28, 28, 1]".
std::string formatDims(ShapeRef dims);

/// The number of elements of `dims` (1 for a scalar).
int64_t numElements(ShapeRef dims);

/// Calls `visit(index, flat)` for every multi-index of `dims`, row-major,
/// `flat` counting them; stops at the first `false` (and returns false).
bool forEachIndex(
    ShapeRef dims,
    const std::function<bool(const std::vector<int64_t> &, int64_t)> &visit);

/// The number of elements of `dims` read from a file: nothing when a
/// dimension is negative or the count overflows int64_t.
std::optional<int64_t> checkedNumElements(ShapeRef dims);

/// The most elements a tensor may have: kernels index with Halide's 32-bit
/// extents and strides.
constexpr int64_t kMaxTensorElements = INT32_MAX;

/// a / b rounded up, for positive b.
constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// A number as a model file would write it ("0.5", "-1", "1e+30").
std::string formatNumber(double value);

/// One message of a failed rule, streamed like a diagnostic and delivered
/// to its ShapeError when the statement that built it ends. `return
/// emitError() << ...;` works in a rule returning std::optional<T>.
class ShapeMessage {
public:
  explicit ShapeMessage(const std::function<void(const std::string &)> &sink)
      : sink(&sink) {}
  ShapeMessage(ShapeMessage &&other)
      : sink(std::exchange(other.sink, nullptr)), os(std::move(other.os)) {}
  ShapeMessage(const ShapeMessage &) = delete;
  ShapeMessage &operator=(const ShapeMessage &) = delete;
  ~ShapeMessage() {
    if (sink && *sink)
      (*sink)(os.str());
  }

  template <typename T> ShapeMessage &operator<<(const T &value) {
    os << value;
    return *this;
  }
  /// A failed rule's result.
  template <typename T> operator std::optional<T>() const {
    return std::nullopt;
  }

private:
  const std::function<void(const std::string &)> *sink;
  std::ostringstream os;
};

/// Where shape rules report why they fail: messages name the port at fault;
/// the sink prefixes the particle and the location (an op verifier, the
/// frontend's source location, a kernel validator's message).
class ShapeError {
public:
  using Sink = std::function<void(const std::string &)>;
  ShapeError(Sink sink) : sink(std::move(sink)) {}
  /// Starts a message.
  ShapeMessage operator()() const { return ShapeMessage(sink); }

private:
  Sink sink;
};

} // namespace sora

#endif // SORA_CORE_SHAPE_H
