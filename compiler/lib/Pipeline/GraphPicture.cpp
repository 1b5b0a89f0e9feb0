//===- GraphPicture.cpp - The fused graph as a Graphviz picture -----------===//

#include "sora/Pipeline/GraphPicture.h"
#include "sora/Conversion/KernelSpecBuilder.h"
#include "sora/Dialect/Particle/ParticleOps.h"
#include "sora/Dialect/Particle/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

namespace sora {
namespace {

/// `text` escaped for a DOT double-quoted string (whose "\n" escapes the
/// labels below add themselves).
std::string escaped(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

/// `label`, already escaped, as a DOT string.
std::string quoted(llvm::StringRef label) { return "\"" + label.str() + "\""; }

/// "1x28x28x1" for a tensor value.
std::string shapeOf(mlir::Value value) {
  auto type = llvm::cast<mlir::RankedTensorType>(value.getType());
  std::string text;
  for (int64_t d : type.getShape())
    text += (text.empty() ? "" : "x") + std::to_string(d);
  return text.empty() ? "scalar" : text;
}

/// "conv2d" for particle.conv2d.
std::string kindOf(mlir::Operation *op) {
  return op->getName().stripDialect().str();
}

class DotWriter {
public:
  explicit DotWriter(llvm::raw_ostream &os) : os(os) {}
  void write(mlir::func::FuncOp graph);

private:
  /// Emits a node for `op`'s result and records it as the value's source.
  void opNode(mlir::Operation *op, const char *style, llvm::StringRef indent);
  /// Edges into `op` from the sources of its operands.
  void edgesInto(mlir::Operation *op);
  void kernel(particle::KernelOp kernel);

  llvm::raw_ostream &os;
  llvm::DenseMap<mlir::Value, std::string> source; ///< value -> node id
  llvm::DenseMap<mlir::Operation *, std::string> ids;
  std::string edges;
  int counter = 0;
};

void DotWriter::opNode(mlir::Operation *op, const char *style,
                       llvm::StringRef indent) {
  std::string id = "n" + std::to_string(counter++);
  ids[op] = id;
  std::string particle = particleName(op->getLoc());
  std::string label = escaped(particle.empty() ? "" : particle + ": ") +
                      kindOf(op) + "\\n" + shapeOf(op->getResult(0));
  os << indent << id << " [label=\"" << label << "\"" << style << "];\n";
  source[op->getResult(0)] = id;
}

void DotWriter::edgesInto(mlir::Operation *op) {
  for (mlir::Value operand : op->getOperands()) {
    auto from = source.find(operand);
    if (from != source.end()) // weights have no node
      edges += "  " + from->second + " -> " + ids[op] + ";\n";
  }
}

void DotWriter::kernel(particle::KernelOp kernel) {
  mlir::Block &body = kernel.getBody().front();
  // The region's arguments are the kernel's operands.
  for (auto [argument, operand] :
       llvm::zip(body.getArguments(), kernel.getOperands())) {
    auto from = source.find(operand);
    if (from != source.end())
      source[argument] = from->second;
  }
  std::string label = escaped(kernel.getSymName());
  if (auto schedule = kernel->getAttr("schedule")) {
    // The record's fields, four to a line.
    std::string text;
    llvm::raw_string_ostream ts(text);
    schedule.print(ts);
    llvm::StringRef fields(text);
    fields.consume_front("#particle.schedule<");
    fields.consume_back(">");
    llvm::SmallVector<llvm::StringRef> parts;
    fields.split(parts, ", ");
    for (auto [i, part] : llvm::enumerate(parts))
      label += (i % 4 == 0 ? "\\n" : ", ") + escaped(part);
  }
  if (auto offset = kernel->getAttrOfType<mlir::IntegerAttr>(
          particle::kArenaOffsetAttr)) {
    auto type = llvm::cast<mlir::RankedTensorType>(kernel.getType());
    int64_t bytes = type.getNumElements() * 4;
    label += "\\narena [" + std::to_string(offset.getInt()) + ", " +
             std::to_string(offset.getInt() + bytes) + ")";
  }
  os << "  subgraph " << quoted("cluster_" + escaped(kernel.getSymName()))
     << " {\n    label=" << quoted(label)
     << "; style=\"rounded,filled\"; fillcolor=\"#eef4fb\"; "
        "color=\"#4a7ab5\";\n";
  for (mlir::Operation &op : body.without_terminator()) {
    opNode(&op, ", style=filled, fillcolor=white", "    ");
    edgesInto(&op);
  }
  os << "  }\n";
  // The kernel's result is what its region yields.
  mlir::Value yielded = body.getTerminator()->getOperand(0);
  source[kernel.getResult()] = source.lookup(yielded);
}

void DotWriter::write(mlir::func::FuncOp graph) {
  os << "digraph " << quoted(escaped(graph.getName())) << " {\n"
     << "  rankdir=TB; fontname=\"Helvetica\"; fontsize=10;\n"
     << "  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
     << "  edge [color=\"#555555\"];\n";
  for (mlir::Operation &op : graph.getBody().front()) {
    if (auto input = llvm::dyn_cast<particle::InputOp>(op)) {
      std::string id = "n" + std::to_string(counter++);
      os << "  " << id << " [shape=ellipse, label="
         << quoted(escaped(input.getName()) + "\\n" + shapeOf(input)) << "];\n";
      source[input] = id;
    } else if (auto kernel = llvm::dyn_cast<particle::KernelOp>(op)) {
      this->kernel(kernel);
    } else if (auto output = llvm::dyn_cast<particle::OutputOp>(op)) {
      std::string id = "n" + std::to_string(counter++);
      os << "  " << id
         << " [shape=ellipse, label=" << quoted(escaped(output.getName()))
         << "];\n";
      auto from = source.find(output.getValue());
      if (from != source.end())
        edges += "  " + from->second + " -> " + id + ";\n";
    } else if (op.getNumResults() == 1 && !llvm::isa<particle::WeightOp>(op)) {
      // Views (reshape, flatten): the same memory, another shape.
      opNode(&op, ", style=dashed", "  ");
      edgesInto(&op);
    }
  }
  os << edges << "}\n";
}

} // namespace

std::string graphToDot(mlir::ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  for (auto graph : module.getOps<mlir::func::FuncOp>())
    DotWriter(os).write(graph);
  return text;
}

bool renderSvg(const std::string &dot, std::string &svg, std::string &error) {
  llvm::ErrorOr<std::string> program = llvm::sys::findProgramByName("dot");
  if (!program) {
    error = "cannot find Graphviz's dot to render SVG (apt install graphviz)";
    return false;
  }
  llvm::SmallString<128> in, out;
  if (llvm::sys::fs::createTemporaryFile("soracc-graph", "dot", in) ||
      llvm::sys::fs::createTemporaryFile("soracc-graph", "svg", out)) {
    error = "cannot create a temporary file";
    return false;
  }
  auto cleanup = [&] {
    (void)llvm::sys::fs::remove(in);
    (void)llvm::sys::fs::remove(out);
  };
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(in, ec);
    os << dot;
  }
  std::optional<llvm::StringRef> redirects[] = {
      llvm::StringRef(in), llvm::StringRef(out), std::nullopt};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*program, {*program, "-Tsvg"},
                                     std::nullopt, redirects, 0, 0, &message);
  auto text = llvm::MemoryBuffer::getFile(out);
  cleanup();
  if (rc != 0 || !text) {
    error = "Graphviz's dot failed" + (message.empty() ? "" : ": " + message);
    return false;
  }
  svg = (*text)->getBuffer().str();
  return true;
}

} // namespace sora
