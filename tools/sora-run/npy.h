//===- npy.h - Reading float32/int64 and writing float32 .npy ---*- C -*-===//
#ifndef SORA_RUN_NPY_H
#define SORA_RUN_NPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// Highest rank sora-run reads.
#define NPY_MAX_RANK 32

/// The element types sora-run reads.
typedef enum npy_dtype_t {
  NPY_F32, ///< '<f4'
  NPY_I64, ///< '<i8'
} npy_dtype_t;

/// A little-endian array in C order.
typedef struct npy_array_t {
  npy_dtype_t dtype;
  int32_t rank;
  int64_t dims[NPY_MAX_RANK];
  int64_t num_elements;
  void *data; ///< Owned; free with npy_array_free.
} npy_array_t;

/// Reads `path`, which must hold a '<f4' or '<i8' C-order array. On failure
/// writes a message naming the file into `error` and returns false.
bool npy_read(const char *path, npy_array_t *out, char *error,
              size_t error_size);

/// The dtype as NumPy's header spells it: "<f4" or "<i8".
const char *npy_dtype_descr(npy_dtype_t dtype);

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
