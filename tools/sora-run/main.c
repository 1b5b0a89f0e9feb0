//===- main.c - sora-run: run or benchmark a compiled model.so ------------===//
//
// Loads a model.so through its public C API (dlopen, so any model works
// without rebuilding), fills its inputs from .npy files or seeded random
// values, runs it, and prints, saves or benchmarks the outputs.
// Exit status: 0 success, 1 error, 2 usage error.
//
//===----------------------------------------------------------------------===//

#include "loader.h"
#include "npy.h"
#include "options.h"
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/// A loaded model with one buffer per input and output.
typedef struct session_t {
  sora_api_t api;
  sora_model_t *model;
  int32_t num_inputs, num_outputs;
  sora_tensor_info_t *input_info, *output_info;
  sora_tensor_t *inputs, *outputs;
  /// A model compiled with --max-batch (or --max-sequence): the most
  /// samples (tokens) a run takes, and how many the infos and tensors (their
  /// own dims) describe now, along each one's unit axis (unit_axis).
  int64_t max_units, units;
  bool sequence; ///< the units are tokens
  /// Whether an -i file set `units` (the others must agree).
  bool units_from_file;
} session_t;

static bool fail(const char *format, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("sora-run: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  return false;
}

static bool model_failed(session_t *s, sora_status_t status) {
  return fail("%s: %s", s->api.status_string(status),
              s->api.model_last_error(s->model));
}

/// Describes the tensors of one side of the signature and allocates them.
static bool allocate_tensors(session_t *s, bool outputs) {
  int32_t count = outputs ? s->num_outputs : s->num_inputs;
  sora_tensor_info_t *info = calloc((size_t)count + 1, sizeof(*info));
  sora_tensor_t *tensors = calloc((size_t)count + 1, sizeof(*tensors));
  *(outputs ? &s->output_info : &s->input_info) = info;
  *(outputs ? &s->outputs : &s->inputs) = tensors;
  if (!info || !tensors)
    return fail("out of memory");
  for (int32_t i = 0; i < count; ++i) {
    sora_status_t status = outputs
                               ? s->api.model_output_info(s->model, i, &info[i])
                               : s->api.model_input_info(s->model, i, &info[i]);
    if (status != SORA_STATUS_OK)
      return model_failed(s, status);
    size_t bytes = (info[i].byte_size + 63) & ~(size_t)63;
    tensors[i] = (sora_tensor_t){info[i].dtype, info[i].rank, info[i].dims,
                                 aligned_alloc(64, bytes ? bytes : 64)};
    if (!tensors[i].data)
      return fail("out of memory for %s '%s'", outputs ? "output" : "input",
                  info[i].name);
    if (s->max_units) { // its own dims, whose units set_units changes
      int64_t *dims = malloc(sizeof(int64_t) * (size_t)info[i].rank);
      if (!dims)
        return fail("out of memory");
      memcpy(dims, info[i].dims, sizeof(int64_t) * (size_t)info[i].rank);
      info[i].dims = tensors[i].dims = dims;
    }
  }
  return true;
}

/// The dimension of `info` that holds a run's units: the batch (the first)
/// or the sequence axis; -1 for none.
static int32_t unit_axis(const session_t *s, const sora_tensor_info_t *info) {
  if (!s->max_units || info->rank == 0)
    return -1;
  return s->sequence ? info->sequence_axis : 0;
}

/// Makes every input and output of a --max-batch (--max-sequence) model
/// hold `units` samples (tokens).
static bool set_units(session_t *s, int64_t units) {
  if (units < 1 || units > s->max_units)
    return fail(s->sequence ? "a sequence of %lld: the model was compiled for "
                              "1 to %lld tokens (--max-sequence)"
                            : "a batch of %lld: the model was compiled for 1 "
                              "to %lld samples (--max-batch)",
                (long long)units, (long long)s->max_units);
  for (int side = 0; side < 2; ++side) {
    int32_t count = side ? s->num_outputs : s->num_inputs;
    sora_tensor_info_t *info = side ? s->output_info : s->input_info;
    for (int32_t i = 0; i < count; ++i) {
      int32_t axis = unit_axis(s, &info[i]);
      if (axis < 0)
        continue;
      int64_t *dims = (int64_t *)info[i].dims;
      dims[axis] = dims[axis] / s->units * units;
      info[i].byte_size = info[i].byte_size / (size_t)s->units * units;
      info[i].num_elements = info[i].num_elements / s->units * units;
    }
  }
  s->units = units;
  return true;
}

static bool open_session(const options_t *options, session_t *s) {
  char error[512];
  if (!sora_api_load(options->model_path, &s->api, error, sizeof(error)))
    return fail("%s", error);
  sora_model_options_t model_options;
  s->api.model_options_initialize(&model_options);
  model_options.num_threads = options->num_threads;
  model_options.weights_path = options->weights_path;
  model_options.error_buffer = error;
  model_options.error_buffer_size = sizeof(error);
  sora_status_t status = s->api.model_create(&model_options, &s->model);
  if (status != SORA_STATUS_OK)
    return fail("%s: %s: %s", options->model_path, s->api.status_string(status),
                error);
  s->num_inputs = s->api.model_num_inputs(s->model);
  s->num_outputs = s->api.model_num_outputs(s->model);
  int64_t max_sequence = s->api.model_max_sequence(s->model);
  s->sequence = max_sequence > 0;
  s->max_units = s->sequence ? max_sequence : s->api.model_max_batch(s->model);
  s->units = s->max_units;
  if (options->batch && (!s->max_units || s->sequence))
    return fail("--batch applies to models compiled with --max-batch");
  if (options->sequence && !s->sequence)
    return fail("--sequence applies to models compiled with --max-sequence");
  int64_t units = options->batch ? options->batch : options->sequence;
  return allocate_tensors(s, false) && allocate_tensors(s, true) &&
         (!units || set_units(s, units));
}

static void close_session(session_t *s) {
  for (int32_t i = 0; s->inputs && i < s->num_inputs; ++i) {
    free(s->inputs[i].data);
    if (s->max_units)
      free((int64_t *)s->inputs[i].dims);
  }
  for (int32_t i = 0; s->outputs && i < s->num_outputs; ++i) {
    free(s->outputs[i].data);
    if (s->max_units)
      free((int64_t *)s->outputs[i].dims);
  }
  free(s->inputs);
  free(s->outputs);
  free(s->input_info);
  free(s->output_info);
  if (s->model)
    s->api.model_release(s->model);
  sora_api_unload(&s->api);
}

/// splitmix64: a tiny, well-mixed, reproducible generator.
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Uniform values in [-1, 1), one stream per input so that giving one input
/// from a file does not change the values generated for the others. Token
/// ids (i64) are all 0, the one id every embedding table has.
static void fill_random(const sora_tensor_info_t *info, void *data,
                        uint64_t seed, int32_t input_index) {
  if (info->dtype != SORA_DTYPE_F32) {
    memset(data, 0, info->byte_size);
    return;
  }
  float *values = data;
  uint64_t state = seed ^ (0xd1b54a32d192ed03ull * (uint64_t)(input_index + 1));
  for (int64_t i = 0; i < info->num_elements; ++i)
    values[i] = (float)(next_random(&state) >> 40) * 0x1p-23f - 1.0f;
}

static bool load_input(session_t *s, const input_file_t *file,
                       int64_t options_units) {
  int32_t index;
  if (s->api.model_find_input(s->model, file->name, &index) != SORA_STATUS_OK) {
    fprintf(stderr, "sora-run: %s; inputs:", s->api.model_last_error(s->model));
    for (int32_t i = 0; i < s->num_inputs; ++i)
      fprintf(stderr, "%s %s", i ? "," : "", s->input_info[i].name);
    fputc('\n', stderr);
    return false;
  }
  const sora_tensor_info_t *info = &s->input_info[index];
  npy_array_t array;
  char error[512];
  if (!npy_read(file->path, &array, error, sizeof(error)))
    return fail("%s", error);
  npy_dtype_t want_dtype = info->dtype == SORA_DTYPE_I64 ? NPY_I64 : NPY_F32;
  // A --max-batch (--max-sequence) model takes the file's batch (tokens),
  // unless --batch (--sequence) or another file chose one.
  int32_t axis = unit_axis(s, info);
  int64_t unit = axis >= 0 ? info->dims[axis] / s->units : 0;
  if (unit > 0 && !options_units && !s->units_from_file &&
      array.rank == info->rank && array.dtype == want_dtype &&
      array.dims[axis] % unit == 0 && array.dims[axis] / unit >= 1 &&
      array.dims[axis] / unit <= s->max_units) {
    s->units_from_file = set_units(s, array.dims[axis] / unit);
  }
  bool same = array.dtype == want_dtype && array.rank == info->rank;
  for (int32_t d = 0; same && d < info->rank; ++d)
    same = array.dims[d] == info->dims[d];
  if (same)
    memcpy(s->inputs[index].data, array.data, info->byte_size);
  else if (array.dtype != want_dtype) {
    fail("%s: dtype '%s' does not match input '%s' dtype '%s' (%s)", file->path,
         npy_dtype_descr(array.dtype), info->name, npy_dtype_descr(want_dtype),
         want_dtype == NPY_I64 ? "numpy.int64" : "numpy.float32");
  } else {
    char got[256], want[256];
    fail("%s: shape %s does not match input '%s' shape %s%s", file->path,
         npy_format_shape(got, sizeof(got), array.rank, array.dims), info->name,
         npy_format_shape(want, sizeof(want), info->rank, info->dims),
         !s->max_units ? ""
         : s->sequence ? " (the tokens of this run: --sequence or the first "
                         "-i file)"
                       : " (the batch of this run: --batch or the first -i "
                         "file)");
  }
  npy_array_free(&array);
  return same;
}

static bool fill_inputs(const options_t *options, session_t *s) {
  for (int32_t i = 0; i < s->num_inputs; ++i)
    fill_random(&s->input_info[i], s->inputs[i].data, options->seed, i);
  for (int i = 0; i < options->num_inputs; ++i)
    if (!load_input(s, &options->inputs[i],
                    options->batch ? options->batch : options->sequence))
      return false;
  return true;
}

static bool run_once(session_t *s) {
  sora_status_t status = s->api.model_run(s->model, s->inputs, s->num_inputs,
                                          s->outputs, s->num_outputs);
  return status == SORA_STATUS_OK || model_failed(s, status);
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

/// Writes `bytes` of `buffer` and reads a byte per page back, so that what
/// a run reads next comes from memory (the buffer is larger than the
/// last-level cache).
static void flush_caches(unsigned char *buffer, size_t bytes, int64_t run) {
  if (!buffer)
    return;
  memset(buffer, (int)(run & 0xff), bytes);
  volatile unsigned char sink = 0;
  for (size_t i = 0; i < bytes; i += 4096)
    sink ^= buffer[i];
  (void)sink;
}

static bool bench(const options_t *options, session_t *s) {
  int64_t n = options->bench_runs;
  int64_t warmup = n / 10 > 3 ? n / 10 : 3;
  size_t flush_bytes = (size_t)options->flush_mib << 20;
  unsigned char *flush = flush_bytes ? malloc(flush_bytes) : NULL;
  double *samples = malloc(sizeof(double) * (size_t)n);
  if (!samples || (flush_bytes && !flush)) {
    free(samples);
    free(flush);
    return fail("out of memory");
  }
  bool ok = true;
  for (int64_t i = 0; ok && i < warmup; ++i) {
    flush_caches(flush, flush_bytes, i);
    ok = run_once(s);
  }
  // Profiling covers the measured runs only.
  bool profiling = options->profile || options->trace_path;
  if (ok && profiling &&
      s->api.model_set_profiling(s->model, 1) != SORA_STATUS_OK)
    ok = fail("cannot profile: %s", s->api.model_last_error(s->model));
  double total_us = 0;
  for (int64_t i = 0; ok && i < n; ++i) {
    flush_caches(flush, flush_bytes, i);
    double start = now_us();
    ok = run_once(s);
    samples[i] = now_us() - start;
    total_us += samples[i];
  }
  if (ok && profiling)
    s->api.model_set_profiling(s->model, 0);
  if (ok && options->trace_path &&
      s->api.model_write_trace(s->model, options->trace_path) != SORA_STATUS_OK)
    ok = fail("%s", s->api.model_last_error(s->model));
  if (ok && options->profile)
    report_profile(&s->api, s->model, total_us, n, options->json);
  if (ok)
    report_bench(samples, n, s->api.model_num_threads(s->model), options->json);
  free(samples);
  free(flush);
  return ok;
}

/// mkdir -p.
static bool make_directories(const char *path) {
  char *copy = strdup(path);
  if (!copy)
    return fail("out of memory");
  bool ok = true;
  for (char *p = copy + 1; ok; ++p) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(copy, 0777) != 0 && errno != EEXIST)
      ok = fail("cannot create %s: %s", copy, strerror(errno));
    *p = saved;
    if (saved == '\0')
      break;
  }
  struct stat st;
  if (ok && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
    ok = fail("%s is not a directory", path);
  free(copy);
  return ok;
}

/// The file output `name` is written to in `dir`: the name with characters
/// other than [A-Za-z0-9_.-] (and a leading dot) replaced by '_'.
static void output_path(const char *dir, const char *name, char *path,
                        size_t size) {
  int length = snprintf(path, size, "%s/", dir);
  for (const char *c = name; *c && length < (int)size - 5; ++c) {
    bool plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' ||
                 (*c == '.' && c != name);
    path[length++] = plain ? *c : '_';
  }
  snprintf(path + length, size - (size_t)length, ".npy");
}

static bool write_outputs(const char *dir, session_t *s) {
  // Two names that map to one file would lose an output: refuse before
  // writing anything.
  for (int32_t i = 0; i < s->num_outputs; ++i)
    for (int32_t j = 0; j < i; ++j) {
      char a[4096], b[4096];
      output_path(dir, s->output_info[i].name, a, sizeof(a));
      output_path(dir, s->output_info[j].name, b, sizeof(b));
      if (strcmp(a, b) == 0)
        return fail("outputs '%s' and '%s' would both be written to %s; "
                    "print them without -o",
                    s->output_info[j].name, s->output_info[i].name, a);
    }
  if (!make_directories(dir))
    return false;
  for (int32_t i = 0; i < s->num_outputs; ++i) {
    char path[4096];
    output_path(dir, s->output_info[i].name, path, sizeof(path));
    char error[512];
    if (!npy_write_f32(path, s->output_info[i].rank, s->output_info[i].dims,
                       s->outputs[i].data, error, sizeof(error)))
      return fail("%s", error);
  }
  return true;
}

static bool run_tool(const options_t *options) {
  session_t s = {0};
  bool ok = open_session(options, &s) && fill_inputs(options, &s) &&
            (options->bench_runs > 0 ? bench(options, &s) : run_once(&s));
  if (ok && options->output_dir)
    ok = write_outputs(options->output_dir, &s);
  for (int32_t i = 0; ok && options->top_k > 0 && i < s.num_outputs; ++i)
    report_top_k(&s.output_info[i], s.outputs[i].data, options->top_k);
  bool summary =
      !options->output_dir && !options->top_k && !options->bench_runs;
  for (int32_t i = 0; ok && summary && i < s.num_outputs; ++i)
    report_values(&s.output_info[i], s.outputs[i].data);
  close_session(&s);
  return ok;
}

int main(int argc, char **argv) {
  options_t options;
  bool parsed = options_parse(argc, argv, &options);
  bool ok = parsed && run_tool(&options);
  options_free(&options);
  return ok ? 0 : parsed ? 1 : 2;
}
