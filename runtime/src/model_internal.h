//===- model_internal.h - The sora_model_t behind the handle ----*- C -*-===//
#ifndef SORA_RUNTIME_MODEL_INTERNAL_H
#define SORA_RUNTIME_MODEL_INTERNAL_H

#include "block_cache.h"
#include "profile.h"
#include "sora/kernel_abi.h"
#include "sora/runtime.h"
#include "thread_pool.h"

#include <pthread.h>
#include <stdbool.h>

/// The services every run hands the kernels (kernel_services.c).
extern const sora_abi_services_t sora_kernel_services;

/// Size of the per-model message buffers.
#define SORA_MESSAGE_SIZE 512

struct sora_model_t {
  /// First: the model is the kernels' `user_context` (kernel_abi.h).
  sora_abi_context_t context;
  const sora_abi_model_t *abi;
  uint8_t *arena;         ///< abi->arena_bytes, 64-byte aligned, pre-faulted.
  const uint8_t *weights; ///< The blob: abi->weights or the mapped file.
  void *weights_mapping;  ///< The mapped weights file, NULL if none.
  size_t weights_mapping_bytes;
  void **input_pointers;  ///< Per-run scratch: one data pointer per input.
  void **output_pointers; ///< Per-run scratch: one data pointer per output.
  /// A GPU model's device memory (sora_abi_device_t addresses, 0 until
  /// allocated): the arena, the weights, and one buffer per input then per
  /// output, also as the pointer array the driver takes.
  uint64_t device_arena, device_weights;
  uint64_t *device_tensors;
  void **device_pointers;
  /// Samples in the current run: 1 unless the model was compiled with
  /// --max-batch (abi->max_batch), when `run` is called once per sample
  /// (or once, batch_at_run_time); with --max-sequence, the run's tokens.
  int64_t run_samples;
  int32_t num_threads;
  sora_thread_pool_t *pool;   ///< NULL when num_threads == 1.
  sora_block_cache_t *blocks; ///< Backs halide_malloc/halide_free.
  sora_profile_t *profile;    ///< Created when profiling is first enabled.
  /// What the kernels reported through halide_error/halide_print during the
  /// current run; written from any thread.
  pthread_mutex_t kernel_message_mutex;
  bool kernel_message_is_error;
  char kernel_message[SORA_MESSAGE_SIZE];
  char last_error[SORA_MESSAGE_SIZE];
};

/// Formats `model->last_error` and returns `status`.
sora_status_t sora_model_fail(sora_model_t *model, sora_status_t status,
                              const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/// Records a message from a kernel (any thread). An error replaces anything
/// recorded before; a print only fills an empty slot or replaces a print.
void sora_model_record_kernel_message(sora_model_t *model, const char *message,
                                      bool is_error);

/// Clears the kernel message before a run.
void sora_model_clear_kernel_message(sora_model_t *model);

/// Points `model->weights` at the model's blob: the one inside it, else the
/// external file (`path`, or soracc's file beside the model's library),
/// mapped and checked against the model's size and checksum.
sora_status_t sora_model_load_weights(sora_model_t *model, const char *path);

/// Unmaps what sora_model_load_weights mapped.
void sora_model_unload_weights(sora_model_t *model);

/// "f32", "i64", or "unknown" for a code outside sora_dtype_t.
const char *sora_dtype_name(int64_t dtype);

/// Bytes per element of `dtype`, 0 if unknown.
size_t sora_dtype_size(int64_t dtype);

/// Bytes of a signature tensor (validated at model creation).
size_t sora_tensor_bytes(const sora_abi_tensor_t *tensor);

/// Bytes of `tensor` that one call of the driver reads or writes: all of it,
/// or one sample of a model compiled with --max-batch.
size_t sora_sample_bytes(const sora_abi_model_t *abi,
                         const sora_abi_tensor_t *tensor);

/// A GPU model's device memory (model_device.c): the arena, the weights
/// (uploaded now) and one buffer per input and output. Returns
/// SORA_STATUS_NO_DEVICE with the driver's message when there is no usable
/// device; does nothing for a CPU model.
sora_status_t sora_model_allocate_device(sora_model_t *model);

/// Frees what sora_model_allocate_device allocated.
void sora_model_free_device(sora_model_t *model);

/// One run of a GPU model on `model->input_pointers` (host) holding
/// `model->run_samples` samples: inputs copied to the device, the driver run
/// on device addresses (once per sample), outputs copied into
/// `model->output_pointers`. Returns the driver's result, or the failing
/// copy's (negative) Halide code.
int64_t sora_model_run_on_device(sora_model_t *model);

#endif // SORA_RUNTIME_MODEL_INTERNAL_H
