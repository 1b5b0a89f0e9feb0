// The machine's fp32 peak, measured: independent fused multiply-add chains
// in the widest vectors this CPU has (AVX-512 where it has it, else AVX2),
// on 1 and on 2 threads. bench/run.py divides each model's GFLOP/s by it.
//
//   cc -O2 -pthread bench/peak_flops.c -o peak_flops && ./peak_flops
//
// Prints one JSON line: {"isa": "avx2", "gflops_t1": ..., "gflops_t2": ...}.
#include <pthread.h>
#include <stdio.h>
#include <time.h>

// Defines NAME(sink): CHAINS independent chains of fused multiply-adds on
// LANES-float vectors, compiled for TARGET; returns the flops it did. Enough
// chains cover FMA latency x issue width; few enough stay in registers with
// the two constants (16 ymm, 32 zmm registers). GNU C contracts a * b + c.
#define DEFINE_FMA_CHAINS(NAME, TARGET, LANES, CHAINS)                         \
  __attribute__((target(TARGET))) static double NAME(float *sink) {            \
    typedef float vec __attribute__((vector_size(4 * LANES)));                 \
    vec acc[CHAINS];                                                           \
    const vec a = (vec){0} + 0.999999f, b = (vec){0} + 1e-7f;                  \
    _Pragma("GCC unroll 32") for (int c = 0; c < CHAINS; ++c) acc[c] =         \
        (vec){0} + (float)c;                                                   \
    for (long i = 0; i < kIterations; ++i)                                     \
      _Pragma("GCC unroll 32") for (int c = 0; c < CHAINS; ++c) acc[c] =       \
          acc[c] * a + b;                                                      \
    for (int c = 1; c < CHAINS; ++c)                                           \
      acc[0] += acc[c];                                                        \
    for (int l = 0; l < LANES; ++l)                                            \
      sink[l] = acc[0][l];                                                     \
    return 2.0 * LANES * CHAINS * (double)kIterations;                         \
  }

enum { kIterations = 50 * 1000 * 1000 };
DEFINE_FMA_CHAINS(fmaChains256, "avx2,fma", 8, 12)
DEFINE_FMA_CHAINS(fmaChains512, "avx512f", 16, 24)

static int hasAvx512;

static void *worker(void *result) {
  float sink[16];
  *(double *)result = hasAvx512 ? fmaChains512(sink) : fmaChains256(sink);
  return sink[0] == 12345.f ? result : NULL; // never true; uses sink
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// GFLOP/s of `threads` threads running the chains at once; best of 3.
static double gflops(int threads) {
  double best = 0;
  for (int round = 0; round < 3; ++round) {
    pthread_t ids[2];
    double flops[2];
    double start = now();
    for (int t = 0; t < threads; ++t)
      pthread_create(&ids[t], NULL, worker, &flops[t]);
    double total = 0;
    for (int t = 0; t < threads; ++t) {
      pthread_join(ids[t], NULL);
      total += flops[t];
    }
    double rate = total / (now() - start) / 1e9;
    best = rate > best ? rate : best;
  }
  return best;
}

int main(void) {
  __builtin_cpu_init();
  hasAvx512 = __builtin_cpu_supports("avx512f");
  printf("{\"isa\": \"%s\", \"gflops_t1\": %.1f, \"gflops_t2\": %.1f}\n",
         hasAvx512 ? "avx512" : "avx2", gflops(1), gflops(2));
  return 0;
}
