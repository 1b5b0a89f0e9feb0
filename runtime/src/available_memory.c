//===- available_memory.c - Memory this process may still use -------------===//
//
// Linux overcommits: allocating an arena larger than the machine (or the
// container) can hold succeeds, and touching its pages later gets the
// process OOM-killed. The runtime compares what it is about to touch with
// what is available first and returns SORA_STATUS_OUT_OF_MEMORY instead.
//
//===----------------------------------------------------------------------===//

#include "available_memory.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/// Reads up to `size - 1` bytes of a small file into `buffer`.
static int read_small_file(const char *path, char *buffer, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t length = read(fd, buffer, size - 1);
  close(fd);
  if (length <= 0)
    return 0;
  buffer[length] = '\0';
  return 1;
}

/// The number a file holds, or UINT64_MAX ("max", absent, unreadable).
static uint64_t read_number(const char *path) {
  char text[64];
  if (!read_small_file(path, text, sizeof(text)))
    return UINT64_MAX;
  char *end;
  unsigned long long value = strtoull(text, &end, 10);
  return end == text ? UINT64_MAX : (uint64_t)value;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/// The headroom of the cgroup v2 hierarchy from the process's cgroup up.
static uint64_t cgroup_headroom(void) {
  char membership[1024];
  if (!read_small_file("/proc/self/cgroup", membership, sizeof(membership)))
    return UINT64_MAX;
  const char *line = strstr(membership, "0::");
  if (!line)
    return UINT64_MAX;
  char dir[1024];
  int length = snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", line + 3);
  if (length <= 0 || length >= (int)sizeof(dir))
    return UINT64_MAX;
  char *newline = strchr(dir, '\n');
  if (newline)
    *newline = '\0';
  uint64_t headroom = UINT64_MAX;
  const size_t root = strlen("/sys/fs/cgroup");
  for (;;) {
    char path[1100];
    snprintf(path, sizeof(path), "%s/memory.max", dir);
    uint64_t max = read_number(path);
    if (max != UINT64_MAX) {
      snprintf(path, sizeof(path), "%s/memory.current", dir);
      uint64_t current = read_number(path);
      if (current != UINT64_MAX)
        headroom = min_u64(headroom, current < max ? max - current : 0);
    }
    char *slash = strrchr(dir, '/');
    if (!slash || (size_t)(slash - dir) < root)
      return headroom;
    *slash = '\0';
  }
}

/// MemAvailable from /proc/meminfo, in bytes.
static uint64_t mem_available(void) {
  char meminfo[4096];
  if (!read_small_file("/proc/meminfo", meminfo, sizeof(meminfo)))
    return UINT64_MAX;
  const char *line = strstr(meminfo, "MemAvailable:");
  if (!line)
    return UINT64_MAX;
  unsigned long long kib = strtoull(line + strlen("MemAvailable:"), NULL, 10);
  return kib ? (uint64_t)kib * 1024 : UINT64_MAX;
}

uint64_t sora_available_memory(void) {
  return min_u64(mem_available(), cgroup_headroom());
}
