//===- shared_model.c - sora_model_create inside a model.so ---------------===//
//
// Linked into every model.so (not into the runtime library that static
// models use): the model created is the one in the same library.
//
//===----------------------------------------------------------------------===//

#include "sora/kernel_abi.h"
#include "sora/runtime.h"

/// The driver's descriptor, in the same model.so.
extern __attribute__((visibility("hidden")))
const sora_abi_model_t sora_abi_model;

sora_status_t sora_model_create(const sora_model_options_t *options,
                                sora_model_t **out_model) {
  return sora_model_create_from(
      (const sora_model_descriptor_t *)&sora_abi_model, options, out_model);
}
