//===- GraphBuilder.cpp - Values, layouts and particles
//--------------------===//

#include "GraphBuilder.h"
#include "OpTable.h"

#include "llvm/Support/Path.h"

#include <cassert>
#include <numeric>

using nlohmann::json;

namespace sora::onnximport {

//===----------------------------------------------------------------------===//
// Permutations and names
//===----------------------------------------------------------------------===//

std::vector<int64_t> identityPerm(size_t rank) {
  std::vector<int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  return perm;
}

bool isIdentity(const std::vector<int64_t> &perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i))
      return false;
  return true;
}

std::vector<int64_t> composePerm(const std::vector<int64_t> &b,
                                 const std::vector<int64_t> &a) {
  if (b.empty())
    return a;
  std::vector<int64_t> result(a.size());
  for (size_t i = 0; i < a.size(); ++i)
    result[i] = b[a[i]];
  return result;
}

std::vector<int64_t> invertPerm(const std::vector<int64_t> &perm) {
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    inverse[perm[i]] = i;
  return inverse;
}

std::string safeName(const std::string &name) {
  std::string safe;
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (ok)
      safe += c;
    else if (!safe.empty() && safe.back() != '_')
      safe += '_';
  }
  while (!safe.empty() && safe.back() == '_')
    safe.pop_back();
  if (safe.empty())
    return "v";
  if (std::isdigit(static_cast<unsigned char>(safe[0])))
    safe = "v" + safe;
  return safe;
}

std::vector<int64_t> Held::physicalShape() const {
  if (perm.empty())
    return shape;
  std::vector<int64_t> physical(shape.size());
  for (size_t i = 0; i < perm.size(); ++i)
    physical[perm[i]] = shape[i];
  return physical;
}

//===----------------------------------------------------------------------===//
// Values and particles
//===----------------------------------------------------------------------===//

GraphBuilder::GraphBuilder(const OnnxModel &model)
    : model(model), fileLoc{model.path(), 0, 0, ""} {
  ast.file = model.path();
  ast.name = safeName(llvm::sys::path::stem(model.path()).str());
  ast.loc = fileLoc;
  ast.weights.loc = fileLoc;
  for (const std::string &in : model.inputs) {
    std::string name = uniqueName(safeName(in));
    const ValueType &type = *model.type(in);
    bool ids = type.elemType == onnx::TensorProto::INT64; // token ids
    InputDecl decl{name, type.dims, ids ? "i64" : "f32", fileLoc};
    decl.loc.path = "input '" + in + "'";
    ast.inputs.push_back(decl);
    shapes[name] = decl.shape;
    values[in] = Held{name, decl.shape};
  }
  for (const std::string &out : model.outputs)
    if (!outputNames.count(out))
      outputNames[out] =
          values.count(out) ? values[out].ref : uniqueName(safeName(out));
}

std::string GraphBuilder::uniqueName(const std::string &hint) {
  std::string name = hint;
  for (int k = 2; taken.count(name); ++k)
    name = hint + "_" + std::to_string(k);
  taken.insert(name);
  return name;
}

const Held &GraphBuilder::get(const std::string &onnxName) {
  if (!values.count(onnxName) && model.constant(onnxName))
    define(onnxName, constant(onnxName, model.constant(onnxName)->dims.size()));
  return values.at(onnxName);
}

void GraphBuilder::define(const std::string &onnxName, Held held) {
  if (held.perm.size() && isIdentity(held.perm))
    held.perm.clear();
  if (held.columns.size() && isIdentity(held.columns))
    held.columns.clear();
  if (!shapes.count(held.ref))
    shapes[held.ref] = held.physicalShape();
  values[onnxName] = std::move(held);
}

const std::vector<int64_t> &
GraphBuilder::shapeOf(const std::string &ref) const {
  return shapes.at(ref);
}

std::string GraphBuilder::emit(const std::string &name, const std::string &op,
                               const std::vector<std::string> &inputs,
                               json attrs, const std::string &where) {
  ParticleDecl p;
  p.name = name;
  p.op = op;
  p.inputs = inputs;
  p.loc = fileLoc;
  p.loc.path = where;
  p.inputLocs.assign(inputs.size(), p.loc);
  for (auto &[key, value] : attrs.items()) {
    p.attrLocs[key] = p.loc;
    p.attrKeyLocs[key] = p.loc;
  }
  p.attrs = std::move(attrs);
  ast.particles.push_back(std::move(p));
  return name;
}

std::string GraphBuilder::particle(const onnx::NodeProto &node,
                                   const std::string &suffix,
                                   const std::string &op,
                                   const std::vector<std::string> &inputs,
                                   json attrs) {
  std::string base = node.name().empty() ? node.output(0) : node.name();
  std::string name = uniqueName(safeName(base) + suffix);
  return emit(name, op, inputs, std::move(attrs), describeNode(node));
}

