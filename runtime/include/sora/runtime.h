/*===- sora/runtime.h - Public C API of a compiled soracc model -----------===*
 *
 * Every `model.so` produced by soracc exports exactly the functions declared
 * here and its `<name>_model()` descriptor function. An application either
 * dlopen()s a model.so (RTLD_LOCAL; needed to load several models.so in one
 * process, since every one exports the same names), links one directly, or
 * links models compiled with `soracc -c`/`--emit=lib` together with the
 * runtime library (libsora_runtime.a): each such model exports only
 * `<name>_model()`, declared in its generated header, and is created with
 * sora_model_create_from. sora_model_create exists in a model.so only.
 *
 * Conventions
 *  - Handles are opaque; every `*_create` has a matching `*_release`.
 *  - Functions that can fail return a sora_status_t and write results through
 *    `out_` parameters, which are left untouched on failure.
 *  - No function aborts or prints; failures are reported through the status
 *    and a message (sora_model_last_error, or the options' error buffer for
 *    sora_model_create).
 *  - Strings and arrays returned by queries are owned by the model and stay
 *    valid until sora_model_release.
 *
 * Threading: a sora_model_t is used by one thread at a time (calls on one
 * handle must not overlap). Different handles are independent and may run
 * concurrently, each on its own thread pool.
 *===----------------------------------------------------------------------===*/
#ifndef SORA_RUNTIME_H
#define SORA_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

/** Marks the functions a model.so exports. */
#define SORA_API __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Status codes
 *===----------------------------------------------------------------------===*/

/** The status table: X(NAME, code, description). Codes are stable; new codes
 * are only ever appended. */
#define SORA_STATUS_LIST(X)                                                    \
  X(OK, 0, "ok")                                                               \
  X(INVALID_ARGUMENT, 1, "invalid argument")                                   \
  X(SHAPE_MISMATCH, 2, "shape mismatch")                                       \
  X(DTYPE_MISMATCH, 3, "dtype mismatch")                                       \
  X(UNSUPPORTED_CPU, 4, "unsupported CPU")                                     \
  X(OUT_OF_MEMORY, 5, "out of memory")                                         \
  X(ABI_MISMATCH, 6, "ABI mismatch")                                           \
  X(KERNEL_FAILED, 7, "kernel failed")                                         \
  X(NOT_FOUND, 8, "not found")                                                 \
  X(BAD_WEIGHTS, 9, "bad weights file")                                        \
  X(NO_DEVICE, 10, "no usable GPU")

/** Result of every fallible runtime call; SORA_STATUS_OK (0) is success. */
typedef enum sora_status_t {
#define SORA_STATUS_ENUMERATOR(name, code, text)                               \
  SORA_STATUS_##name = code, // NOLINT(bugprone-macro-parentheses)
  SORA_STATUS_LIST(SORA_STATUS_ENUMERATOR)
#undef SORA_STATUS_ENUMERATOR
} sora_status_t;

/** Returns a static description of `status` ("shape mismatch"), or
 * "unknown status" for a code outside the table. Never NULL. */
SORA_API const char *sora_status_string(sora_status_t status);

/*===----------------------------------------------------------------------===*
 * Tensors
 *===----------------------------------------------------------------------===*/

/** Element types. Values equal the SORA_ABI_DTYPE_* codes of kernel_abi.h. */
typedef enum sora_dtype_t {
  SORA_DTYPE_F32 = 1, /**< IEEE-754 binary32. */
  SORA_DTYPE_I64 = 2, /**< Signed 64-bit integer (token ids). */
} sora_dtype_t;

/** A dense, row-major (C order) tensor provided by the caller. The runtime
 * only borrows it for the duration of one call. */
typedef struct sora_tensor_t {
  sora_dtype_t dtype;
  int32_t rank;
  const int64_t *dims; /**< `rank` entries, outermost first. */
  void *data;          /**< Element storage; 64-byte alignment is fastest. */
} sora_tensor_t;

/** Description of one model input or output. `name` and `dims` are owned by
 * the model and valid until sora_model_release. */
typedef struct sora_tensor_info_t {
  const char *name;
  sora_dtype_t dtype;
  int32_t rank;
  const int64_t *dims;  /**< `rank` entries, outermost first. */
  int64_t num_elements; /**< Product of `dims` (1 for rank 0). */
  size_t byte_size;     /**< num_elements * element size. */
  /** -1, or for a model compiled with `soracc --max-sequence` the dimension
   * a run's tokens choose (see sora_model_max_sequence). */
  int32_t sequence_axis;
} sora_tensor_info_t;

