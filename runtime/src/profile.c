//===- profile.c - Per-kernel timing and traces of a model's runs ---------===//

#include "profile.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef struct kernel_stats_t {
  int64_t calls, total_ns, min_ns;
  int64_t samples[SORA_PROFILE_SAMPLES]; ///< ring of the last durations
} kernel_stats_t;

typedef struct trace_event_t {
  int64_t kernel, start_ns, duration_ns, thread;
  bool task; ///< a thread's part of the kernel's parallel loops
} trace_event_t;

/// Up to this many threads' parts of a kernel are traced.
#define MAX_TASK_THREADS 64

/// One thread's part of the current kernel: claimed by the thread (tid),
/// written only by it, read at the kernel's end once the tasks are done.
typedef struct task_span_t {
  _Atomic int64_t thread; ///< pthread_self() of the owner, 0 when free
  int64_t tid;            ///< the owner's thread id, for the trace
  int64_t start_ns, end_ns;
} task_span_t;

struct sora_profile_t {
  int64_t num_kernels;
  kernel_stats_t *kernels;
  int64_t begin_ns; ///< when the running kernel began
  trace_event_t *events;
  int64_t num_events, capacity;
  int64_t origin_ns; ///< trace time 0
  task_span_t spans[MAX_TASK_THREADS];
};

int64_t sora_profile_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns(void) { return sora_profile_now(); }

static int64_t thread_id(void) { return (int64_t)syscall(SYS_gettid); }

void sora_profile_task(sora_profile_t *profile, int64_t start_ns,
                       int64_t end_ns) {
  // pthread_self() costs no system call: gettid() per task tripled a
  // profiled run of many small tasks. The id is asked once per span.
  int64_t self = (int64_t)pthread_self();
  for (int i = 0; i < MAX_TASK_THREADS; ++i) {
    task_span_t *span = &profile->spans[i];
    int64_t owner = atomic_load_explicit(&span->thread, memory_order_relaxed);
    if (owner == 0) {
      int64_t expected = 0;
      if (atomic_compare_exchange_strong(&span->thread, &expected, self)) {
        span->tid = thread_id();
        span->start_ns = start_ns;
        span->end_ns = end_ns;
        return;
      }
      owner = expected;
    }
    if (owner == self) {
      if (start_ns < span->start_ns)
        span->start_ns = start_ns;
      if (end_ns > span->end_ns)
        span->end_ns = end_ns;
      return;
    }
  }
}

/// Appends a trace event (dropped once the trace is full).
static void add_event(sora_profile_t *profile, trace_event_t event) {
  if (profile->num_events == profile->capacity &&
      profile->capacity < SORA_PROFILE_MAX_EVENTS) {
    int64_t capacity = profile->capacity ? 2 * profile->capacity : 4096;
    trace_event_t *events =
        realloc(profile->events, (size_t)capacity * sizeof(trace_event_t));
    if (events) {
      profile->events = events;
      profile->capacity = capacity;
    }
  }
  if (profile->num_events < profile->capacity)
    profile->events[profile->num_events++] = event;
}

sora_profile_t *sora_profile_create(int64_t num_kernels) {
  sora_profile_t *profile = calloc(1, sizeof(*profile));
  if (!profile)
    return NULL;
  profile->num_kernels = num_kernels;
  profile->kernels = calloc((size_t)num_kernels + 1, sizeof(kernel_stats_t));
  if (!profile->kernels) {
    free(profile);
    return NULL;
  }
  sora_profile_reset(profile);
  return profile;
}

void sora_profile_release(sora_profile_t *profile) {
  if (!profile)
    return;
  free(profile->events);
  free(profile->kernels);
  free(profile);
}

void sora_profile_reset(sora_profile_t *profile) {
  memset(profile->kernels, 0,
         (size_t)profile->num_kernels * sizeof(kernel_stats_t));
  for (int i = 0; i < MAX_TASK_THREADS; ++i)
    atomic_store(&profile->spans[i].thread, 0);
  profile->num_events = 0;
  profile->origin_ns = now_ns();
}

void sora_profile_event(sora_profile_t *profile, int64_t kernel, int64_t end) {
  int64_t now = now_ns();
  if (!end) {
    profile->begin_ns = now;
    return;
  }
  if (kernel < 0 || kernel >= profile->num_kernels)
    return;
  int64_t duration = now - profile->begin_ns;
  kernel_stats_t *stats = &profile->kernels[kernel];
  stats->samples[stats->calls % SORA_PROFILE_SAMPLES] = duration;
  if (stats->calls == 0 || duration < stats->min_ns)
    stats->min_ns = duration;
  ++stats->calls;
  stats->total_ns += duration;
  add_event(profile,
            (trace_event_t){kernel, profile->begin_ns - profile->origin_ns,
                            duration, thread_id(), false});
  // Each thread's part of the kernel's parallel loops, then free the slots
  // for the next kernel (its tasks are all done: the pool returned).
  for (int i = 0; i < MAX_TASK_THREADS; ++i) {
    task_span_t *span = &profile->spans[i];
    int64_t owner = atomic_load(&span->thread);
    if (owner == 0)
      break;
    add_event(profile,
              (trace_event_t){kernel, span->start_ns - profile->origin_ns,
                              span->end_ns - span->start_ns, span->tid, true});
    atomic_store(&span->thread, 0);
  }
}

static int compare_int64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

void sora_profile_kernel(const sora_profile_t *profile, int64_t kernel,
                         int64_t *calls, int64_t *total_ns, int64_t *min_ns,
                         int64_t *median_ns) {
  const kernel_stats_t *stats = &profile->kernels[kernel];
  *calls = stats->calls;
  *total_ns = stats->total_ns;
  *min_ns = stats->min_ns;
  int64_t count =
      stats->calls < SORA_PROFILE_SAMPLES ? stats->calls : SORA_PROFILE_SAMPLES;
  int64_t sorted[SORA_PROFILE_SAMPLES];
  memcpy(sorted, stats->samples, (size_t)count * sizeof(int64_t));
  qsort(sorted, (size_t)count, sizeof(int64_t), compare_int64);
  *median_ns = count ? sorted[count / 2] : 0;
}

/// `text` as a JSON string body.
static void write_json_string(FILE *out, const char *text) {
  for (const unsigned char *c = (const unsigned char *)text; *c; ++c) {
    if (*c == '"' || *c == '\\')
      fprintf(out, "\\%c", *c);
    else if (*c < 0x20)
      fprintf(out, "\\u%04x", *c);
    else
      fputc(*c, out);
  }
}

int sora_profile_write_trace(const sora_profile_t *profile, FILE *out,
                             const char *const *names,
                             const char *const *particles) {
  int pid = (int)getpid();
  fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", out);
  for (int64_t i = 0; i < profile->num_events; ++i) {
    const trace_event_t *e = &profile->events[i];
    fprintf(out, "%s\n{\"name\":\"", i ? "," : "");
    write_json_string(out, names[e->kernel]);
    fprintf(out,
            "\",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,"
            "\"pid\":%d,\"tid\":%lld,\"args\":{\"particles\":\"",
            e->task ? "tasks" : "kernel", (double)e->start_ns / 1000.0,
            (double)e->duration_ns / 1000.0, pid, (long long)e->thread);
    write_json_string(out, particles[e->kernel]);
    fputs("\"}}", out);
  }
  fputs("\n]}\n", out);
  return ferror(out) ? (errno ? errno : EIO) : 0;
}
