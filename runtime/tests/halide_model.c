//===- halide_model.c - A graph driver around one real Halide kernel ------===//
//
// input x: f32[64,96]  ->  output y = 2 * x + 1, computed by the Halide kernel
// of halide_kernel_gen.cpp. Linked with the Halide standalone runtime and
// the sora runtime, like a soracc model.
//
//===----------------------------------------------------------------------===//

#include "sora/kernel_abi.h"

#include <HalideRuntime.h>
#include <string.h>

#define ROWS 64
#define COLS 96

int halide_test_kernel(void *user_context, struct halide_buffer_t *x,
                       struct halide_buffer_t *y);

static const int64_t kDims[] = {ROWS, COLS};
static const sora_abi_tensor_t kInput = {"x", SORA_ABI_DTYPE_F32, 2, kDims};
static const sora_abi_tensor_t kOutput = {"y", SORA_ABI_DTYPE_F32, 2, kDims};

/// A dense row-major [ROWS, COLS] f32 buffer (Halide lists dims inner first).
static void describe(struct halide_buffer_t *buffer,
                     struct halide_dimension_t dims[2], void *data) {
  memset(buffer, 0, sizeof(*buffer));
  dims[0] = (struct halide_dimension_t){0, COLS, 1, 0};
  dims[1] = (struct halide_dimension_t){0, ROWS, COLS, 0};
  buffer->host = data;
  buffer->type = (struct halide_type_t){halide_type_float, 32, 1};
  buffer->dimensions = 2;
  buffer->dim = dims;
}

static int64_t run(void *user_context, void *const *inputs,
                   void *const *outputs, uint8_t *arena, const uint8_t *weights,
                   int64_t samples) {
  (void)arena, (void)weights, (void)samples;
  struct halide_buffer_t x, y;
  struct halide_dimension_t x_dims[2], y_dims[2];
  describe(&x, x_dims, inputs[0]);
  describe(&y, y_dims, outputs[0]);
  return halide_test_kernel(user_context, &x, &y);
}

__attribute__((visibility("hidden"))) const sora_abi_model_t sora_abi_model = {
    .abi_version = SORA_ABI_VERSION,
    .name = "halide",
    .signature_json = "{\"inputs\":[{\"name\":\"x\",\"dtype\":\"f32\","
                      "\"shape\":[64,96]}],\"outputs\":[{\"name\":\"y\","
                      "\"dtype\":\"f32\",\"shape\":[64,96]}]}",
    .target = "host",
    .cpu_features = "",
    .num_inputs = 1,
    .num_outputs = 1,
    .inputs = &kInput,
    .outputs = &kOutput,
    .arena_bytes = 0,
    .run = run,
    .weights = (const uint8_t *)"",
    .weights_bytes = 0,
    .weights_file = "",
};