std::string GraphBuilder::scalar(const onnx::NodeProto &node,
                                 const std::string &suffix, float value) {
  std::string name =
      particle(node, suffix, "constant", {}, json{{"shape", {1}}});
  weight(name, "value", {1}, {value});
  return name;
}

Held GraphBuilder::constant(const std::string &onnxName, size_t rank,
                            const std::vector<int64_t> &perm) {
  const ConstTensor &t = *model.constant(onnxName);
  std::vector<int64_t> logical = t.dims;
  rank = std::max<size_t>(rank, 1);
  logical.insert(logical.begin(), rank - std::min(rank, logical.size()), 1);
  std::vector<int64_t> order = perm.empty() ? identityPerm(rank) : perm;
  auto key = std::make_pair(onnxName, logical);
  key.second.insert(key.second.end(), order.begin(), order.end());
  if (auto it = constants.find(key); it != constants.end())
    return it->second;
  // logical = physical.transpose(order): physical dim order[i] is logical
  // dim i.
  std::vector<int64_t> physical(rank), logicalStride(rank, 1);
  for (size_t i = 0; i < rank; ++i)
    physical[order[i]] = logical[i];
  for (size_t i = rank - 1; i > 0; --i)
    logicalStride[i - 1] = logicalStride[i] * logical[i];
  std::vector<float> data(t.floats.size());
  std::vector<int64_t> at(rank, 0); // physical index, row-major order
  for (float &value : data) {
    int64_t source = 0;
    for (size_t i = 0; i < rank; ++i)
      source += at[order[i]] * logicalStride[i];
    value = t.floats[source];
    for (size_t d = rank; d-- > 0;)
      if (++at[d] < physical[d])
        break;
      else
        at[d] = 0;
  }
  std::string name = uniqueName(safeName(onnxName));
  emit(name, "constant", {}, json{{"shape", physical}},
       "initializer '" + onnxName + "'");
  shapes[name] = physical;
  weight(name, "value", physical, std::move(data));
  Held held{name, logical, perm.empty() ? std::vector<int64_t>{} : order};
  return constants[key] = held;
}

void GraphBuilder::weight(const std::string &particle, const std::string &param,
                          std::vector<int64_t> shape, std::vector<float> data) {
  tensors[particle + "." + param] = {std::move(shape), std::move(data)};
}

//===----------------------------------------------------------------------===//
// Layouts
//===----------------------------------------------------------------------===//

std::string GraphBuilder::transpose(const std::string &ref,
                                    const std::vector<int64_t> &shape,
                                    const std::vector<int64_t> &perm,
                                    const std::string &nameHint) {
  std::vector<int64_t> result(perm.size());
  for (size_t i = 0; i < perm.size(); ++i)
    result[i] = shape[perm[i]];
  // Moving only unit dimensions keeps the element order: a reshape.
  int64_t last = -1;
  bool reorders = false;
  for (int64_t axis : perm) {
    if (shape[axis] == 1)
      continue;
    reorders |= axis < last;
    last = axis;
  }
  std::string name = uniqueName(nameHint);
  if (!reorders)
    emit(name, "reshape", {ref}, json{{"shape", result}}, "layout of " + ref);
  else
    emit(name, "transpose", {ref}, json{{"perm", perm}}, "layout of " + ref);
  shapes[name] = result;
  return name;
}

std::string GraphBuilder::padSpatial(const std::string &ref,
                                     const std::array<int64_t, 4> &pads,
                                     float value, const std::string &nameHint) {
  std::vector<int64_t> shape = shapeOf(ref);
  std::string name = uniqueName(nameHint);
  json attrs{
      {"pads", {{0, 0}, {pads[0], pads[2]}, {pads[1], pads[3]}, {0, 0}}}};
  if (value != 0)
    attrs["value"] = value;
  emit(name, "pad", {ref}, std::move(attrs), "padding of " + ref);
  shape[1] += pads[0] + pads[2];
  shape[2] += pads[1] + pads[3];
  shapes[name] = shape;
  return name;
}

std::string GraphBuilder::withPerm(const std::string &onnxName,
                                   const std::vector<int64_t> &perm) {
  const Held &held = get(onnxName);
  if (!held.columns.empty()) {
    assert(isIdentity(perm) && "columns only exist at rank 2");
    return plain(onnxName);
  }
  // Q = logical.transpose(inverse(perm)) = physical.transpose(c).
  std::vector<int64_t> c = composePerm(held.perm, invertPerm(perm));
  if (isIdentity(c))
    return held.ref;
  std::string suffix = perm == kChannelsLast ? "_nhwc"
                       : !isIdentity(perm)   ? "_t"
                       : perm.size() == 4    ? "_nchw"
                                             : "_plain";
  return transpose(held.ref, held.physicalShape(), c, held.ref + suffix);
}

