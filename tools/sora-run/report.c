//===- report.c - What sora-run prints ------------------------------------===//

#include "report.h"

#include <stdio.h>
#include <stdlib.h>

/// Values printed by report_values.
#define PRINTED_VALUES 8

static void print_shape(const sora_tensor_info_t *info) {
  printf("f32[");
  for (int32_t d = 0; d < info->rank; ++d)
    printf("%s%lld", d ? "," : "", (long long)info->dims[d]);
  printf("]");
}

void report_values(const sora_tensor_info_t *info, const float *data) {
  printf("%s: ", info->name);
  print_shape(info);
  printf(" =");
  int64_t count =
      info->num_elements < PRINTED_VALUES ? info->num_elements : PRINTED_VALUES;
  for (int64_t i = 0; i < count; ++i)
    printf("%s %g", i ? "," : "", data[i]);
  printf("%s\n", info->num_elements > count ? ", ..." : "");
}

/// Whether `a` ranks before `b`: larger first, NaN last.
static bool ranks_before(float a, float b) {
  return a > b || (b != b && a == a);
}

void report_top_k(const sora_tensor_info_t *info, const float *data,
                  int64_t k) {
  int64_t row = info->rank > 0 ? info->dims[info->rank - 1] : 1;
  if (k > row)
    k = row;
  bool *taken = calloc((size_t)row + 1, sizeof(bool));
  if (!taken)
    return;
  printf("%s: top-%lld =", info->name, (long long)k);
  for (int64_t rank = 0; rank < k; ++rank) {
    int64_t best = -1;
    for (int64_t i = 0; i < row; ++i)
      if (!taken[i] && (best < 0 || ranks_before(data[i], data[best])))
        best = i;
    taken[best] = true;
    printf("%s %lld (%g)", rank ? "," : "", (long long)best, data[best]);
  }
  printf("\n");
  free(taken);
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/// Linear interpolation between the closest ranks (NumPy's default).
static double percentile(const double *sorted, int64_t n, double q) {
  double position = q * (double)(n - 1);
  int64_t low = (int64_t)position;
  if (low + 1 >= n)
    return sorted[n - 1];
  return sorted[low] +
         (sorted[low + 1] - sorted[low]) * (position - (double)low);
}

void report_bench(double *samples_us, int64_t n, int32_t threads, bool json) {
  qsort(samples_us, (size_t)n, sizeof(double), compare_doubles);
  double median = percentile(samples_us, n, 0.5);
  double p10 = percentile(samples_us, n, 0.1);
  double p90 = percentile(samples_us, n, 0.9);
  if (json)
    printf("{\"median_us\":%.3f,\"p10_us\":%.3f,\"p90_us\":%.3f,\"n\":%lld,"
           "\"threads\":%d}\n",
           median, p10, p90, (long long)n, (int)threads);
  else
    printf("bench: n=%lld threads=%d median_us=%.3f p10_us=%.3f "
           "p90_us=%.3f\n",
           (long long)n, (int)threads, median, p10, p90);
}

/// The profile as one JSON line: each kernel's name, calls and median.
static void report_profile_json(const sora_api_t *api, sora_model_t *model,
                                double run_total_us, int64_t runs) {
  int32_t kernels = api->model_num_kernels(model);
  double kernel_total_us = 0;
  printf("{\"kernels\":[");
  for (int32_t k = 0, printed = 0; k < kernels; ++k) {
    sora_kernel_profile_t p;
    if (api->model_kernel_profile(model, k, &p) != SORA_STATUS_OK)
      continue;
    kernel_total_us += (double)p.total_ns / 1000.0;
    // Kernel names are C symbols: nothing in them needs escaping.
    printf("%s{\"name\":\"%s\",\"calls\":%lld,\"median_us\":%.3f}",
           printed++ ? "," : "", p.name, (long long)p.calls,
           (double)p.median_ns / 1000.0);
  }
  double other = run_total_us - kernel_total_us;
  printf("],\"other_us\":%.3f}\n",
         runs && other > 0 ? other / (double)runs : 0.0);
}

void report_profile(const sora_api_t *api, sora_model_t *model,
                    double run_total_us, int64_t runs, bool json) {
  if (json) {
    report_profile_json(api, model, run_total_us, runs);
    return;
  }
  int32_t kernels = api->model_num_kernels(model);
  printf("profile: %d kernels over %lld runs\n", (int)kernels, (long long)runs);
  printf("  %-10s %7s %10s %6s %8s %7s  %s\n", "kernel", "calls", "median_us",
         "%run", "GFLOP/s", "GB/s", "particles");
  double kernel_total_us = 0;
  for (int32_t k = 0; k < kernels; ++k) {
    sora_kernel_profile_t p;
    if (api->model_kernel_profile(model, k, &p) != SORA_STATUS_OK)
      continue;
    double median_us = (double)p.median_ns / 1000.0;
    double share = run_total_us > 0
                       ? 100.0 * (double)p.total_ns / 1000.0 / run_total_us
                       : 0.0;
    kernel_total_us += (double)p.total_ns / 1000.0;
    // flops / ns = GFLOP/s; bytes / ns = GB/s.
    double gflops = p.median_ns ? (double)p.flops / (double)p.median_ns : 0;
    double gbytes = p.median_ns ? (double)p.bytes / (double)p.median_ns : 0;
    printf("  %-10s %7lld %10.3f %6.1f %8.2f %7.2f  %s\n", p.name,
           (long long)p.calls, median_us, share, gflops, gbytes, p.particles);
  }
  double other = run_total_us - kernel_total_us;
  printf("  %-10s %7s %10.3f %6.1f %8s %7s  %s\n", "(other)", "",
         runs ? (other > 0 ? other : 0) / (double)runs : 0.0,
         run_total_us > 0 ? 100.0 * (other > 0 ? other : 0) / run_total_us
                          : 0.0,
         "", "", "driver, output copies, profiling (mean per run)");
}
