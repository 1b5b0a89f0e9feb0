//===- thread_pool.h - A model's parallel-for thread pool -------*- C -*-===//
//
// N-1 worker threads plus the calling thread run the tasks of one parallel
// loop at a time. Workers spin briefly before sleeping, so back-to-back short
// loops (~100 us kernels) do not pay a wake-up each.
//
//===----------------------------------------------------------------------===//
#ifndef SORA_RUNTIME_THREAD_POOL_H
#define SORA_RUNTIME_THREAD_POOL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sora_thread_pool_t sora_thread_pool_t;

/// One task of a parallel loop; same signature as Halide's halide_task_t.
/// Returns 0 on success.
typedef int (*sora_task_fn)(void *user_context, int index, uint8_t *closure);

/// Starts a pool with `num_workers` (>= 1) threads. Returns 0 and stores the
/// pool in `*out_pool`, or returns the pthread error number.
int sora_thread_pool_create(int32_t num_workers, sora_thread_pool_t **out_pool);

/// Stops and joins the workers and frees the pool. NULL is a no-op.
void sora_thread_pool_release(sora_thread_pool_t *pool);

/// Runs `fn(user_context, i, closure)` for every i in [min, min + size) on the
/// pool's workers and the calling thread, and returns when all have finished.
/// Runs serially when `pool` is NULL or when called from inside a task of the
/// same pool. Returns 0, or a non-zero result of one of the tasks (remaining
/// tasks are then skipped). One caller at a time per pool.
int sora_thread_pool_run(sora_thread_pool_t *pool, sora_task_fn fn,
                         void *user_context, int min, int size,
                         uint8_t *closure);

#ifdef __cplusplus
}
#endif

#endif // SORA_RUNTIME_THREAD_POOL_H
