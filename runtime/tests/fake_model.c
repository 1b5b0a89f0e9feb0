//===- fake_model.c - A hand-written stand-in for a soracc model ----------===//
//
// Defines `sora_abi_model` the way soracc's generated driver does, so the
// runtime can be tested without the compiler:
//   inputs  x: f32[2,3], bias: f32[3]
//   outputs y: f32[2,3] = 2 * x + bias,  total: f32[1] = sum(y)
// Rows run through halide_do_par_for, columns through a nested
// halide_do_par_for, each row in a halide_malloc'ed scratch block, and y is
// staged in the arena. A NaN in x makes the kernel fail through halide_error.
//
// Variants are built with -DFAKE_ABI_VERSION=… and -DFAKE_CPU_FEATURES=….
//
//===----------------------------------------------------------------------===//

#include "sora/kernel_abi.h"

#include <HalideRuntime.h>
#include <stdio.h>
#include <string.h>

#ifndef FAKE_ABI_VERSION
#define FAKE_ABI_VERSION SORA_ABI_VERSION
#endif
#ifndef FAKE_CPU_FEATURES
#if defined(__x86_64__)
#define FAKE_CPU_FEATURES "sse4.1,avx,fma,f16c,avx2"
#else
#define FAKE_CPU_FEATURES "neon"
#endif
#endif

#define ROWS 2
#define COLS 3
#ifndef FAKE_OUTPUT_Y
#define FAKE_OUTPUT_Y "y"
#define FAKE_OUTPUT_TOTAL "total"
#endif

// The weight blob: bytes 0..63, inside the model or (FAKE_WEIGHTS_FILE) in
// that file beside it, which the tests write.
#define WEIGHTS_BYTES 64
#define WEIGHTS_CHECKSUM 0x5469d9a4adff6165ull // sora_abi_checksum of 0..63
#ifdef FAKE_WEIGHTS_FILE
#define WEIGHTS NULL
#else
#define FAKE_WEIGHTS_FILE ""
static const uint8_t kWeights[WEIGHTS_BYTES] = {
    0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
    32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
    48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63};
#define WEIGHTS kWeights
#endif

#ifdef FAKE_ARENA_BYTES
#define ARENA_BYTES FAKE_ARENA_BYTES
#else
#define ARENA_BYTES 4096
#endif

static const int64_t kMatrixDims[] = {ROWS, COLS};
static const int64_t kBiasDims[] = {COLS};
static const int64_t kTotalDims[] = {1};

static const sora_abi_tensor_t kInputs[] = {
    {"x", SORA_ABI_DTYPE_F32, 2, kMatrixDims},
    {"bias", SORA_ABI_DTYPE_F32, 1, kBiasDims},
};
static const sora_abi_tensor_t kOutputs[] = {
    {FAKE_OUTPUT_Y, SORA_ABI_DTYPE_F32, 2, kMatrixDims},
    {FAKE_OUTPUT_TOTAL, SORA_ABI_DTYPE_F32, 1, kTotalDims},
};

typedef struct row_closure_t {
  const float *x;
  const float *bias;
  float *staged_y; // In the arena.
} row_closure_t;

typedef struct column_closure_t {
  const row_closure_t *rows;
  int row;
  float *scratch;
} column_closure_t;

static int column_task(void *user_context, int column, uint8_t *closure) {
  const column_closure_t *c = (const column_closure_t *)closure;
  float value = c->rows->x[c->row * COLS + column];
  if (value != value) {
    char message[64];
    snprintf(message, sizeof(message), "fake: NaN in x[%d][%d]\n", c->row,
             column);
    halide_error(user_context, message);
    return -1;
  }
  c->scratch[column] = 2.0f * value + c->rows->bias[column];
  return 0;
}

static int row_task(void *user_context, int row, uint8_t *closure) {
  const row_closure_t *rows = (const row_closure_t *)closure;
  float *scratch = halide_malloc(user_context, COLS * sizeof(float));
  if (!scratch || (uintptr_t)scratch % 64 != 0) {
    halide_error(user_context, "fake: bad halide_malloc block\n");
    halide_free(user_context, scratch);
    return -2;
  }
  column_closure_t columns = {rows, row, scratch};
  int result = halide_do_par_for(user_context, column_task, 0, COLS,
                                 (uint8_t *)&columns);
  if (result == 0)
    memcpy(rows->staged_y + row * COLS, scratch, COLS * sizeof(float));
  halide_free(user_context, scratch);
  return result;
}

static int64_t fake_run(void *user_context, void *const *inputs,
                        void *const *outputs, uint8_t *arena,
                        const uint8_t *weights, int64_t samples) {
  (void)samples; // one sample per call: batch_at_run_time is 0
  if (!arena || (uintptr_t)arena % 64 != 0) {
    halide_error(user_context, "fake: bad arena\n");
    return -2;
  }
  if (!weights || weights[WEIGHTS_BYTES - 1] != WEIGHTS_BYTES - 1) {
    halide_error(user_context, "fake: bad weights\n");
    return -3;
  }
  row_closure_t rows = {inputs[0], inputs[1], (float *)arena};
  sora_hook_kernel_event(user_context, 0, 0);
  int result =
      halide_do_par_for(user_context, row_task, 0, ROWS, (uint8_t *)&rows);
  sora_hook_kernel_event(user_context, 0, 1);
  if (result != 0)
    return result;
  float *y = outputs[0];
  float total = 0.0f;
  for (int i = 0; i < ROWS * COLS; ++i) {
    y[i] = rows.staged_y[i];
    total += y[i];
  }
  *(float *)outputs[1] = total;
  return 0;
}

// One "kernel" for profiles: the rows' parallel loop.
static const sora_abi_kernel_t kKernels[] = {
    {"fake_rows", "y: add, y: relu", 12, 96}};

__attribute__((visibility("hidden"))) const sora_abi_model_t sora_abi_model = {
    .abi_version = FAKE_ABI_VERSION,
    .name = "fake",
    .signature_json =
        "{\"inputs\":[{\"name\":\"x\",\"dtype\":\"f32\",\"shape\":[2,3]},"
        "{\"name\":\"bias\",\"dtype\":\"f32\",\"shape\":[3]}],"
        "\"outputs\":[{\"name\":\"y\",\"dtype\":\"f32\",\"shape\":[2,3]},"
        "{\"name\":\"total\",\"dtype\":\"f32\",\"shape\":[1]}]}",
    .target = "fake-target",
    .cpu_features = FAKE_CPU_FEATURES,
    .num_inputs = 2,
    .num_outputs = 2,
    .inputs = kInputs,
    .outputs = kOutputs,
    .arena_bytes = ARENA_BYTES,
    .run = fake_run,
    .weights = WEIGHTS,
    .weights_bytes = WEIGHTS_BYTES,
    .weights_checksum = WEIGHTS_CHECKSUM,
    .weights_file = FAKE_WEIGHTS_FILE,
    .num_kernels = 1,
    .kernels = kKernels,
#ifdef FAKE_MAX_SEQUENCE
    .max_sequence = FAKE_MAX_SEQUENCE,
#endif
};
