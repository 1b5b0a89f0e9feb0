//===- kernel_services.c - What the runtime provides to kernels -----------===//
//
// The service table of kernel_abi.h, bound to the model that a run passes as
// `user_context`: the model's thread pool, block cache, message slot and,
// while profiling, its profile (parallel tasks timed per thread).
//
//===----------------------------------------------------------------------===//

#include "model_internal.h"

/// A parallel task under profiling: the task and its closure, timed.
typedef struct timed_task_t {
  sora_abi_task_fn task;
  uint8_t *closure;
  sora_profile_t *profile;
} timed_task_t;

static int run_timed_task(void *user_context, int index, uint8_t *closure) {
  const timed_task_t *timed = (const timed_task_t *)closure;
  int64_t start = sora_profile_now();
  int result = timed->task(user_context, index, timed->closure);
  sora_profile_task(timed->profile, start, sora_profile_now());
  return result;
}

static int par_for(void *user_context, sora_abi_task_fn task, int min, int size,
                   uint8_t *closure) {
  sora_model_t *model = user_context;
  if (model->context.profiling && model->profile) {
    timed_task_t timed = {task, closure, model->profile};
    return sora_thread_pool_run(model->pool, run_timed_task, user_context, min,
                                size, (uint8_t *)&timed);
  }
  return sora_thread_pool_run(model->pool, task, user_context, min, size,
                              closure);
}

static void *block_alloc(void *user_context, size_t size) {
  sora_model_t *model = user_context;
  return sora_block_alloc(model->blocks, size);
}

static void block_free(void *user_context, void *ptr) {
  sora_model_t *model = user_context;
  sora_block_free(model->blocks, ptr);
}

static void message(void *user_context, const char *text, int is_error) {
  sora_model_record_kernel_message(user_context, text, is_error != 0);
}

static void kernel_event(void *user_context, int64_t kernel, int64_t end) {
  sora_model_t *model = user_context;
  if (model->profile)
    sora_profile_event(model->profile, kernel, end);
}

const sora_abi_services_t sora_kernel_services = {
    par_for, block_alloc, block_free, message, kernel_event};
