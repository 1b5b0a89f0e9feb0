//===- thread_pool.c - A model's parallel-for thread pool -----------------===//
//
// One job (parallel loop) at a time. The caller publishes the job under the
// mutex and bumps `generation`; workers notice the new generation while
// spinning (or are woken from the condition variable), join the open job, and
// claim chunks of task indices together with the caller. The tasks are cut
// into one contiguous share per thread, each with its own atomic counter:
// a thread runs its own share first, then helps with the others'. So a
// thread gets the same rows of every kernel split alike (the rows it wrote
// are still in its cache when the next kernel reads them), and a late or
// slow thread's share is still finished by the others.
// The caller then closes the job so no worker joins late, and waits for the
// workers that joined (`active`) to finish their tasks.
//
//===----------------------------------------------------------------------===//

#include "thread_pool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/// How long an idle worker (or a caller waiting for workers) spins before it
/// blocks: longer than the gap between two kernels of one run, and than a
/// stretch of serial kernels (bilstm_text's 100 LSTM steps, ~250 us: with a
/// 50 us spin the worker slept through them, and the next parallel kernel
/// paid a futex wake-up; 2 threads were slower than 1, 760 vs 744 us; now
/// 660 us).
#define SPIN_NANOSECONDS 500000

typedef struct job_t {
  sora_task_fn fn;
  void *user_context;
  uint8_t *closure;
  int min;
  int size;
  int chunk; ///< Tasks claimed at a time.
} job_t;

/// One thread's share of a job's tasks: [next, end) are left to claim.
typedef struct share_t {
  _Alignas(64) atomic_int next;
  int end;
} share_t;

/// Claims per thread and job, about: tasks are claimed in chunks so that a
/// loop of many small tasks (a conv's rows: ~0.2 us each) does not pay a
/// contended atomic per task, while chunks stay small enough to balance.
#define CLAIMS_PER_THREAD 16

struct sora_thread_pool_t {
  // Lock-free fields, each on its own cache line.
  share_t *shares; ///< One per thread, the caller's first; fixed per pool.
  _Alignas(64) atomic_int result;               ///< First non-zero task result.
  _Alignas(64) atomic_uint_fast64_t generation; ///< Bumped per job.
  atomic_int active;                            ///< Workers inside the job.
  atomic_int started; ///< Workers started: each takes the next share.
  atomic_bool shutdown;
  atomic_bool in_job; ///< A job runs: nested calls must run serially.
  // Guarded by `mutex`.
  pthread_mutex_t mutex;
  pthread_cond_t wake; ///< Sleeping workers wait for a job here.
  pthread_cond_t idle; ///< The caller waits for `active` to reach 0 here.
  job_t job;
  bool open; ///< Workers may still join the current job.
  int sleepers;
  bool caller_waiting;
  int num_workers;
  pthread_t threads[];
};

