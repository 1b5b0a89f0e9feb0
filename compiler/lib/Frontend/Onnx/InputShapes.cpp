//===- InputShapes.cpp - soracc --input-shape -----------------------------===//
//
// Exports with dynamic axes (`torch.onnx.export(..., dynamic_axes=...)`)
// declare inputs such as x [batch, 3, 224, 224]. `--input-shape
// x=1,3,224,224` gives such an input its shape before ONNX's shape
// inference, which then makes the rest of the graph static.
//
//===----------------------------------------------------------------------===//

#include "OnnxModel.h"
#include "sora/Frontend/OnnxImporter.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

#include <set>

namespace sora {

bool parseInputShape(const std::string &spec, InputShapes &shapes,
                     std::string &error) {
  auto [name, dims] = llvm::StringRef(spec).rsplit('=');
  if (name.empty() || dims.empty() || name.size() == spec.size()) {
    error = "--input-shape '" + spec + "' is not NAME=d0,d1,...";
    return false;
  }
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, ',');
  std::vector<int64_t> shape;
  for (llvm::StringRef part : parts) {
    int64_t extent = 0;
    if (part.trim().getAsInteger(10, extent) || extent <= 0 ||
        extent > (int64_t{1} << 31)) {
      error = "--input-shape '" + spec + "': '" + part.str() +
              "' is not a positive extent";
      return false;
    }
    shape.push_back(extent);
  }
  if (!shapes.emplace(name.str(), shape).second) {
    error = "--input-shape gives input '" + name.str() + "' twice";
    return false;
  }
  return true;
}

namespace onnximport {

/// "[d0, batch, 3]": a declared shape, dynamic dimensions by name.
static std::string declaredShape(const onnx::TensorShapeProto &shape) {
  std::string text = "[";
  for (int d = 0; d < shape.dim_size(); ++d) {
    const onnx::TensorShapeProto::Dimension &dim = shape.dim(d);
    text +=
        (d ? ", " : "") + (dim.has_dim_value() ? std::to_string(dim.dim_value())
                           : dim.dim_param().empty() ? std::string("?")
                                                     : dim.dim_param());
  }
  return text + "]";
}

/// `--max-batch`: the first dimension of every run-time input is the batch,
/// declared dynamic in the file; it becomes `batch` (after --input-shape,
/// whose first extent the driver checked against the bound).
static bool pinBatch(onnx::GraphProto &graph,
                     const std::set<std::string> &initializers, int64_t batch,
                     std::string &error) {
  for (onnx::ValueInfoProto &in : *graph.mutable_input()) {
    if (initializers.count(in.name()))
      continue;
    onnx::TensorShapeProto *shape =
        in.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (!in.type().has_tensor_type() || shape->dim_size() == 0) {
      error = "--max-batch: input '" + in.name() +
              "' has no batch dimension (it is not a tensor of rank 1 or more)";
      return false;
    }
    shape->mutable_dim(0)->set_dim_value(batch);
  }
  return true;
}

/// `--max-sequence`: every dynamic dimension of every run-time input (after
/// the batch) is the sequence; it becomes `sequence`.
static bool pinSequence(onnx::GraphProto &graph,
                        const std::set<std::string> &initializers,
                        int64_t sequence, std::string &error) {
  bool found = false;
  for (onnx::ValueInfoProto &in : *graph.mutable_input()) {
    if (initializers.count(in.name()) || !in.type().has_tensor_type())
      continue;
    onnx::TensorShapeProto *shape =
        in.mutable_type()->mutable_tensor_type()->mutable_shape();
    for (onnx::TensorShapeProto::Dimension &dim : *shape->mutable_dim())
      if (!dim.has_dim_value()) {
        dim.set_dim_value(sequence);
        found = true;
      }
  }
  if (!found)
    error = "--max-sequence: no input has a dynamic dimension to hold the "
            "sequence; export the model with one (torch.onnx.export's "
            "dynamic_axes)";
  return found;
}

bool pinInputShapes(onnx::GraphProto &graph, const InputShapes &inputShapes,
                    int64_t batch, int64_t sequence, std::string &error) {
  std::set<std::string> initializers;
  for (const onnx::TensorProto &init : graph.initializer())
    initializers.insert(init.name());
  // With --max-batch, a first extent fixed in the file is not a batch.
  for (const onnx::ValueInfoProto &in : graph.input()) {
    if (batch <= 0 || initializers.count(in.name()) ||
        !in.type().tensor_type().has_shape() ||
        in.type().tensor_type().shape().dim_size() == 0 ||
        !in.type().tensor_type().shape().dim(0).has_dim_value())
      continue;
    error = "--max-batch: input '" + in.name() + "' is declared " +
            declaredShape(in.type().tensor_type().shape()) +
            " with a fixed first dimension; export the model with a dynamic "
            "batch dimension (torch.onnx.export's dynamic_axes)";
    return false;
  }
  for (const auto &[name, dims] : inputShapes) {
    onnx::ValueInfoProto *input = nullptr;
    std::vector<std::string> names;
    for (onnx::ValueInfoProto &in : *graph.mutable_input()) {
      if (initializers.count(in.name()))
        continue;
      names.push_back("'" + in.name() + "'");
      if (in.name() == name)
        input = &in;
    }
    std::string given =
        "--input-shape " + name + "=" +
        llvm::join(
            llvm::map_range(dims, [](int64_t d) { return std::to_string(d); }),
            ",");
    if (!input) {
      error = given + ": the model has no input '" + name +
              "' (its inputs: " + llvm::join(names, ", ") + ")";
      return false;
    }
    if (!input->type().has_tensor_type()) {
      error = given + ": input '" + name + "' is not a tensor";
      return false;
    }
    onnx::TypeProto::Tensor *tensor =
        input->mutable_type()->mutable_tensor_type();
    onnx::TensorShapeProto *shape = tensor->mutable_shape();
    if (tensor->has_shape()) {
      bool fits = shape->dim_size() == (int)dims.size();
      for (int d = 0; fits && d < shape->dim_size(); ++d)
        fits = !shape->dim(d).has_dim_value() ||
               shape->dim(d).dim_value() == dims[d];
      if (!fits) {
        error = given + ": input '" + name + "' is declared " +
                declaredShape(*shape) +
                "; give its rank and keep its fixed extents";
        return false;
      }
    }
    shape->clear_dim();
    for (int64_t extent : dims)
      shape->add_dim()->set_dim_value(extent);
  }
  if (batch > 0 && !pinBatch(graph, initializers, batch, error))
    return false;
  return sequence <= 0 || pinSequence(graph, initializers, sequence, error);
}

} // namespace onnximport
} // namespace sora
