//===- npy.h - Reading and writing float32 .npy files -----------*- C -*-===//
#ifndef SORA_RUN_NPY_H
#define SORA_RUN_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// Highest rank sora-run reads.
#define NPY_MAX_RANK 32

/// A little-endian float32 array in C order.
typedef struct npy_array_t {
  int32_t rank;
  int64_t dims[NPY_MAX_RANK];
  int64_t num_elements;
  float *data; ///< Owned; free with npy_array_free.
} npy_array_t;

/// Reads `path`, which must hold a '<f4' C-order array. On failure writes a
/// message naming the file into `error` and returns false.
bool npy_read_f32(const char *path, npy_array_t *out, char *error,
                  size_t error_size);

/// Frees the array's data.
void npy_array_free(npy_array_t *array);

/// Writes a '<f4' C-order array to `path` through a temporary file in the
/// same directory and a rename, so `path` is never half-written.
bool npy_write_f32(const char *path, int32_t rank, const int64_t *dims,
                   const float *data, char *error, size_t error_size);

/// Formats a shape the way NumPy prints it: "(2, 3)", "(6,)", "()".
const char *npy_format_shape(char *buffer, size_t size, int32_t rank,
                             const int64_t *dims);

#endif // SORA_RUN_NPY_H
