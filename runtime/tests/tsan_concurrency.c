//===- tsan_concurrency.c - Concurrent runs of one model under TSan -------===//
//
// Built with -fsanitize=thread together with the runtime's sources and a
// model object (soracc -c; its header declares TSAN_MODEL()). First one
// handle on one thread computes the reference outputs. Then:
//   1. kThreads threads, each with its own handle of the model (its own
//      arena and a pool of 2 threads; all share the model's weights), run
//      it kRuns times, every other thread with profiling on;
//   2. kThreads threads share one handle, taking turns under a mutex (a
//      handle is used by one thread at a time, not always the same one).
// Every output must be bit-identical to the reference, and TSan must report
// nothing (CTest runs it with halt_on_error=1).
//
//===----------------------------------------------------------------------===//

#include TSAN_MODEL_HEADER

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kThreads = 4, kRuns = 8, kMaxTensors = 16 };

/// A model's inputs and outputs, with buffers.
typedef struct io_t {
  int32_t num_inputs, num_outputs;
  sora_tensor_info_t info[kMaxTensors];
  sora_tensor_t tensors[kMaxTensors];
} io_t;

static bool report(sora_model_t *model, sora_status_t status,
                   const char *what) {
  if (status == SORA_STATUS_OK)
    return true;
  fprintf(stderr, "%s: %s: %s\n", what, sora_status_string(status),
          model ? sora_model_last_error(model) : "");
  return false;
}

/// Describes the model's tensors and fills the inputs deterministically.
static bool prepare(sora_model_t *model, io_t *io) {
  io->num_inputs = sora_model_num_inputs(model);
  io->num_outputs = sora_model_num_outputs(model);
  if (io->num_inputs + io->num_outputs > kMaxTensors) {
    fprintf(stderr, "the model has more than %d tensors\n", kMaxTensors);
    return false;
  }
  for (int32_t i = 0; i < io->num_inputs + io->num_outputs; ++i) {
    bool input = i < io->num_inputs;
    sora_status_t status =
        input ? sora_model_input_info(model, i, &io->info[i])
              : sora_model_output_info(model, i - io->num_inputs, &io->info[i]);
    if (!report(model, status, "tensor info"))
      return false;
    const sora_tensor_info_t *info = &io->info[i];
    void *data = calloc(info->byte_size ? info->byte_size : 1, 1);
    if (!data)
      return false;
    io->tensors[i] = (sora_tensor_t){info->dtype, info->rank, info->dims, data};
    for (int64_t e = 0; input && e < info->num_elements; ++e) {
      if (info->dtype == SORA_DTYPE_I64)
        ((int64_t *)data)[e] = e % 3;
      else
        ((float *)data)[e] = (float)((e * 7919) % 2001 - 1000) / 1000.0f;
    }
  }
  return true;
}

static void release_io(io_t *io) {
  for (int32_t i = 0; i < io->num_inputs + io->num_outputs; ++i)
    free(io->tensors[i].data);
}

static bool run(sora_model_t *model, io_t *io) {
  return report(model,
                sora_model_run(model, io->tensors, io->num_inputs,
                               io->tensors + io->num_inputs, io->num_outputs),
                "run");
}

static sora_model_t *create(int32_t threads) {
  sora_model_options_t options;
  sora_model_options_initialize(&options);
  options.num_threads = threads;
  sora_model_t *model = NULL;
  if (!report(NULL, sora_model_create_from(TSAN_MODEL(), &options, &model),
              "create"))
    return NULL;
  return model;
}

static io_t reference;

/// Whether io's outputs equal the reference's, bit for bit.
static bool same_outputs(const io_t *io) {
  for (int32_t i = io->num_inputs; i < io->num_inputs + io->num_outputs; ++i)
    if (memcmp(io->tensors[i].data, reference.tensors[i].data,
               io->info[i].byte_size) != 0) {
      fprintf(stderr, "output '%s' differs from the reference\n",
              io->info[i].name);
      return false;
    }
  return true;
}

typedef struct worker_t {
  int index;
  sora_model_t *shared; ///< NULL: the worker creates its own handle
  pthread_mutex_t *lock;
  bool ok;
} worker_t;

static void *work(void *arg) {
  worker_t *w = arg;
  sora_model_t *model = w->shared ? w->shared : create(2);
  io_t io;
  memset(&io, 0, sizeof(io));
  w->ok = model != NULL;
  if (w->ok && !w->shared && w->index % 2)
    w->ok = report(model, sora_model_set_profiling(model, 1), "profiling");
  for (int r = 0; w->ok && r < kRuns; ++r) {
    if (w->shared)
      pthread_mutex_lock(w->lock);
    if (io.num_inputs + io.num_outputs == 0)
      w->ok = prepare(model, &io);
    w->ok = w->ok && run(model, &io);
    if (w->shared)
      pthread_mutex_unlock(w->lock);
    w->ok = w->ok && same_outputs(&io);
  }
  release_io(&io);
  if (!w->shared)
    sora_model_release(model);
  return NULL;
}

/// Runs kThreads workers on `shared` (or on their own handles).
static bool run_workers(sora_model_t *shared) {
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  worker_t workers[kThreads];
  pthread_t threads[kThreads];
  for (int t = 0; t < kThreads; ++t) {
    workers[t] = (worker_t){t, shared, &lock, false};
    if (pthread_create(&threads[t], NULL, work, &workers[t]) != 0)
      return false;
  }
  bool ok = true;
  for (int t = 0; t < kThreads; ++t) {
    pthread_join(threads[t], NULL);
    ok &= workers[t].ok;
  }
  return ok;
}

int main(void) {
  sora_model_t *model = create(1);
  if (!model || !prepare(model, &reference) || !run(model, &reference))
    return 1;
  sora_model_release(model);

  bool own = run_workers(NULL);
  printf("%d threads x %d runs, each on its own handle: %s\n", kThreads, kRuns,
         own ? "bit-identical" : "FAILED");
  sora_model_t *shared = create(2);
  bool turns = shared && run_workers(shared);
  printf("%d threads x %d runs taking turns on one handle: %s\n", kThreads,
         kRuns, turns ? "bit-identical" : "FAILED");
  sora_model_release(shared);
  release_io(&reference);
  return own && turns ? 0 : 1;
}
