/*===- sora/kernel_abi.h - Compiler <-> runtime ABI of a compiled model ---===*
 *
 * The one dependency-free contract between code that `soracc` generates (the
 * graph driver) and the runtime linked next to it inside `model.so`.
 * Versioned like a schema: any layout change bumps SORA_ABI_VERSION.
 *
 * Every field is 8 bytes wide (pointers or int64_t) so that the compiler can
 * emit the tables as plain arrays of words for any 64-bit target.
 *===----------------------------------------------------------------------===*/
#ifndef SORA_KERNEL_ABI_H
#define SORA_KERNEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SORA_ABI_VERSION 7

/* Element type codes, shared with sora_dtype_t in runtime.h. */
#define SORA_ABI_DTYPE_F32 1
#define SORA_ABI_DTYPE_I64 2

/* One model input or output. Dimensions are outer to inner (row-major). */
typedef struct sora_abi_tensor_t {
  const char *name;
  int64_t dtype; /* SORA_ABI_DTYPE_* */
  int64_t rank;
  const int64_t *dims; /* `rank` entries */
  /* Read when the model's max_sequence is not 0 (soracc --max-sequence):
   * -1, or the dimension whose extent a run of `tokens` tokens passes as
   * tokens × dims[sequence_axis] / max_sequence; every dimension before it
   * has extent 1. */
  int64_t sequence_axis;
} sora_abi_tensor_t;

/* One kernel of the model, for profiles. The driver calls kernel `i` of
 * this table between sora_hook_kernel_event(user_context, i, 0) and
 * (…, i, 1). */
typedef struct sora_abi_kernel_t {
  const char *name;      /* "_sora_k0" */
  const char *particles; /* what it computes: "c1: conv2d, c1: relu" */
  int64_t flops;         /* per call, the compiler's estimate */
  int64_t bytes;         /* read and written per call, the same */
} sora_abi_kernel_t;

/* The generated graph driver. `user_context` is passed unchanged to every
 * kernel and from there to the Halide runtime hooks (halide_do_par_for,
 * halide_malloc, halide_error); the runtime passes its sora_model_t there,
 * which starts with a sora_abi_context_t (see below).
 * `inputs`/`outputs` hold one dense host pointer per tensor in signature
 * order; `arena` holds `arena_bytes` bytes, 64-byte aligned; `weights` is
 * the weight blob (`weights_bytes` bytes, 64-byte aligned). `samples` is
 * the batch of this run for a model whose `run` takes it (see
 * batch_at_run_time below), else 1.
 * Returns 0 on success, else the failing kernel's (negative) Halide code. */
typedef int64_t (*sora_abi_run_fn)(void *user_context, void *const *inputs,
                                   void *const *outputs, uint8_t *arena,
                                   const uint8_t *weights, int64_t samples);

/* How the runtime reaches a GPU model's device: defined by the device hooks
 * linked into the model (runtime/src/cuda_hooks.c for CUDA), on top of
 * Halide's device runtime, so the runtime itself needs no GPU library.
 * Device addresses are 64-bit integers. Every function returns 0 on success,
 * else a (negative) Halide error code, having reported the cause through
 * the message service (a missing driver, no GPU, out of device memory).
 *
 * A GPU model runs entirely on the device: the runtime allocates its arena,
 * a copy of the weights (uploaded once) and one buffer per input and output
 * there, and calls `run` with those device addresses in place of host
 * pointers; it copies inputs in before and outputs out after each run. */
typedef struct sora_abi_device_t {
  const char *name; /* "cuda" */
  int (*malloc)(void *user_context, uint64_t bytes, uint64_t *out_address);
  int (*free)(void *user_context, uint64_t address);
  int (*copy_to_device)(void *user_context, uint64_t address, const void *host,
                        uint64_t bytes);
  int (*copy_to_host)(void *user_context, void *host, uint64_t address,
                      uint64_t bytes);
} sora_abi_device_t;

