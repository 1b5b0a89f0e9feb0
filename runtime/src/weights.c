//===- weights.c - The weight blob: inside the model or a mapped file -----===//
//
// A model compiled with `soracc --weights-external` carries no weights: its
// descriptor names a file (written beside the library) and the blob's size
// and checksum. The file is mapped read-only at model creation, so models
// share its pages and only touched weights are read; a missing, truncated or
// different file is SORA_STATUS_BAD_WEIGHTS, never a crash.
//
//===----------------------------------------------------------------------===//

#include "model_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/// The directory of the file that holds `address` (a model.so, or the
/// executable a model object was linked into), with a trailing '/'.
static bool directory_of(const void *address, char *out, size_t size) {
  Dl_info info;
  char resolved[PATH_MAX];
  const char *file = NULL;
  if (dladdr(address, &info) && info.dli_fname && info.dli_fname[0] &&
      realpath(info.dli_fname, resolved))
    file = resolved;
  else if (realpath("/proc/self/exe", resolved))
    file = resolved;
  if (!file)
    return false;
  const char *slash = strrchr(file, '/');
  size_t length = (size_t)(slash - file) + 1;
  if (length >= size)
    return false;
  memcpy(out, file, length);
  out[length] = '\0';
  return true;
}

/// The weights file to map: `path`, else weights_file beside the model.
static sora_status_t weights_file_path(sora_model_t *model, const char *path,
                                       char *out, size_t size) {
  const sora_abi_model_t *abi = model->abi;
  if (path) {
    if ((size_t)snprintf(out, size, "%s", path) >= size)
      return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                             "weights_path is too long");
    return SORA_STATUS_OK;
  }
  char directory[PATH_MAX];
  if (!directory_of(abi, directory, sizeof(directory)))
    return sora_model_fail(model, SORA_STATUS_BAD_WEIGHTS,
                           "cannot tell where model '%s' was loaded from to "
                           "find its weights file '%s'; set weights_path",
                           abi->name, abi->weights_file);
  if ((size_t)snprintf(out, size, "%s%s", directory, abi->weights_file) >= size)
    return sora_model_fail(model, SORA_STATUS_BAD_WEIGHTS,
                           "the path of weights file '%s' is too long",
                           abi->weights_file);
  return SORA_STATUS_OK;
}

sora_status_t sora_model_load_weights(sora_model_t *model, const char *path) {
  const sora_abi_model_t *abi = model->abi;
  if (abi->weights) {
    model->weights = abi->weights;
    return SORA_STATUS_OK;
  }
  char file[PATH_MAX];
  sora_status_t status = weights_file_path(model, path, file, sizeof(file));
  if (status != SORA_STATUS_OK)
    return status;
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return sora_model_fail(model, SORA_STATUS_BAD_WEIGHTS,
                           "cannot open the weights file '%s' of model '%s': "
                           "%s",
                           file, abi->name, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size != abi->weights_bytes) {
    close(fd);
    return sora_model_fail(
        model, SORA_STATUS_BAD_WEIGHTS,
        "weights file '%s' has %lld bytes; model '%s' needs %lld (a truncated "
        "file, or another model's)",
        file, S_ISREG(st.st_mode) ? (long long)st.st_size : -1LL, abi->name,
        (long long)abi->weights_bytes);
  }
  size_t bytes = (size_t)abi->weights_bytes;
  void *mapping = NULL;
  if (bytes > 0) {
    mapping = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      int error = errno;
      close(fd);
      return sora_model_fail(model, SORA_STATUS_OUT_OF_MEMORY,
                             "cannot map weights file '%s': %s", file,
                             strerror(error));
    }
  }
  close(fd);
  model->weights_mapping = mapping;
  model->weights_mapping_bytes = bytes;
  if (sora_abi_checksum(mapping, bytes) != abi->weights_checksum)
    return sora_model_fail(model, SORA_STATUS_BAD_WEIGHTS,
                           "weights file '%s' is not the one model '%s' was "
                           "compiled with (checksum mismatch)",
                           file, abi->name);
  model->weights = mapping;
  return SORA_STATUS_OK;
}

void sora_model_unload_weights(sora_model_t *model) {
  if (model->weights_mapping)
    munmap(model->weights_mapping, model->weights_mapping_bytes);
  model->weights_mapping = NULL;
  model->weights = NULL;
}
