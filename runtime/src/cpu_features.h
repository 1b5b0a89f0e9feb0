//===- cpu_features.h - Host CPU feature checks -----------------*- C -*-===//
#ifndef SORA_RUNTIME_CPU_FEATURES_H
#define SORA_RUNTIME_CPU_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Checks a comma-separated list of feature names (e.g. "avx2,fma,avx512f")
/// against the host, including OS support for the AVX/AVX-512 register state
/// on x86-64. Returns true when every feature is present. Otherwise writes the
/// reason into `why`: "missing avx512fp16, avx512bf16" or
/// "unknown CPU feature 'foo'".
bool sora_cpu_supports(const char *features, char *why, size_t why_size);

#ifdef __cplusplus
}
#endif

#endif // SORA_RUNTIME_CPU_FEATURES_H
