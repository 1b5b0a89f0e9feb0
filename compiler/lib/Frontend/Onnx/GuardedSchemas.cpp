//===- GuardedSchemas.cpp - ONNX schemas whose inference checks ranks -----===//

#include "GuardedSchemas.h"

#include <onnx/defs/shape_inference.h>

#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace sora::onnximport {

namespace {

/// The input whose dimensions a window operator's weights mirror, or -1.
int weightsInput(const std::string &op) {
  if (op == "Conv" || op == "ConvTranspose" || op == "ConvInteger")
    return 1;
  if (op == "QLinearConv")
    return 3;
  return op == "MaxPool" || op == "AveragePool" || op == "LpPool" ? -1 : -2;
}

/// The rank of input `index`, or -1 when it is not known.
int inputRank(onnx::InferenceContext &ctx, size_t index) {
  if (index >= ctx.getNumInputs())
    return -1;
  const onnx::TypeProto *type = ctx.getInputType(index);
  if (!type || !type->has_tensor_type() || !type->tensor_type().has_shape())
    return -1;
  return type->tensor_type().shape().dim_size();
}

/// Fails inference unless the window attributes of `op` and its weights
/// agree with the rank of its input.
void checkWindowRanks(onnx::InferenceContext &ctx, const std::string &op,
                      int weights) {
  int rank = inputRank(ctx, 0);
  if (rank < 0)
    return;
  if (rank < 3)
    fail_shape_inference(op, " needs an input of rank 3 or more (N, C and ",
                         "spatial dimensions); it has rank ", rank);
  int spatial = rank - 2;
  for (const char *name : {"kernel_shape", "strides", "dilations", "pads"}) {
    const onnx::AttributeProto *attr = ctx.getAttribute(name);
    int expected = std::string(name) == "pads" ? 2 * spatial : spatial;
    if (attr && attr->ints_size() != expected)
      fail_shape_inference(op, " attribute '", name, "' has ",
                           attr->ints_size(), " values; its rank-", rank,
                           " input needs ", expected);
  }
  int weightRank = weights >= 0 ? inputRank(ctx, (size_t)weights) : -1;
  if (weightRank >= 0 && weightRank != rank)
    fail_shape_inference(op, " weights have rank ", weightRank,
                         "; its input has rank ", rank);
}

class GuardedRegistry final : public onnx::ISchemaRegistry {
public:
  const onnx::OpSchema *GetSchema(const std::string &key, const int version,
                                  const std::string &domain) const override {
    const onnx::OpSchema *schema =
        onnx::OpSchemaRegistry::Instance()->GetSchema(key, version, domain);
    int weights = weightsInput(key);
    bool standard = domain.empty() || domain == "ai.onnx";
    if (!schema || !standard || weights == -2)
      return schema;
    auto &guarded = schemas[std::make_tuple(key, schema->since_version())];
    if (!guarded) {
      guarded = std::make_unique<onnx::OpSchema>(*schema);
      onnx::InferenceFunction infer =
          schema->GetTypeAndShapeInferenceFunction();
      guarded->TypeAndShapeInferenceFunction(
          [infer, key, weights](onnx::InferenceContext &ctx) {
            checkWindowRanks(ctx, key, weights);
            if (infer)
              infer(ctx);
          });
    }
    return guarded.get();
  }

private:
  mutable std::map<std::tuple<std::string, int>,
                   std::unique_ptr<onnx::OpSchema>>
      schemas;
};

} // namespace

const onnx::ISchemaRegistry *guardedSchemas() {
  static GuardedRegistry registry;
  return &registry;
}

} // namespace sora::onnximport
