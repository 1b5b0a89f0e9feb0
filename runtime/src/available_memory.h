//===- available_memory.h - Memory this process may still use ---*- C -*-===//
#ifndef SORA_RUNTIME_AVAILABLE_MEMORY_H
#define SORA_RUNTIME_AVAILABLE_MEMORY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes this process can still allocate without being killed: the
/// smaller of the kernel's MemAvailable and the headroom (memory.max minus
/// memory.current) of the process's cgroup and each cgroup above it.
/// UINT64_MAX when none of these can be read.
uint64_t sora_available_memory(void);

#ifdef __cplusplus
}
#endif

#endif