std::string GraphBuilder::plain(const std::string &onnxName) {
  auto cached = plainCache.find(onnxName);
  if (cached != plainCache.end())
    return cached->second;
  const Held &held = get(onnxName);
  std::string ref;
  if (held.isPlain()) {
    ref = held.ref;
  } else if (!held.columns.empty()) {
    // Unflatten, transpose to the ONNX order, flatten again.
    std::string base = held.ref + "_nchw";
    std::string unflat = uniqueName(base + "_unflat");
    emit(unflat, "reshape", {held.ref}, json{{"shape", held.unflatShape}},
         "layout of " + held.ref);
    shapes[unflat] = held.unflatShape;
    std::string t =
        transpose(unflat, held.unflatShape, held.unflatPerm, base + "_t");
    ref = uniqueName(base);
    emit(ref, "flatten", {t}, json::object(), "layout of " + held.ref);
    shapes[ref] = held.shape;
  } else {
    ref = withPerm(onnxName, identityPerm(held.shape.size()));
  }
  plainCache[onnxName] = ref;
  return ref;
}

Held GraphBuilder::flattenKeepingLayout(const std::string &onnxName,
                                        const onnx::NodeProto &node) {
  const Held &in = get(onnxName);
  std::vector<int64_t> physical = in.physicalShape();
  int64_t rest = 1;
  for (size_t i = 1; i < in.shape.size(); ++i)
    rest *= in.shape[i];
  Held out{"", {in.shape[0], rest}, {}, {}, physical, in.perm};
  // columns[j]: the physical position of logical element j.
  std::vector<int64_t> strides(physical.size(), 1);
  for (size_t i = physical.size(); i-- > 1;)
    strides[i - 1] = strides[i] * physical[i];
  std::vector<int64_t> index(in.shape.size(), 0);
  out.columns.resize(rest);
  for (int64_t j = 0; j < rest; ++j) {
    int64_t offset = 0;
    for (size_t i = 1; i < index.size(); ++i)
      offset += index[i] * strides[in.perm[i]];
    out.columns[j] = offset;
    for (size_t i = index.size(); i-- > 1;) {
      if (++index[i] < in.shape[i])
        break;
      index[i] = 0;
    }
  }
  out.ref = particle(node, "", "flatten", {in.ref});
  shapes[out.ref] = out.shape;
  return out;
}

std::string GraphBuilder::channelsLast(const std::string &onnxName) {
  auto cached = channelsLastCache.find(onnxName);
  if (cached != channelsLastCache.end())
    return cached->second;
  std::string ref = withPerm(onnxName, kChannelsLast);
  channelsLastCache[onnxName] = ref;
  return ref;
}

//===----------------------------------------------------------------------===//
// The finished model
//===----------------------------------------------------------------------===//

void GraphBuilder::rename(const std::string &from, const std::string &to) {
  for (ParticleDecl &p : ast.particles) {
    if (p.name == from)
      p.name = to;
    for (std::string &in : p.inputs)
      if (in == from)
        in = to;
  }
  TensorMap renamed;
  for (auto &[name, tensor] : tensors) {
    bool owned = name.size() > from.size() && name[from.size()] == '.' &&
                 name.compare(0, from.size(), from) == 0;
    renamed[owned ? to + name.substr(from.size()) : name] = std::move(tensor);
  }
  tensors = std::move(renamed);
  shapes[to] = shapes[from];
}

ModelAST GraphBuilder::finish(TensorMap &weights) {
  std::vector<std::string> refs;
  for (const std::string &out : model.outputs)
    refs.push_back(plain(out));
  // Name each output's particle after the ONNX output; a value that is a
  // model input or already named as another output is copied.
  std::set<std::string> inputNames;
  for (const InputDecl &in : ast.inputs)
    inputNames.insert(in.name);
  std::map<std::string, std::string> renamedTo;
  for (size_t i = 0; i < refs.size(); ++i) {
    const std::string &out = model.outputs[i];
    const std::string &name = outputNames.at(out);
    std::string ref = refs[i];
    if (ref != name) {
      if (auto it = renamedTo.find(ref); it != renamedTo.end())
        ref = it->second;
      if (inputNames.count(ref) || renamedTo.count(refs[i])) {
        emit(name, "reshape", {ref}, json{{"shape", get(out).shape}},
             "output '" + out + "'");
        shapes[name] = get(out).shape;
      } else {
        rename(ref, name);
        renamedTo[ref] = name;
      }
    }
    OutputDecl decl{name, fileLoc};
    decl.loc.path = "output '" + out + "'";
    ast.outputs.push_back(decl);
  }
  weights = std::move(tensors);
  return std::move(ast);
}

} // namespace sora::onnximport
