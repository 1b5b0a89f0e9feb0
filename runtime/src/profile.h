//===- profile.h - Per-kernel timing and traces of a model's runs -*- C -*-===//
#ifndef SORA_RUNTIME_PROFILE_H
#define SORA_RUNTIME_PROFILE_H

#include <stdint.h>
#include <stdio.h>

/// What profiling recorded: per kernel, its calls, total, minimum and the
/// durations of its last SORA_PROFILE_SAMPLES calls (for the median); and
/// one trace event per kernel call (up to SORA_PROFILE_MAX_EVENTS).
typedef struct sora_profile_t sora_profile_t;

#define SORA_PROFILE_SAMPLES 1024
#define SORA_PROFILE_MAX_EVENTS (1 << 20)

/// NULL when out of memory.
sora_profile_t *sora_profile_create(int64_t num_kernels);
void sora_profile_release(sora_profile_t *profile);
/// Forgets everything recorded.
void sora_profile_reset(sora_profile_t *profile);
/// Kernel `kernel` begins (end == 0) or ends (end == 1) on this thread.
/// At its end, the threads that ran its parallel tasks each get one trace
/// event spanning their part (see sora_profile_task).
void sora_profile_event(sora_profile_t *profile, int64_t kernel, int64_t end);

/// The calling thread ran a parallel task of the current kernel from
/// `start_ns` to `end_ns` (sora_profile_now clock). Thread-safe.
void sora_profile_task(sora_profile_t *profile, int64_t start_ns,
                       int64_t end_ns);

/// The profile's clock, in nanoseconds.
int64_t sora_profile_now(void);

/// Kernel `kernel`'s numbers so far.
void sora_profile_kernel(const sora_profile_t *profile, int64_t kernel,
                         int64_t *calls, int64_t *total_ns, int64_t *min_ns,
                         int64_t *median_ns);

/// Writes the events as Chrome trace events (JSON), naming each kernel by
/// names[k] with args {"particles": particles[k]}. Returns 0 or errno.
int sora_profile_write_trace(const sora_profile_t *profile, FILE *out,
                             const char *const *names,
                             const char *const *particles);

#endif // SORA_RUNTIME_PROFILE_H
