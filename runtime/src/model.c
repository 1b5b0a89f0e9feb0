//===- model.c - Model creation, release and threading --------------------===//

#include "available_memory.h"
#include "cpu_features.h"
#include "model_internal.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(SORA_DTYPE_F32 == SORA_ABI_DTYPE_F32, "dtype codes diverged");
_Static_assert(SORA_DTYPE_I64 == SORA_ABI_DTYPE_I64, "dtype codes diverged");

/// Upper bound on sora_model_options_t.num_threads.
#define MAX_THREADS 1024
/// Upper bound on a signature tensor's rank.
#define MAX_RANK 32

void sora_model_options_initialize(sora_model_options_t *out_options) {
  if (out_options)
    memset(out_options, 0, sizeof(*out_options));
}

/// The CPUs this process may run on (0 means "all online CPUs").
static int32_t default_num_threads(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
    return CPU_COUNT(&set);
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 && online < MAX_THREADS ? (int32_t)online : 1;
}

/// Replaces the model's pool by one for `num_threads` (validated by caller).
static sora_status_t resize_pool(sora_model_t *model, int32_t num_threads) {
  if (num_threads == 0)
    num_threads = default_num_threads();
  if (num_threads == model->num_threads)
    return SORA_STATUS_OK;
  sora_thread_pool_t *pool = NULL;
  if (num_threads > 1) {
    int error = sora_thread_pool_create(num_threads - 1, &pool);
    if (error != 0)
      return sora_model_fail(model, SORA_STATUS_OUT_OF_MEMORY,
                             "cannot start %d worker threads: %s",
                             (int)num_threads - 1, strerror(error));
  }
  sora_thread_pool_release(model->pool);
  model->pool = pool;
  model->num_threads = num_threads;
  return SORA_STATUS_OK;
}

static sora_status_t check_num_threads(sora_model_t *model,
                                       int32_t num_threads) {
  if (num_threads < 0 || num_threads > MAX_THREADS)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "num_threads must be in [0, %d], got %d",
                           MAX_THREADS, (int)num_threads);
  return SORA_STATUS_OK;
}

static sora_status_t check_tensors(sora_model_t *model, const char *kind,
                                   const sora_abi_tensor_t *tensors,
                                   int64_t count) {
  if (count < 0 || count > INT32_MAX || (count > 0 && !tensors))
    return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                           "malformed model: bad %s count", kind);
  for (int64_t i = 0; i < count; ++i) {
    const sora_abi_tensor_t *t = &tensors[i];
    if (!t->name || sora_dtype_size(t->dtype) == 0 || t->rank < 0 ||
        t->rank > MAX_RANK || (t->rank > 0 && !t->dims))
      return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                             "malformed model: bad %s %lld", kind,
                             (long long)i);
    int64_t elements = 1;
    for (int64_t d = 0; d < t->rank; ++d) {
      if (t->dims[d] < 0 ||
          (t->dims[d] > 0 && elements > INT64_MAX / 8 / t->dims[d]))
        return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                               "malformed model: bad shape of %s '%s'", kind,
                               t->name);
      elements *= t->dims[d];
    }
  }
  return SORA_STATUS_OK;
}

/// A model compiled with --max-batch: every input and output holds
/// max_batch samples of one shape.
static sora_status_t check_batch(sora_model_t *model);

