//===- options.c - sora-run's command line --------------------------------===//

#include "options.h"

#include "sora/Support/Version.h"
#include "sora/kernel_abi.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char kUsage[] =
    "usage: sora-run MODEL.so [-i NAME=FILE.npy]... [-o OUTDIR] [--threads N]\n"
    "                [--bench N [--flush MIB]] [--json] [--seed S] [--top K]\n"
    "                [--weights FILE] [--profile] [--trace FILE] [--batch B]\n"
    "                [--sequence S] [--version]\n"
    "\n"
    "Runs a model compiled by soracc once (or N times with --bench).\n"
    "  -i NAME=FILE.npy  input NAME from a C-order .npy file (float32, or\n"
    "                    int64 for token ids); inputs not given get seeded\n"
    "                    uniform values in [-1, 1), token ids 0\n"
    "  -o OUTDIR         write each output to OUTDIR/<name>.npy\n"
    "  --threads N       threads, the caller included (default 0: all CPUs)\n"
    "  --bench N         time N runs after max(3, N/10) warm-up runs\n"
    "  --flush MIB       before each run, write MIB MiB of memory (evicts\n"
    "                    the caches: weights come from memory, as in a\n"
    "                    whole model)\n"
    "  --json            print the benchmark (and the profile) as one JSON\n"
    "                    line (each)\n"
    "  --seed S          seed for generated inputs (default 0)\n"
    "  --top K           print the K largest values of each output's first\n"
    "                    row along its last axis\n"
    "  --weights FILE    the weights file of a model compiled with\n"
    "                    --weights-external (default: the one beside it)\n"
    "  --profile         time every kernel during the runs (--bench N, else\n"
    "                    100 runs) and print a per-kernel profile\n"
    "  --trace FILE      write those runs' kernel calls (and each thread's\n"
    "                    part of them) as a Chrome/Perfetto trace (JSON)\n"
    "  --batch B         samples per run of a model compiled with --max-batch\n"
    "                    (default: the -i files' batch, else the largest)\n"
    "  --sequence S      tokens per run of a model compiled with\n"
    "                    --max-sequence (default: the -i files', else the "
    "most)\n";

static bool usage_error(const char *format, const char *argument) {
  fputs("sora-run: ", stderr);
  fprintf(stderr, format, argument);
  fprintf(stderr, "\n%s", kUsage);
  return false;
}

/// Parses a decimal integer in [min, max].
static bool parse_int(const char *text, long long min, long long max,
                      long long *out) {
  char *end;
  errno = 0;
  long long value = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
    return false;
  *out = value;
  return true;
}

static bool add_input(options_t *options, char *argument) {
  char *equals = strchr(argument, '=');
  if (!equals || equals == argument || equals[1] == '\0')
    return usage_error("-i expects NAME=FILE.npy, got '%s'", argument);
  *equals = '\0';
  for (int i = 0; i < options->num_inputs; ++i)
    if (strcmp(options->inputs[i].name, argument) == 0)
      return usage_error("input '%s' given twice", argument);
  input_file_t *inputs =
      realloc(options->inputs,
              sizeof(input_file_t) * (size_t)(options->num_inputs + 1));
  if (!inputs)
    return usage_error("%s", "out of memory");
  options->inputs = inputs;
  options->inputs[options->num_inputs++] = (input_file_t){argument, equals + 1};
  return true;
}

enum {
  OPT_THREADS = 256,
  OPT_BENCH,
  OPT_FLUSH,
  OPT_JSON,
  OPT_SEED,
  OPT_TOP,
  OPT_WEIGHTS,
  OPT_VERSION,
  OPT_PROFILE,
  OPT_TRACE,
  OPT_BATCH,
  OPT_SEQUENCE,
  OPT_HELP
};