/*===----------------------------------------------------------------------===*
 * Model
 *===----------------------------------------------------------------------===*/

/** A loaded model: its signature, its memory arena and its thread pool. */
typedef struct sora_model_t sora_model_t;

/** Options for sora_model_create. Always fill with
 * sora_model_options_initialize first, then change the fields you need. */
typedef struct sora_model_options_t {
  /** Threads used by parallel kernels, the calling thread included;
   * 0 = every CPU the process may run on (its affinity mask). At most 1024. */
  int32_t num_threads;
  /** Optional caller-owned buffer (may be NULL) that receives a one-line,
   * NUL-terminated message when sora_model_create fails (truncated to
   * `error_buffer_size`), and an empty string when it succeeds. */
  char *error_buffer;
  size_t error_buffer_size;
  /** For a model compiled with `--weights-external`: its weights file. NULL
   * = the file soracc wrote, found beside the library (or executable) that
   * holds the model. Ignored when the weights are inside the model. */
  const char *weights_path;
} sora_model_options_t;

/** Writes the default options into `out_options` (not NULL). */
SORA_API void sora_model_options_initialize(sora_model_options_t *out_options);

/** A compiled model as linked into the program, before it is created:
 * returned by the `<name>_model()` function of its generated header. */
typedef struct sora_model_descriptor_t sora_model_descriptor_t;

/** Creates an instance of the model `descriptor` describes: checks that the
 * compiled model matches this runtime's ABI and that the host CPU has every
 * feature the kernels need, allocates and pre-faults the model's memory
 * arena, and starts its thread pool. `options` may be NULL (defaults). On
 * success the caller owns `*out_model` and must release it with
 * sora_model_release.
 *
 * A model compiled with `--weights-external` maps its weights file here;
 * a missing file, or one whose size or checksum differs from what soracc
 * wrote, fails with BAD_WEIGHTS (the message names the file and why).
 *
 * Fails with ABI_MISMATCH, UNSUPPORTED_CPU (the message lists the missing
 * features), OUT_OF_MEMORY, BAD_WEIGHTS or INVALID_ARGUMENT. */
SORA_API sora_status_t sora_model_create_from(
    const sora_model_descriptor_t *descriptor,
    const sora_model_options_t *options, sora_model_t **out_model);

/** In a model.so: sora_model_create_from on the model in the same library. */
SORA_API sora_status_t sora_model_create(const sora_model_options_t *options,
                                         sora_model_t **out_model);

/** Stops the model's threads and frees everything it owns. NULL is a no-op. */
SORA_API void sora_model_release(sora_model_t *model);

/** The model name. Owned by the model; NULL if `model` is NULL. */
SORA_API const char *sora_model_name(const sora_model_t *model);

/** The model signature as JSON: {"inputs":[…],"outputs":[…]}. Owned by the
 * model; NULL if `model` is NULL. */
SORA_API const char *sora_model_signature_json(const sora_model_t *model);

/** The soracc target the model was compiled for, e.g. "x86-64-avx512".
 * Owned by the model; NULL if `model` is NULL. */
SORA_API const char *sora_model_target(const sora_model_t *model);

/** Number of inputs (0 if `model` is NULL). */
SORA_API int32_t sora_model_num_inputs(const sora_model_t *model);

/** Number of outputs (0 if `model` is NULL). */
SORA_API int32_t sora_model_num_outputs(const sora_model_t *model);

/** Describes input `index` (0-based, signature order) in `*out_info`, whose
 * pointers are owned by the model. INVALID_ARGUMENT if out of range. */
SORA_API sora_status_t sora_model_input_info(sora_model_t *model, int32_t index,
                                             sora_tensor_info_t *out_info);

/** Describes output `index`; see sora_model_input_info. */
SORA_API sora_status_t sora_model_output_info(sora_model_t *model,
                                              int32_t index,
                                              sora_tensor_info_t *out_info);

/** Looks up an input by exact name. NOT_FOUND if there is none. */
SORA_API sora_status_t sora_model_find_input(sora_model_t *model,
                                             const char *name,
                                             int32_t *out_index);

/** Looks up an output by exact name. NOT_FOUND if there is none. */
SORA_API sora_status_t sora_model_find_output(sora_model_t *model,
                                              const char *name,
                                              int32_t *out_index);

