//===- cuda_hooks.c - A CUDA model's device, through Halide's runtime -----===//
//
// The sora_abi_device_t of models compiled for `--target=cuda`: device
// memory and copies through Halide's CUDA runtime (linked into the same
// model), which loads the driver (libcuda.so) on first use and reports a
// missing driver or GPU through halide_error, that is, the model's message
// service. Like halide_hooks.c it uses no symbol of the sora runtime.
//
// Halide describes memory as buffers of at most 2^31 - 1 elements per
// dimension: allocations are byte buffers of up to 2^30 bytes per row, and
// copies go in pieces of at most 2^30 bytes.
//
//===----------------------------------------------------------------------===//

#include "sora/kernel_abi.h"

#include <HalideRuntime.h>
#include <HalideRuntimeCuda.h>
#include <string.h>

#define PIECE_BYTES ((uint64_t)1 << 30)

/// A byte buffer of `rows` rows of `row_bytes` at device `address` (0: not
/// allocated yet) and `host` (may be NULL), using `dims` (two entries).
static halide_buffer_t byte_buffer(halide_dimension_t *dims, uint64_t address,
                                   void *host, uint64_t row_bytes,
                                   uint64_t rows) {
  memset(dims, 0, 2 * sizeof(*dims));
  dims[0].extent = (int32_t)row_bytes;
  dims[0].stride = 1;
  dims[1].extent = (int32_t)rows;
  dims[1].stride = (int32_t)row_bytes;
  halide_buffer_t buffer;
  memset(&buffer, 0, sizeof(buffer));
  buffer.device = address;
  buffer.device_interface = address ? halide_cuda_device_interface() : NULL;
  buffer.host = host;
  buffer.type.code = halide_type_uint;
  buffer.type.bits = 8;
  buffer.type.lanes = 1;
  buffer.dimensions = 2;
  buffer.dim = dims;
  return buffer;
}

static int cuda_malloc(void *user_context, uint64_t bytes,
                       uint64_t *out_address) {
  // Whole rows: one row when it fits, else rows of PIECE_BYTES.
  uint64_t row_bytes = bytes <= PIECE_BYTES ? (bytes ? bytes : 1) : PIECE_BYTES;
  uint64_t rows = (bytes + row_bytes - 1) / row_bytes;
  if (rows == 0)
    rows = 1;
  halide_dimension_t dims[2];
  halide_buffer_t buffer = byte_buffer(dims, 0, NULL, row_bytes, rows);
  int error = halide_device_malloc(user_context, &buffer,
                                   halide_cuda_device_interface());
  if (error == 0)
    *out_address = buffer.device;
  return error;
}

static int cuda_free(void *user_context, uint64_t address) {
  halide_dimension_t dims[2];
  halide_buffer_t buffer = byte_buffer(dims, address, NULL, 1, 1);
  return halide_device_free(user_context, &buffer);
}

static int cuda_copy_to_device(void *user_context, uint64_t address,
                               const void *host, uint64_t bytes) {
  for (uint64_t done = 0; done < bytes; done += PIECE_BYTES) {
    uint64_t piece = bytes - done < PIECE_BYTES ? bytes - done : PIECE_BYTES;
    halide_dimension_t dims[2];
    halide_buffer_t buffer = byte_buffer(
        dims, address + done, (uint8_t *)(uintptr_t)host + done, piece, 1);
    buffer.flags = halide_buffer_flag_host_dirty;
    int error = halide_copy_to_device(user_context, &buffer,
                                      halide_cuda_device_interface());
    if (error != 0)
      return error;
  }
  return 0;
}

static int cuda_copy_to_host(void *user_context, void *host, uint64_t address,
                             uint64_t bytes) {
  for (uint64_t done = 0; done < bytes; done += PIECE_BYTES) {
    uint64_t piece = bytes - done < PIECE_BYTES ? bytes - done : PIECE_BYTES;
    halide_dimension_t dims[2];
    halide_buffer_t buffer =
        byte_buffer(dims, address + done, (uint8_t *)host + done, piece, 1);
    buffer.flags = halide_buffer_flag_device_dirty;
    int error = halide_copy_to_host(user_context, &buffer);
    if (error != 0)
      return error;
  }
  return 0;
}

__attribute__((visibility("hidden")))
const sora_abi_device_t sora_cuda_device = {
    .name = "cuda",
    .malloc = cuda_malloc,
    .free = cuda_free,
    .copy_to_device = cuda_copy_to_device,
    .copy_to_host = cuda_copy_to_host,
};