/// A model compiled with --max-sequence: each tensor's sequence axis holds
/// max_sequence tokens after dimensions of one element, on the CPU, with no
/// batch; some input has one.
static sora_status_t check_sequence(sora_model_t *model) {
  const sora_abi_model_t *abi = model->abi;
  if (!abi->max_sequence)
    return SORA_STATUS_OK;
  bool input_axis = false;
  bool ok = abi->max_sequence > 0 && abi->max_sequence <= INT32_MAX &&
            !abi->max_batch && !abi->device;
  for (int64_t i = 0; ok && i < abi->num_inputs + abi->num_outputs; ++i) {
    const sora_abi_tensor_t *t = i < abi->num_inputs
                                     ? &abi->inputs[i]
                                     : &abi->outputs[i - abi->num_inputs];
    int64_t axis = t->sequence_axis;
    ok = axis >= -1 && axis < t->rank &&
         (axis < 0 || t->dims[axis] % abi->max_sequence == 0);
    for (int64_t d = 0; ok && d < axis; ++d)
      ok = t->dims[d] == 1;
    input_axis |= i < abi->num_inputs && axis >= 0;
  }
  if (!ok || !input_axis)
    return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                           "malformed model: bad max_sequence");
  return SORA_STATUS_OK;
}

static sora_status_t check_batch(sora_model_t *model) {
  const sora_abi_model_t *abi = model->abi;
  if (abi->max_batch < 0 || abi->max_batch > INT32_MAX ||
      (abi->batch_at_run_time != 0 &&
       (abi->batch_at_run_time != 1 || !abi->max_batch || abi->device)))
    return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                           "malformed model: bad max_batch");
  for (int64_t i = 0; abi->max_batch && i < abi->num_inputs + abi->num_outputs;
       ++i) {
    const sora_abi_tensor_t *t = i < abi->num_inputs
                                     ? &abi->inputs[i]
                                     : &abi->outputs[i - abi->num_inputs];
    if (t->rank < 1 || t->dims[0] <= 0 || t->dims[0] % abi->max_batch != 0)
      return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                             "malformed model: '%s' holds no whole samples",
                             t->name);
  }
  return SORA_STATUS_OK;
}

/// Checks the compiled model against this runtime and the host CPU.
static sora_status_t check_model(sora_model_t *model) {
  const sora_abi_model_t *abi = model->abi;
  // Only abi_version may be read before it matches: the layout may differ.
  if (abi->abi_version != SORA_ABI_VERSION)
    return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                           "model was compiled for runtime ABI version %lld, "
                           "this runtime implements version %d",
                           (long long)abi->abi_version, SORA_ABI_VERSION);
  if (!abi->name || !abi->signature_json || !abi->target ||
      !abi->cpu_features || !abi->run || abi->arena_bytes < 0 ||
      abi->weights_bytes < 0 || !abi->weights_file ||
      (!abi->weights && !abi->weights_file[0]) || abi->num_kernels < 0 ||
      abi->num_kernels > INT32_MAX || (abi->num_kernels > 0 && !abi->kernels))
    return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                           "malformed model description");
  for (int64_t k = 0; k < abi->num_kernels; ++k)
    if (!abi->kernels[k].name || !abi->kernels[k].particles)
      return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                             "malformed model: bad kernel %lld", (long long)k);
  sora_status_t status =
      check_tensors(model, "input", abi->inputs, abi->num_inputs);
  if (status == SORA_STATUS_OK)
    status = check_tensors(model, "output", abi->outputs, abi->num_outputs);
  if (status == SORA_STATUS_OK)
    status = check_batch(model);
  if (status == SORA_STATUS_OK)
    status = check_sequence(model);
  if (status != SORA_STATUS_OK)
    return status;
  char why[256];
  if (!sora_cpu_supports(abi->cpu_features, why, sizeof(why)))
    return sora_model_fail(model, SORA_STATUS_UNSUPPORTED_CPU,
                           "model '%s' (target %s) cannot run on this CPU: %s",
                           abi->name, abi->target, why);
  return SORA_STATUS_OK;
}

