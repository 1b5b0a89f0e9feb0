//===- loader.c - The runtime API of a dlopen()ed model.so ----------------===//

#include "loader.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/// Whether `end` = offset + count * size lies within `file_size`.
static bool within(uint64_t offset, uint64_t count, uint64_t size,
                   uint64_t file_size) {
  return offset <= file_size &&
         (size == 0 || count <= (file_size - offset) / size);
}

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#endif

// dlopen() maps a truncated file and dies with SIGBUS touching the missing
// pages, and says "cannot open shared object file" for another
// architecture's: hence the checks before it.
bool sora_check_model_file(const char *path, char *error, size_t error_size) {
  FILE *file = fopen(path, "rb");
  if (!file) {
    snprintf(error, error_size, "cannot load %s: %s", path, strerror(errno));
    return false;
  }
  Elf64_Ehdr header;
  struct stat st;
  bool read = fread(&header, sizeof(header), 1, file) == 1 &&
              fstat(fileno(file), &st) == 0;
  uint64_t size = read ? (uint64_t)st.st_size : 0;
  const char *problem = NULL;
  if (!read || memcmp(header.e_ident, ELFMAG, SELFMAG) != 0)
    problem = "not an ELF shared library";
  else if (header.e_ident[EI_CLASS] != ELFCLASS64)
    problem = "not a 64-bit ELF file";
  else if (header.e_machine != HOST_MACHINE)
    problem = header.e_machine == EM_AARCH64
                  ? "built for AArch64, not this machine (run it with "
                    "qemu-aarch64 -L /usr/aarch64-linux-gnu sora-run-aarch64)"
              : header.e_machine == EM_X86_64
                  ? "built for x86-64, not this machine"
                  : "built for another architecture";
  else if (header.e_phentsize != sizeof(Elf64_Phdr) ||
           !within(header.e_phoff, header.e_phnum, sizeof(Elf64_Phdr), size) ||
           !within(header.e_shoff, header.e_shnum, header.e_shentsize, size))
    problem = "truncated or corrupt (its headers lie beyond the file's end)";
  for (uint16_t i = 0; !problem && i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    if (fseek(file, (long)(header.e_phoff + i * sizeof(segment)), SEEK_SET) !=
            0 ||
        fread(&segment, sizeof(segment), 1, file) != 1)
      problem = "truncated or corrupt (unreadable program headers)";
    else if (segment.p_type == PT_LOAD &&
             !within(segment.p_offset, segment.p_filesz, 1, size))
      problem = "truncated or corrupt (a segment lies beyond the file's end)";
  }
  fclose(file);
  if (problem)
    snprintf(error, error_size, "cannot load %s: %s", path, problem);
  return problem == NULL;
}

bool sora_api_load(const char *path, sora_api_t *api, char *error,
                   size_t error_size) {
  memset(api, 0, sizeof(*api));
  if (!sora_check_model_file(path, error, error_size))
    return false;
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
    snprintf(error, error_size,                                                \
             "%s is not a soracc model of this version: no sora_%s "           \
             "(recompile it with this soracc)",                                \
             path, #function);                                                 \
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
