//===- loader.c - The runtime API of a dlopen()ed model.so ----------------===//

#include "loader.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

bool sora_api_load(const char *path, sora_api_t *api, char *error,
                   size_t error_size) {
  memset(api, 0, sizeof(*api));
  // dlopen() searches the library path for a bare name; the user means the
  // file, as with every other argument ("model.so" is "./model.so").
  char local[4096];
  if (!strchr(path, '/') &&
      snprintf(local, sizeof(local), "./%s", path) < (int)sizeof(local))
    api->handle = dlopen(local, RTLD_NOW | RTLD_LOCAL);
  else
    api->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!api->handle) {
    snprintf(error, error_size, "cannot load %s: %s", path, dlerror());
    return false;
  }
#define SORA_RUN_API_RESOLVE(function)                                         \
  *(void **)&api->function = dlsym(api->handle, "sora_" #function);            \
  if (!api->function) {                                                        \
    snprintf(error, error_size, "%s is not a soracc model: no sora_%s", path,  \
             #function);                                                       \
    sora_api_unload(api);                                                      \
    return false;                                                              \
  }
  SORA_RUN_API_FUNCTIONS(SORA_RUN_API_RESOLVE)
#undef SORA_RUN_API_RESOLVE
  return true;
}

void sora_api_unload(sora_api_t *api) {
  if (api->handle)
    dlclose(api->handle);
  memset(api, 0, sizeof(*api));
}