static void cpu_relax(void) {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static int64_t now_nanoseconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

typedef bool (*predicate_fn)(sora_thread_pool_t *pool, uint64_t arg);

/// Spins until `ready(pool, arg)` holds (true) or SPIN_NANOSECONDS pass.
static bool spin_until(sora_thread_pool_t *pool, predicate_fn ready,
                       uint64_t arg) {
  int64_t deadline = 0;
  for (unsigned i = 0;; ++i) {
    if (ready(pool, arg))
      return true;
    if ((i & 63) == 0) {
      int64_t now = now_nanoseconds();
      if (deadline == 0)
        deadline = now + SPIN_NANOSECONDS;
      else if (now >= deadline)
        return false;
    }
    cpu_relax();
  }
}

static bool has_news(sora_thread_pool_t *pool, uint64_t seen_generation) {
  return atomic_load_explicit(&pool->generation, memory_order_acquire) !=
             seen_generation ||
         atomic_load_explicit(&pool->shutdown, memory_order_relaxed);
}

static bool workers_done(sora_thread_pool_t *pool, uint64_t unused) {
  (void)unused;
  return atomic_load_explicit(&pool->active, memory_order_acquire) == 0;
}

/// Claims and runs chunks of `share` until none is left; false once a task
/// has failed.
static bool run_share(sora_thread_pool_t *pool, const job_t *job,
                      share_t *share) {
  while (atomic_load_explicit(&pool->result, memory_order_relaxed) == 0) {
    int first = atomic_fetch_add_explicit(&share->next, job->chunk,
                                          memory_order_relaxed);
    if (first >= share->end)
      return true;
    int end = first + job->chunk < share->end ? first + job->chunk : share->end;
    for (int index = first; index < end; ++index) {
      int result = job->fn(job->user_context, job->min + index, job->closure);
      if (result != 0) {
        int expected = 0;
        atomic_compare_exchange_strong(&pool->result, &expected, result);
        return false;
      }
    }
  }
  return false;
}

/// Runs the tasks of share `own` (the caller's is 0), then helps with the
/// other shares, until none is left or one has failed.
static void run_tasks(sora_thread_pool_t *pool, const job_t *job, int own) {
  int shares = pool->num_workers + 1;
  for (int k = 0; k < shares; ++k)
    if (!run_share(pool, job, &pool->shares[(own + k) % shares]))
      return;
}

static void *worker_main(void *arg) {
  sora_thread_pool_t *pool = arg;
  int own = atomic_fetch_add(&pool->started, 1) + 1;
  uint64_t seen = 0;
  pthread_mutex_lock(&pool->mutex);
  while (!atomic_load(&pool->shutdown)) {
    uint64_t generation = atomic_load(&pool->generation);
    if (generation != seen) {
      seen = generation;
      if (pool->open) {
        job_t job = pool->job;
        atomic_fetch_add(&pool->active, 1);
        pthread_mutex_unlock(&pool->mutex);
        run_tasks(pool, &job, own);
        pthread_mutex_lock(&pool->mutex);
        if (atomic_fetch_sub(&pool->active, 1) == 1 && pool->caller_waiting)
          pthread_cond_signal(&pool->idle);
      }
      continue;
    }
    pthread_mutex_unlock(&pool->mutex);
    bool ready = spin_until(pool, has_news, seen);
    pthread_mutex_lock(&pool->mutex);
    if (!ready && !has_news(pool, seen)) {
      ++pool->sleepers;
      pthread_cond_wait(&pool->wake, &pool->mutex);
      --pool->sleepers;
    }
  }
  pthread_mutex_unlock(&pool->mutex);
  return NULL;
}

int sora_thread_pool_create(int32_t num_workers,
                            sora_thread_pool_t **out_pool) {
  size_t bytes =
      sizeof(sora_thread_pool_t) + (size_t)num_workers * sizeof(pthread_t);
  bytes = (bytes + 63) & ~(size_t)63;
  sora_thread_pool_t *pool = aligned_alloc(64, bytes);
  if (!pool)
    return ENOMEM;
  memset(pool, 0, bytes);
  pool->shares = aligned_alloc(64, (size_t)(num_workers + 1) * sizeof(share_t));
  if (!pool->shares) {
    free(pool);
    return ENOMEM;
  }
  for (int32_t i = 0; i <= num_workers; ++i) {
    atomic_init(&pool->shares[i].next, 0);
    pool->shares[i].end = 0;
  }
  atomic_init(&pool->result, 0);
  atomic_init(&pool->started, 0);
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->active, 0);
  atomic_init(&pool->shutdown, false);
  atomic_init(&pool->in_job, false);
  pthread_mutex_init(&pool->mutex, NULL);
  pthread_cond_init(&pool->wake, NULL);
  pthread_cond_init(&pool->idle, NULL);

  // Workers start with every signal blocked: signals belong to the
  // application's own threads.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int error = 0;
  for (int32_t i = 0; i < num_workers && error == 0; ++i) {
    error = pthread_create(&pool->threads[i], NULL, worker_main, pool);
    if (error == 0)
      pool->num_workers = i + 1;
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (error != 0) {
    sora_thread_pool_release(pool);
    return error;
  }
  *out_pool = pool;
  return 0;
}

void sora_thread_pool_release(sora_thread_pool_t *pool) {
  if (!pool)
    return;
  pthread_mutex_lock(&pool->mutex);
  atomic_store(&pool->shutdown, true);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);
  for (int i = 0; i < pool->num_workers; ++i)
    pthread_join(pool->threads[i], NULL);
  pthread_cond_destroy(&pool->idle);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->mutex);
  free(pool->shares);
  free(pool);
}

static int run_serially(sora_task_fn fn, void *user_context, int min, int size,
                        uint8_t *closure) {
  for (int i = 0; i < size; ++i) {
    int result = fn(user_context, min + i, closure);
    if (result != 0)
      return result;
  }
  return 0;
}

int sora_thread_pool_run(sora_thread_pool_t *pool, sora_task_fn fn,
                         void *user_context, int min, int size,
                         uint8_t *closure) {
  if (!pool || size <= 1 ||
      atomic_load_explicit(&pool->in_job, memory_order_relaxed))
    return run_serially(fn, user_context, min, size, closure);

  atomic_store_explicit(&pool->in_job, true, memory_order_relaxed);
  int chunk = size / ((pool->num_workers + 1) * CLAIMS_PER_THREAD);
  job_t job = {fn, user_context, closure, min, size, chunk > 1 ? chunk : 1};
  pthread_mutex_lock(&pool->mutex);
  pool->job = job;
  int shares = pool->num_workers + 1;
  for (int i = 0; i < shares; ++i) {
    atomic_store(&pool->shares[i].next, (int)((int64_t)size * i / shares));
    pool->shares[i].end = (int)((int64_t)size * (i + 1) / shares);
  }
  atomic_store(&pool->result, 0);
  pool->open = true;
  atomic_fetch_add(&pool->generation, 1);
  if (pool->sleepers > 0)
    pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->mutex);

  run_tasks(pool, &job, 0);

  pthread_mutex_lock(&pool->mutex);
  pool->open = false;
  pthread_mutex_unlock(&pool->mutex);
  if (!spin_until(pool, workers_done, 0)) {
    pthread_mutex_lock(&pool->mutex);
    pool->caller_waiting = true;
    while (atomic_load(&pool->active) > 0)
      pthread_cond_wait(&pool->idle, &pool->mutex);
    pool->caller_waiting = false;
    pthread_mutex_unlock(&pool->mutex);
  }
  int result = atomic_load(&pool->result);
  atomic_store_explicit(&pool->in_job, false, memory_order_relaxed);
  return result;
}
