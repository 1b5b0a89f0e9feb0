/*===- reference.h - Outputs checked against reference files --------------===*
 *
 * Shared by the example applications: prints a model output and, given a
 * directory of reference files, compares it with <dir>/<file> (whitespace-
 * separated numbers, as test/embed/check_embed_example.py writes them from
 * PyTorch).
 *===----------------------------------------------------------------------===*/
#ifndef SORA_EMBED_REFERENCE_H
#define SORA_EMBED_REFERENCE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Prints "<label>: v0 v1 ..." and, when `reference_dir` is not NULL,
 * whether `values` match <reference_dir>/<file> within a relative error of
 * 1e-4 (max |ours - ref| / max(1, max |ref|)). Returns 0 if they match or
 * there is nothing to compare with, 1 otherwise. */
int check_output(const char *label, const float *values, size_t count,
                 const char *reference_dir, const char *file);

#ifdef __cplusplus
}
#endif

#endif /* SORA_EMBED_REFERENCE_H */
