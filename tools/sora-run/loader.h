//===- loader.h - The runtime API of a dlopen()ed model.so ------*- C -*-===//
#ifndef SORA_RUN_LOADER_H
#define SORA_RUN_LOADER_H

#include "sora/runtime.h"

#include <stdbool.h>
#include <stddef.h>

/// The sora_* functions sora-run uses, without the prefix.
#define SORA_RUN_API_FUNCTIONS(X)                                              \
  X(status_string)                                                             \
  X(model_options_initialize)                                                  \
  X(model_create)                                                              \
  X(model_release)                                                             \
  X(model_num_inputs)                                                          \
  X(model_num_outputs)                                                         \
  X(model_input_info)                                                          \
  X(model_output_info)                                                         \
  X(model_find_input)                                                          \
  X(model_max_batch)                                                           \
  X(model_max_sequence)                                                        \
  X(model_num_threads)                                                         \
  X(model_run)                                                                 \
  X(model_last_error)                                                          \
  X(model_set_profiling)                                                       \
  X(model_num_kernels)                                                         \
  X(model_kernel_profile)                                                      \
  X(model_write_trace)

/// One model.so, loaded privately (RTLD_LOCAL), and its API.
typedef struct sora_api_t {
  void *handle;
  // One function pointer per entry point (the fields are the macro's
  // argument, which clang-tidy cannot check).
  // NOLINTBEGIN(bugprone-macro-parentheses, readability-identifier-naming)
#define SORA_RUN_API_FIELD(function) __typeof__(&sora_##function) function;
  SORA_RUN_API_FUNCTIONS(SORA_RUN_API_FIELD)
#undef SORA_RUN_API_FIELD
  // NOLINTEND(bugprone-macro-parentheses, readability-identifier-naming)
} sora_api_t;

/// Checks that `path` is a whole 64-bit ELF file for this machine (its
/// headers and loaded segments within the file), as sora_api_load does
/// before dlopen(). On failure writes a message into `error`.
bool sora_check_model_file(const char *path, char *error, size_t error_size);

/// Loads `path` and resolves every function. On failure writes a message
/// into `error` and returns false.
bool sora_api_load(const char *path, sora_api_t *api, char *error,
                   size_t error_size);

/// Unloads the library. The models it created must be released first.
void sora_api_unload(sora_api_t *api);

#endif // SORA_RUN_LOADER_H
