//===- embed_model.c - Embedding a soracc model.so in a C application -----===//
//
// Creates the model, prints its signature, fills every input, runs once,
// prints the start of every output and releases everything. Works with any
// model.so: it only uses what the model says about itself.
//
//===----------------------------------------------------------------------===//

#include "sora/runtime.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/// Prints "input 'x' [2,3]".
static void print_tensor(const char *kind, const sora_tensor_info_t *info) {
  printf("%s '%s' [", kind, info->name);
  for (int32_t d = 0; d < info->rank; ++d)
    printf("%s%lld", d ? "," : "", (long long)info->dims[d]);
  printf("]");
}

/// Describes `count` tensors of one side and gives each a 64-byte aligned
/// buffer. Returns false on failure, with the message already printed.
static bool prepare(sora_model_t *model, bool outputs, int32_t count,
                    sora_tensor_info_t *info, sora_tensor_t *tensors) {
  for (int32_t i = 0; i < count; ++i) {
    sora_status_t status = outputs ? sora_model_output_info(model, i, &info[i])
                                   : sora_model_input_info(model, i, &info[i]);
    if (status != SORA_STATUS_OK) {
      fprintf(stderr, "%s\n", sora_model_last_error(model));
      return false;
    }
    size_t bytes = (info[i].byte_size + 63) / 64 * 64;
    tensors[i] = (sora_tensor_t){info[i].dtype, info[i].rank, info[i].dims,
                                 aligned_alloc(64, bytes ? bytes : 64)};
    if (!tensors[i].data) {
      fprintf(stderr, "out of memory\n");
      return false;
    }
  }
  return true;
}

int main(void) {
  char error[256];
  sora_model_options_t options;
  sora_model_options_initialize(&options);
  options.num_threads = 0; // All CPUs.
  options.error_buffer = error;
  options.error_buffer_size = sizeof(error);

  sora_model_t *model = NULL;
  sora_status_t status = sora_model_create(&options, &model);
  if (status != SORA_STATUS_OK) {
    fprintf(stderr, "cannot create the model: %s: %s\n",
            sora_status_string(status), error);
    return 1;
  }
  printf("model '%s' for %s on %d threads\n", sora_model_name(model),
         sora_model_target(model), (int)sora_model_num_threads(model));

  int32_t num_inputs = sora_model_num_inputs(model);
  int32_t num_outputs = sora_model_num_outputs(model);
  sora_tensor_info_t *info =
      calloc((size_t)(num_inputs + num_outputs) + 1, sizeof(*info));
  sora_tensor_t *tensors =
      calloc((size_t)(num_inputs + num_outputs) + 1, sizeof(*tensors));
  sora_tensor_t *inputs = tensors, *outputs = tensors + num_inputs;
  bool ok = info && tensors &&
            prepare(model, false, num_inputs, info, inputs) &&
            prepare(model, true, num_outputs, info + num_inputs, outputs);

  if (ok) {
    for (int32_t i = 0; i < num_inputs; ++i) {
      print_tensor("input", &info[i]);
      printf("\n");
      for (int64_t e = 0; e < info[i].num_elements; ++e) {
        if (info[i].dtype == SORA_DTYPE_I64) // token ids: any vocabulary
          ((int64_t *)inputs[i].data)[e] = e % 2;
        else
          ((float *)inputs[i].data)[e] = 0.01f * (float)(e % 100);
      }
    }
    status = sora_model_run(model, inputs, num_inputs, outputs, num_outputs);
    if (status != SORA_STATUS_OK) {
      fprintf(stderr, "run failed: %s: %s\n", sora_status_string(status),
              sora_model_last_error(model));
      ok = false;
    }
  }
  for (int32_t i = 0; ok && i < num_outputs; ++i) {
    const sora_tensor_info_t *out = &info[num_inputs + i];
    const float *data = outputs[i].data;
    print_tensor("output", out);
    printf(" =");
    for (int64_t e = 0; e < out->num_elements && e < 4; ++e)
      printf(" %g", data[e]);
    printf("%s\n", out->num_elements > 4 ? " ..." : "");
  }

  for (int32_t i = 0; tensors && i < num_inputs + num_outputs; ++i)
    free(tensors[i].data);
  free(tensors);
  free(info);
  sora_model_release(model);
  return ok ? 0 : 1;
}
