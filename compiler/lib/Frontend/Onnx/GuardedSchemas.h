//===- GuardedSchemas.h - ONNX schemas whose inference checks ranks -------===//
//
// libonnx's shape inference of convolutions and pools indexes the input's
// dimensions by the kernel's without checking that they agree (a Conv after
// a Flatten: SIGSEGV inside libonnx). Its value ranks are known only while
// it runs, so the check wraps those operators' inference functions.
//
//===----------------------------------------------------------------------===//

#ifndef SORA_FRONTEND_ONNX_GUARDEDSCHEMAS_H
#define SORA_FRONTEND_ONNX_GUARDEDSCHEMAS_H

#include <onnx/defs/schema.h>

namespace sora::onnximport {

/// ONNX's schemas, with window operators' inference first checking that the
/// input's rank, the weights' rank and the window attributes agree (an
/// onnx::InferenceError otherwise). Pass to onnx::shape_inference::InferShapes.
const onnx::ISchemaRegistry *guardedSchemas();

} // namespace sora::onnximport

#endif