/** For a model compiled with `soracc --max-batch N`: N, the most samples
 * a run may pass. Input and output infos then describe a batch of N, and a
 * run may pass any first extent from 1 to N, the same for every input and
 * output. 0 for a model of exact shapes (or if `model` is NULL). */
SORA_API int64_t sora_model_max_batch(const sora_model_t *model);

/** For a model compiled with `soracc --max-sequence N`: N, the most tokens
 * a run may pass. Input and output infos then describe N tokens along their
 * `sequence_axis`, and a run may pass any count from 1 to N there, the same
 * for every input and output that has one. 0 otherwise (or if `model` is
 * NULL). */
SORA_API int64_t sora_model_max_sequence(const sora_model_t *model);

/** Resizes the model's thread pool to `num_threads` (the calling thread
 * included; 0 = every CPU the process may run on). Must not overlap a run. */
SORA_API sora_status_t sora_model_set_num_threads(sora_model_t *model,
                                                  int32_t num_threads);

/** Threads used by parallel kernels, the calling thread included (0 if
 * `model` is NULL). */
SORA_API int32_t sora_model_num_threads(const sora_model_t *model);

/** Runs the model once on caller-provided tensors: `inputs` and `outputs`
 * hold one tensor per signature entry, in signature order. Every tensor must
 * match its entry's dtype and shape exactly (but for the batch of a model
 * compiled with --max-batch or the tokens of one compiled with
 * --max-sequence: see sora_model_max_batch, sora_model_max_sequence) and
 * have non-NULL
 * data; outputs
 * must not overlap inputs or each other. Inputs are only read. Nothing is
 * allocated per run: the model reuses its arena and cached scratch blocks.
 *
 * Fails with INVALID_ARGUMENT, SHAPE_MISMATCH or DTYPE_MISMATCH before
 * running anything, or KERNEL_FAILED (with the kernel's message) after a
 * kernel reported an error, in which case the outputs are unspecified. */
SORA_API sora_status_t sora_model_run(sora_model_t *model,
                                      const sora_tensor_t *inputs,
                                      int32_t num_inputs,
                                      const sora_tensor_t *outputs,
                                      int32_t num_outputs);

/*===----------------------------------------------------------------------===*
 * Profiling
 *===----------------------------------------------------------------------===*/

/** One kernel of a model and what profiling measured of it. `name` and
 * `particles` are owned by the model. */
typedef struct sora_kernel_profile_t {
  const char *name;      /**< "_sora_k0" */
  const char *particles; /**< what it computes: "c1: conv2d, c1: relu" */
  int64_t flops;         /**< per call, the compiler's estimate (for the
                              batch of the last run where the kernels take
                              it at run time: --max-batch) */
  int64_t bytes;         /**< read and written per call, the same */
  int64_t calls;         /**< calls while profiling (a recurrent kernel is
                              called once per time step) */
  int64_t total_ns, min_ns;
  int64_t median_ns; /**< over its last 1024 calls */
} sora_kernel_profile_t;

/** Turns profiling on (non-zero; forgetting what was recorded before) or
 * off. While on, every run records each kernel's duration and a trace
 * event; while off, runs pay one test per kernel call. */
SORA_API sora_status_t sora_model_set_profiling(sora_model_t *model,
                                                int32_t enabled);

/** The number of kernels (0 if `model` is NULL). */
SORA_API int32_t sora_model_num_kernels(const sora_model_t *model);

/** Kernel `index` (0-based, in run order) and its measurements so far. */
SORA_API sora_status_t sora_model_kernel_profile(
    sora_model_t *model, int32_t index, sora_kernel_profile_t *out_profile);

/** Writes the recorded kernel calls to `path` as a Chrome/Perfetto trace
 * (JSON "traceEvents": one complete event per kernel call on the calling
 * thread, category "kernel", and one per thread that ran part of its
 * parallel loops, category "tasks"; the particles as args). INVALID_ARGUMENT if
 * profiling was never on or the file cannot be written. */
SORA_API sora_status_t sora_model_write_trace(sora_model_t *model,
                                              const char *path);

/** The message of the most recent failed call on `model` ("" if none has
 * failed). Owned by the model; valid until the next call on it. Returns a
 * static message if `model` is NULL. */
SORA_API const char *sora_model_last_error(const sora_model_t *model);

#ifdef __cplusplus
}
#endif

#endif /* SORA_RUNTIME_H */
