//===- halide_hooks.c - Halide runtime hooks bound to a model -------------===//
//
// Strong definitions of the Halide runtime entry points that kernels call.
// The Halide runtime object defines them weak, so these win at link time.
// Kernels receive the sora_model_t as `user_context` (see kernel_abi.h), so
// parallel loops run on the model's pool, scratch memory comes from its block
// cache, and messages land in its error buffer. A NULL user_context (Halide
// code not called through the driver) gets serial loops, plain aligned
// memory, and stderr.
//
//===----------------------------------------------------------------------===//

#include "model_internal.h"

#include <HalideRuntime.h>
#include <stdio.h>

int halide_do_par_for(void *user_context, halide_task_t task, int min, int size,
                      uint8_t *closure) {
  sora_model_t *model = user_context;
  return sora_thread_pool_run(model ? model->pool : NULL, task, user_context,
                              min, size, closure);
}

void *halide_malloc(void *user_context, size_t size) {
  sora_model_t *model = user_context;
  return sora_block_alloc(model ? model->blocks : NULL, size);
}

void halide_free(void *user_context, void *ptr) {
  sora_model_t *model = user_context;
  sora_block_free(model ? model->blocks : NULL, ptr);
}

void halide_error(void *user_context, const char *message) {
  if (user_context)
    sora_model_record_kernel_message(user_context, message, true);
  else
    fprintf(stderr, "Error: %s", message);
}

void halide_print(void *user_context, const char *message) {
  if (user_context)
    sora_model_record_kernel_message(user_context, message, false);
  else
    fputs(message, stderr);
}
