//===- options.h - sora-run's command line ----------------------*- C -*-===//
#ifndef SORA_RUN_OPTIONS_H
#define SORA_RUN_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

/// One `-i NAME=FILE.npy`.
typedef struct input_file_t {
  const char *name; ///< Points into argv (the '=' is replaced by '\0').
  const char *path;
} input_file_t;

typedef struct options_t {
  const char *model_path;
  input_file_t *inputs; ///< Owned; free with options_free.
  int num_inputs;
  const char *output_dir; ///< NULL: do not write outputs.
  int32_t num_threads;    ///< 0: all CPUs.
  int64_t bench_runs;     ///< 0: no benchmark.
  int64_t flush_mib;      ///< >0: write this many MiB before each run.
  bool json;
  uint64_t seed;
  int64_t top_k;            ///< 0: no top-K report.
  const char *weights_path; ///< NULL: the model's own weights (file).
  bool profile;             ///< Print a per-kernel profile of the runs.
  const char *trace_path;   ///< Write a Chrome trace of the runs there.
  int64_t batch; ///< --batch: samples per run (0: the inputs' or the most).
  /// --sequence: tokens per run (0: the inputs' or the most).
  int64_t sequence;
} options_t;

/// Parses argv. On a usage error prints it with the usage to stderr and
/// returns false.
bool options_parse(int argc, char **argv, options_t *out);

void options_free(options_t *options);

#endif // SORA_RUN_OPTIONS_H