/* The self-description of a compiled model. */
typedef struct sora_abi_model_t {
  int64_t abi_version;        /* SORA_ABI_VERSION */
  const char *name;           /* model name */
  const char *signature_json; /* {"inputs":[…],"outputs":[…]} */
  const char *target;         /* soracc target name, e.g. "x86-64-avx512" */
  const char *cpu_features;   /* comma-separated features the host must have,
                                 e.g. "avx2,fma,avx512f"; "" for none */
  int64_t num_inputs;
  int64_t num_outputs;
  const sora_abi_tensor_t *inputs;
  const sora_abi_tensor_t *outputs;
  int64_t arena_bytes;
  sora_abi_run_fn run;
  /* The weight blob inside the model, or NULL when it is external: then the
   * runtime maps `weights_file` (a name, looked up beside the library that
   * holds the model) and checks its size and checksum. */
  const uint8_t *weights;
  int64_t weights_bytes;
  uint64_t weights_checksum; /* sora_abi_checksum of the blob */
  const char *weights_file;  /* "" when the weights are inside */
  int64_t num_kernels;
  const sora_abi_kernel_t *kernels;
  /* NULL for a CPU model; a GPU model's device (see sora_abi_device_t). */
  const sora_abi_device_t *device;
  /* 0: `inputs` and `outputs` give the exact shapes. Else (soracc
   * --max-batch) their first extent is this many samples, and a run takes a
   * batch of 1 to max_batch, each sample's elements being one contiguous
   * block of every input and output: */
  int64_t max_batch;
  /* 1: `run` takes the whole batch in one call (its `samples`), the arena
   * planned for max_batch; 0: `run` and the arena handle one sample, and
   * the runtime calls `run` once per sample. */
  int64_t batch_at_run_time;
  /* 0, or (soracc --max-sequence) the most tokens a run may pass: `inputs`
   * and `outputs` describe that many, a run passes 1 to max_sequence along
   * each tensor's sequence_axis (the same count for all), and `run` takes
   * it as its `samples` argument, in one call. */
  int64_t max_sequence;
} sora_abi_model_t;

/* FNV-1a over the blob's 8-byte little-endian words (then its last bytes):
 * tells a different or damaged weights file from the right one. */
static inline uint64_t sora_abi_checksum(const uint8_t *data, uint64_t size) {
  uint64_t hash = 14695981039346656037ull;
  uint64_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word = 0;
    for (int b = 0; b < 8; ++b)
      word |= (uint64_t)data[i + b] << (8 * b);
    hash = (hash ^ word) * 1099511628211ull;
  }
  for (; i < size; ++i)
    hash = (hash ^ data[i]) * 1099511628211ull;
  return hash;
}

/* Emitted by soracc into every model (hidden visibility). A model compiled
 * with a name also defines `const sora_abi_model_t *<name>_model(void)`,
 * which returns it: the one global symbol of a `soracc -c` object. */
extern const sora_abi_model_t sora_abi_model;

/* What a model's kernels need from the runtime: parallel loops, scratch
 * memory and messages. The Halide runtime hooks linked into every model
 * (runtime/src/halide_hooks.c) forward Halide's calls here, so a model
 * object needs no symbol of the runtime and any number of models share one
 * runtime library. `user_context` is the pointer the runtime passed to `run`;
 * it points at a sora_abi_context_t. */
typedef int (*sora_abi_task_fn)(void *user_context, int task_number,
                                uint8_t *closure);
typedef struct sora_abi_services_t {
  /* Runs task(user_context, i, closure) for i in [min, min + size), in
   * parallel; returns the first non-zero result, else 0. */
  int (*par_for)(void *user_context, sora_abi_task_fn task, int min, int size,
                 uint8_t *closure);
  /* Scratch memory, 128-byte aligned; NULL when out of memory. */
  void *(*malloc)(void *user_context, size_t size);
  void (*free)(void *user_context, void *ptr);
  /* A kernel's error (is_error != 0) or printed message. */
  void (*message)(void *user_context, const char *message, int is_error);
  /* While profiling: kernel `kernel` (an index into the model's kernels)
   * begins (end == 0) or ends (end == 1). */
  void (*kernel_event)(void *user_context, int64_t kernel, int64_t end);
} sora_abi_services_t;

/* The head of whatever `user_context` points at during a run. */
typedef struct sora_abi_context_t {
  const sora_abi_services_t *services;
  int64_t profiling; /* non-zero: the driver reports kernel events */
} sora_abi_context_t;

/* Defined (hidden) by the hooks linked into every model; the driver calls it
 * around each kernel. Forwards to services->kernel_event while profiling,
 * and costs a call and a test otherwise. */
void sora_hook_kernel_event(void *user_context, int64_t kernel, int64_t end);

/* Defined (hidden) beside it; the driver runs kernels that do not depend on
 * each other (a bidirectional layer's recurrences) through it: tasks 0 to
 * count - 1 in parallel on the model's pool, or one after the other while
 * profiling (each kernel then timed alone). Returns the first non-zero
 * result, else 0. */
int sora_hook_run_concurrently(void *user_context, sora_abi_task_fn task,
                               int count, uint8_t *closure);

#ifdef __cplusplus
}
#endif

#endif /* SORA_KERNEL_ABI_H */
