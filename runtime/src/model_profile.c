//===- model_profile.c - Kernel timing of a model's runs ------------------===//

#include "model_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sora_status_t sora_model_set_profiling(sora_model_t *model, int32_t enabled) {
  if (!model)
    return SORA_STATUS_INVALID_ARGUMENT;
  if (enabled) {
    if (!model->profile)
      model->profile = sora_profile_create(model->abi->num_kernels);
    if (!model->profile)
      return sora_model_fail(model, SORA_STATUS_OUT_OF_MEMORY,
                             "cannot allocate the profile");
    sora_profile_reset(model->profile);
  }
  model->context.profiling = enabled != 0;
  return SORA_STATUS_OK;
}

int32_t sora_model_num_kernels(const sora_model_t *model) {
  return model ? (int32_t)model->abi->num_kernels : 0;
}

sora_status_t sora_model_kernel_profile(sora_model_t *model, int32_t index,
                                        sora_kernel_profile_t *out_profile) {
  if (!model || !out_profile)
    return SORA_STATUS_INVALID_ARGUMENT;
  if (index < 0 || index >= model->abi->num_kernels)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "kernel index %d is out of range [0, %d)",
                           (int)index, (int)model->abi->num_kernels);
  const sora_abi_model_t *abi = model->abi;
  const sora_abi_kernel_t *kernel = &abi->kernels[index];
  sora_kernel_profile_t profile = {.name = kernel->name,
                                   .particles = kernel->particles,
                                   .flops = kernel->flops,
                                   .bytes = kernel->bytes};
  if (abi->batch_at_run_time && model->run_samples > 0) {
    // Estimated for max_batch samples; scaled to the last run's.
    profile.flops = profile.flops / abi->max_batch * model->run_samples;
    profile.bytes = profile.bytes / abi->max_batch * model->run_samples;
  }
  if (model->profile)
    sora_profile_kernel(model->profile, index, &profile.calls,
                        &profile.total_ns, &profile.min_ns, &profile.median_ns);
  *out_profile = profile;
  return SORA_STATUS_OK;
}

sora_status_t sora_model_write_trace(sora_model_t *model, const char *path) {
  if (!model || !path)
    return SORA_STATUS_INVALID_ARGUMENT;
  if (!model->profile)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "nothing to trace: profiling was never enabled");
  const sora_abi_model_t *abi = model->abi;
  const char **names = calloc((size_t)abi->num_kernels + 1, sizeof(char *));
  const char **particles = calloc((size_t)abi->num_kernels + 1, sizeof(char *));
  FILE *out = names && particles ? fopen(path, "w") : NULL;
  int error = out ? 0 : errno ? errno : ENOMEM;
  if (out) {
    for (int64_t k = 0; k < abi->num_kernels; ++k) {
      names[k] = abi->kernels[k].name;
      particles[k] = abi->kernels[k].particles;
    }
    error = sora_profile_write_trace(model->profile, out, names, particles);
    if (fclose(out) != 0 && !error)
      error = errno;
  }
  free(names);
  free(particles);
  if (error)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "cannot write the trace '%s': %s", path,
                           strerror(error));
  return SORA_STATUS_OK;
}
