//===- report.h - What sora-run prints --------------------------*- C -*-===//
#ifndef SORA_RUN_REPORT_H
#define SORA_RUN_REPORT_H

#include "loader.h"
#include "sora/runtime.h"

#include <stdbool.h>
#include <stdint.h>

/// Prints "name: f32[2,3] = v0, v1, …" with the first few values.
void report_values(const sora_tensor_info_t *info, const float *data);

/// Prints "name: top-K = i (v), …": the K largest values of the first row
/// along the last axis, largest first (ties: lower index first).
void report_top_k(const sora_tensor_info_t *info, const float *data, int64_t k);

/// Sorts `samples_us` and prints median, p10 and p90 — as one JSON line
/// {"median_us":…,"p10_us":…,"p90_us":…,"n":…,"threads":…} if `json`.
void report_bench(double *samples_us, int64_t n, int32_t threads, bool json);

/// Prints the profile of `model`'s kernels after runs totalling
/// `run_total_us`: per kernel its calls, median, share of the runs, GFLOP/s
/// and GB/s (at the median, from the compiler's estimates) and particles;
/// then what the runs spent outside kernels.
/// The per-kernel profile: a table, or with `json` one JSON line
/// {"kernels":[{"name","calls","median_us"}...],"other_us"}.
void report_profile(const sora_api_t *api, sora_model_t *model,
                    double run_total_us, int64_t runs, bool json);

#endif // SORA_RUN_REPORT_H
