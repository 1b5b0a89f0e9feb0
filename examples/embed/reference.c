//===- reference.c - Outputs checked against reference files -------------===//

#include "reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int check_output(const char *label, const float *values, size_t count,
                 const char *reference_dir, const char *file) {
  printf("%s:", label);
  for (size_t i = 0; i < count; ++i)
    printf(" %.6g", values[i]);
  printf("\n");
  if (!reference_dir)
    return 0;

  char path[4096];
  snprintf(path, sizeof(path), "%s/%s", reference_dir, file);
  FILE *in = fopen(path, "r");
  if (!in) {
    printf("  cannot read the reference %s\n", path);
    return 1;
  }
  double *want = calloc(count + 1, sizeof(double));
  size_t read = 0;
  while (want && read <= count && fscanf(in, "%lf", &want[read]) == 1)
    ++read;
  fclose(in);
  if (!want || read != count) {
    printf("  %s holds %zu values, expected %zu\n", path, read, count);
    free(want);
    return 1;
  }
  double scale = 1.0, error = 0.0;
  for (size_t i = 0; i < count; ++i)
    scale = fmax(scale, fabs(want[i]));
  int match = 1;
  for (size_t i = 0; i < count; ++i) {
    double e = fabs((double)values[i] - want[i]) / scale;
    match &= e <= 1e-4; // false for NaN
    error = fmax(error, e);
  }
  free(want);
  printf("  %s %s (relative error %.2g)\n",
         match ? "matches" : "DOES NOT MATCH", file, error);
  return match ? 0 : 1;
}