bool options_parse(int argc, char **argv, options_t *out) {
  static const struct option kLong[] = {
      {"threads", required_argument, NULL, OPT_THREADS},
      {"bench", required_argument, NULL, OPT_BENCH},
      {"flush", required_argument, NULL, OPT_FLUSH},
      {"json", no_argument, NULL, OPT_JSON},
      {"seed", required_argument, NULL, OPT_SEED},
      {"top", required_argument, NULL, OPT_TOP},
      {"weights", required_argument, NULL, OPT_WEIGHTS},
      {"version", no_argument, NULL, OPT_VERSION},
      {"profile", no_argument, NULL, OPT_PROFILE},
      {"trace", required_argument, NULL, OPT_TRACE},
      {"batch", required_argument, NULL, OPT_BATCH},
      {"sequence", required_argument, NULL, OPT_SEQUENCE},
      {"help", no_argument, NULL, OPT_HELP},
      {NULL, 0, NULL, 0},
  };
  memset(out, 0, sizeof(*out));
  opterr = 0;
  long long value;
  for (int option;
       (option = getopt_long(argc, argv, ":i:o:h", kLong, NULL)) != -1;) {
    switch (option) {
    case 'i':
      if (!add_input(out, optarg))
        return false;
      break;
    case 'o':
      out->output_dir = optarg;
      break;
    case OPT_THREADS:
      if (!parse_int(optarg, 0, 1024, &value))
        return usage_error("--threads expects 0..1024, got '%s'", optarg);
      out->num_threads = (int32_t)value;
      break;
    case OPT_BENCH:
      if (!parse_int(optarg, 1, 100000000, &value))
        return usage_error("--bench expects a positive count, got '%s'",
                           optarg);
      out->bench_runs = value;
      break;
    case OPT_FLUSH:
      if (!parse_int(optarg, 1, 4096, &value))
        return usage_error("--flush expects 1..4096 MiB, got '%s'", optarg);
      out->flush_mib = value;
      break;
    case OPT_JSON:
      out->json = true;
      break;
    case OPT_SEED:
      if (!parse_int(optarg, 0, INT64_MAX, &value))
        return usage_error("--seed expects a non-negative integer, got '%s'",
                           optarg);
      out->seed = (uint64_t)value;
      break;
    case OPT_TOP:
      if (!parse_int(optarg, 1, INT32_MAX, &value))
        return usage_error("--top expects a positive count, got '%s'", optarg);
      out->top_k = value;
      break;
    case OPT_WEIGHTS:
      out->weights_path = optarg;
      break;
    case OPT_PROFILE:
      out->profile = true;
      break;
    case OPT_TRACE:
      out->trace_path = optarg;
      break;
    case OPT_BATCH:
    case OPT_SEQUENCE:
      if (!parse_int(optarg, 1, INT32_MAX, &value))
        return usage_error(option == OPT_BATCH
                               ? "--batch expects a positive count, got '%s'"
                               : "--sequence expects a positive count, got "
                                 "'%s'",
                           optarg);
      *(option == OPT_BATCH ? &out->batch : &out->sequence) = value;
      break;
    case OPT_VERSION:
      printf("sora-run " SORA_VERSION " (runtime ABI %d)\n", SORA_ABI_VERSION);
      exit(0);
    case 'h':
    case OPT_HELP:
      fputs(kUsage, stdout);
      exit(0);
    case ':':
      return usage_error("option '%s' needs a value", argv[optind - 1]);
    default:
      return usage_error("unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind != argc - 1)
    return usage_error("%s", optind >= argc ? "missing MODEL.so"
                                            : "expected exactly one MODEL.so");
  out->model_path = argv[optind];
  if (out->json && out->bench_runs == 0)
    return usage_error("%s", "--json needs --bench");
  if (out->flush_mib && out->bench_runs == 0)
    return usage_error("%s", "--flush needs --bench");
  if ((out->profile || out->trace_path) && out->bench_runs == 0)
    out->bench_runs = 100; // a profile of one run says little
  return true;
}

void options_free(options_t *options) {
  free(options->inputs);
  options->inputs = NULL;
}
