//===- halide_hooks.c - Halide runtime hooks linked into every model ------===//
//
// Strong definitions of the Halide runtime entry points that kernels call.
// The Halide runtime object defines them weak, so these win when soracc
// links a model. Kernels receive the runtime's model as `user_context` (see
// kernel_abi.h), which starts with the runtime's service table: parallel
// loops run on the model's pool, scratch memory comes from its block cache,
// and messages land in its error buffer. This file uses no runtime symbol,
// so a model object (`soracc -c`) keeps it, and the Halide runtime, local.
//
// A NULL user_context (Halide code not called through the driver) gets
// serial loops, plain aligned memory, and stderr.
//
//===----------------------------------------------------------------------===//

#include "sora/kernel_abi.h"

#include <HalideRuntime.h>
#include <stdio.h>
#include <stdlib.h>

/// Alignment of scratch memory without a runtime (Halide's own default).
#define PLAIN_ALIGNMENT 128

static const sora_abi_services_t *services(void *user_context) {
  return ((const sora_abi_context_t *)user_context)->services;
}

int halide_do_par_for(void *user_context, halide_task_t task, int min, int size,
                      uint8_t *closure) {
  if (user_context)
    return services(user_context)
        ->par_for(user_context, task, min, size, closure);
  for (int i = min; i < min + size; ++i) {
    int result = task(user_context, i, closure);
    if (result != 0)
      return result;
  }
  return 0;
}

void *halide_malloc(void *user_context, size_t size) {
  if (user_context)
    return services(user_context)->malloc(user_context, size);
  void *block = NULL;
  size_t rounded =
      (size + PLAIN_ALIGNMENT - 1) & ~(size_t)(PLAIN_ALIGNMENT - 1);
  if (rounded < size ||
      posix_memalign(&block, PLAIN_ALIGNMENT, rounded ? rounded : 1) != 0)
    return NULL;
  return block;
}

void halide_free(void *user_context, void *ptr) {
  if (user_context)
    services(user_context)->free(user_context, ptr);
  else
    free(ptr);
}

void halide_error(void *user_context, const char *message) {
  if (user_context)
    services(user_context)->message(user_context, message, 1);
  else
    fprintf(stderr, "Error: %s", message);
}

void sora_hook_kernel_event(void *user_context, int64_t kernel, int64_t end) {
  const sora_abi_context_t *context = user_context;
  if (context && context->profiling)
    context->services->kernel_event(user_context, kernel, end);
}

int sora_hook_run_concurrently(void *user_context, sora_abi_task_fn task,
                               int count, uint8_t *closure) {
  const sora_abi_context_t *context = user_context;
  if (context && !context->profiling)
    return context->services->par_for(user_context, task, 0, count, closure);
  for (int i = 0; i < count; ++i) {
    int result = task(user_context, i, closure);
    if (result != 0)
      return result;
  }
  return 0;
}

void halide_print(void *user_context, const char *message) {
  if (user_context)
    services(user_context)->message(user_context, message, 0);
  else
    fputs(message, stderr);
}