/// Allocates the arena (touching every page now, not during runs), the
/// per-run pointer arrays and the scratch block cache.
static sora_status_t allocate_memory(sora_model_t *model) {
  const sora_abi_model_t *abi = model->abi;
  // A GPU model's arena is on its device.
  size_t arena_bytes =
      abi->device ? 0 : ((size_t)abi->arena_bytes + 63) & ~(size_t)63;
  if (arena_bytes == 0)
    arena_bytes = 64;
  // Touching more than is available would get the process killed.
  uint64_t available = sora_available_memory();
  if (arena_bytes > available)
    return sora_model_fail(
        model, SORA_STATUS_OUT_OF_MEMORY,
        "the model's arena needs %zu MiB but this process has %llu MiB "
        "available (the smaller of MemAvailable and its cgroup's memory.max "
        "headroom)",
        arena_bytes >> 20, (unsigned long long)(available >> 20));
  model->arena = aligned_alloc(64, arena_bytes);
  model->input_pointers = calloc((size_t)abi->num_inputs + 1, sizeof(void *));
  model->output_pointers = calloc((size_t)abi->num_outputs + 1, sizeof(void *));
  model->blocks = sora_block_cache_create();
  if (!model->arena || !model->input_pointers || !model->output_pointers ||
      !model->blocks)
    return sora_model_fail(model, SORA_STATUS_OUT_OF_MEMORY,
                           "cannot allocate %zu bytes of model memory",
                           arena_bytes);
  memset(model->arena, 0, arena_bytes);
  return SORA_STATUS_OK;
}

static void destroy_model(sora_model_t *model) {
  sora_model_free_device(model);
  sora_model_unload_weights(model);
  sora_profile_release(model->profile);
  sora_thread_pool_release(model->pool);
  sora_block_cache_release(model->blocks);
  free(model->output_pointers);
  free(model->input_pointers);
  free(model->arena);
  pthread_mutex_destroy(&model->kernel_message_mutex);
  free(model);
}

static void copy_message(char *buffer, size_t size, const char *message) {
  if (buffer && size > 0)
    snprintf(buffer, size, "%s", message);
}

sora_status_t sora_model_create_from(const sora_model_descriptor_t *descriptor,
                                     const sora_model_options_t *options,
                                     sora_model_t **out_model) {
  const sora_model_options_t defaults = {0};
  if (!options)
    options = &defaults;
  char *error_buffer = options->error_buffer;
  size_t error_size = options->error_buffer_size;
  copy_message(error_buffer, error_size, "");
  if (!out_model || !descriptor) {
    copy_message(error_buffer, error_size,
                 out_model ? "descriptor is NULL" : "out_model is NULL");
    return SORA_STATUS_INVALID_ARGUMENT;
  }
  sora_model_t *model = calloc(1, sizeof(*model));
  if (!model) {
    copy_message(error_buffer, error_size, "cannot allocate the model");
    return SORA_STATUS_OUT_OF_MEMORY;
  }
  model->context.services = &sora_kernel_services;
  model->abi = (const sora_abi_model_t *)descriptor;
  model->num_threads = 1;
  pthread_mutex_init(&model->kernel_message_mutex, NULL);

  sora_status_t status = check_num_threads(model, options->num_threads);
  if (status == SORA_STATUS_OK)
    status = check_model(model);
  if (status == SORA_STATUS_OK)
    status = sora_model_load_weights(model, options->weights_path);
  if (status == SORA_STATUS_OK)
    status = allocate_memory(model);
  if (status == SORA_STATUS_OK)
    status = sora_model_allocate_device(model);
  if (status == SORA_STATUS_OK)
    status = resize_pool(model, options->num_threads);
  if (status != SORA_STATUS_OK) {
    copy_message(error_buffer, error_size, model->last_error);
    destroy_model(model);
    return status;
  }
  *out_model = model;
  return SORA_STATUS_OK;
}

void sora_model_release(sora_model_t *model) {
  if (model)
    destroy_model(model);
}

sora_status_t sora_model_set_num_threads(sora_model_t *model,
                                         int32_t num_threads) {
  if (!model)
    return SORA_STATUS_INVALID_ARGUMENT;
  sora_status_t status = check_num_threads(model, num_threads);
  return status == SORA_STATUS_OK ? resize_pool(model, num_threads) : status;
}

int32_t sora_model_num_threads(const sora_model_t *model) {
  return model ? model->num_threads : 0;
}
