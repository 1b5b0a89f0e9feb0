//===- model_run.c - Argument checks and one run of the graph driver ------===//

#include "model_internal.h"

#include <stdio.h>

/// Upper bound on dimensions printed in a message.
#define MAX_PRINTED_DIMS 8

/// Writes "[1,28,28,1]" (or "[1,2,…]" past MAX_PRINTED_DIMS) into `buffer`.
static const char *format_shape(char *buffer, size_t size, int64_t rank,
                                const int64_t *dims) {
  size_t used = (size_t)snprintf(buffer, size, "[");
  for (int64_t d = 0; d < rank && used < size; ++d) {
    if (d == MAX_PRINTED_DIMS) {
      used += (size_t)snprintf(buffer + used, size - used, ",...");
      break;
    }
    used += (size_t)snprintf(buffer + used, size - used, "%s%lld", d ? "," : "",
                             (long long)dims[d]);
  }
  if (used < size)
    snprintf(buffer + used, size - used, "]");
  return buffer;
}

/// `expected`'s extent along `d` in a run of `units`: samples in the first
/// dimension of a --max-batch model, tokens along the sequence axis of a
/// --max-sequence one.
static int64_t run_extent(const sora_abi_model_t *abi,
                          const sora_abi_tensor_t *expected, int64_t d,
                          int64_t units) {
  if (d == 0 && abi->max_batch)
    return expected->dims[0] / abi->max_batch * units;
  if (abi->max_sequence && d == expected->sequence_axis)
    return expected->dims[d] / abi->max_sequence * units;
  return expected->dims[d];
}

/// Whether `actual` has the shape `expected` describes in a run of `units`.
static bool same_shape(const sora_abi_model_t *abi,
                       const sora_abi_tensor_t *expected,
                       const sora_tensor_t *actual, int64_t units) {
  if (actual->rank != expected->rank)
    return false;
  for (int64_t d = 0; d < expected->rank; ++d) {
    int64_t extent = run_extent(abi, expected, d, units);
    if (actual->dims[d] != extent)
      return false;
  }
  return true;
}

static sora_status_t check_tensor(sora_model_t *model, const char *kind,
                                  const sora_abi_tensor_t *expected,
                                  const sora_tensor_t *actual) {
  const sora_abi_model_t *abi = model->abi;
  const char *name = expected->name;
  if (actual->rank < 0 || (actual->rank > 0 && !actual->dims))
    return sora_model_fail(
        model, SORA_STATUS_INVALID_ARGUMENT, "%s '%s': rank %d with %s dims",
        kind, name, (int)actual->rank, actual->dims ? "non-NULL" : "NULL");
  if (actual->dtype != expected->dtype)
    return sora_model_fail(model, SORA_STATUS_DTYPE_MISMATCH,
                           "%s '%s': expected dtype %s, got %s (code %d)", kind,
                           name, sora_dtype_name(expected->dtype),
                           sora_dtype_name(actual->dtype), (int)actual->dtype);
  if (!same_shape(abi, expected, actual, model->run_samples)) {
    char want[128], got[128];
    format_shape(want, sizeof(want), expected->rank, expected->dims);
    format_shape(got, sizeof(got), actual->rank, actual->dims);
    if (abi->max_batch)
      return sora_model_fail(
          model, SORA_STATUS_SHAPE_MISMATCH,
          "%s '%s': expected shape %s for %lld of at most %lld samples "
          "(the first dimension), got %s",
          kind, name, want, (long long)model->run_samples,
          (long long)abi->max_batch, got);
    if (abi->max_sequence && expected->sequence_axis >= 0)
      return sora_model_fail(
          model, SORA_STATUS_SHAPE_MISMATCH,
          "%s '%s': expected shape %s for %lld of at most %lld tokens "
          "(dimension %lld), got %s",
          kind, name, want, (long long)model->run_samples,
          (long long)abi->max_sequence, (long long)expected->sequence_axis,
          got);
    return sora_model_fail(model, SORA_STATUS_SHAPE_MISMATCH,
                           "%s '%s': expected shape %s, got %s", kind, name,
                           want, got);
  }
  if (!actual->data)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "%s '%s': data is NULL", kind, name);
  return SORA_STATUS_OK;
}

static sora_status_t check_tensors(sora_model_t *model, const char *kind,
                                   const sora_abi_tensor_t *expected,
                                   int64_t expected_count,
                                   const sora_tensor_t *actual,
                                   int32_t actual_count, void **out_pointers) {
  if (actual_count != expected_count)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "model '%s' expects %lld %ss, got %d",
                           model->abi->name, (long long)expected_count, kind,
                           (int)actual_count);
  if (actual_count > 0 && !actual)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT, "%ss is NULL",
                           kind);
  for (int32_t i = 0; i < actual_count; ++i) {
    sora_status_t status = check_tensor(model, kind, &expected[i], &actual[i]);
    if (status != SORA_STATUS_OK)
      return status;
    out_pointers[i] = actual[i].data;
  }
  return SORA_STATUS_OK;
}

/// The tokens of a --max-sequence model's run, from the first input with a
/// sequence axis: 1 to max_sequence; the shape checks then hold every
/// tensor to it.
static sora_status_t count_tokens(sora_model_t *model,
                                  const sora_tensor_t *inputs,
                                  int32_t num_inputs) {
  const sora_abi_model_t *abi = model->abi;
  for (int32_t i = 0; i < num_inputs && i < abi->num_inputs; ++i) {
    const sora_abi_tensor_t *expected = &abi->inputs[i];
    int64_t axis = expected->sequence_axis;
    if (axis < 0)
      continue;
    if (!inputs || inputs[i].rank != expected->rank || !inputs[i].dims)
      return SORA_STATUS_OK; // the shape checks report it
    int64_t per_token = expected->dims[axis] / abi->max_sequence;
    int64_t extent = inputs[i].dims[axis], tokens = extent / per_token;
    if (extent % per_token != 0 || tokens < 1 || tokens > abi->max_sequence)
      return sora_model_fail(
          model, SORA_STATUS_SHAPE_MISMATCH,
          "input '%s': extent %lld of dimension %lld is not 1 to %lld tokens "
          "(%lld each): the model was compiled with --max-sequence %lld",
          expected->name, (long long)extent, (long long)axis,
          (long long)abi->max_sequence, (long long)per_token,
          (long long)abi->max_sequence);
    model->run_samples = tokens;
    return SORA_STATUS_OK;
  }
  return SORA_STATUS_OK;
}

/// The samples of this run: 1, or for a --max-batch model the batch the
/// first input (else output) holds, from 1 to max_batch; the shape checks
/// then hold every tensor to it.
static sora_status_t count_samples(sora_model_t *model,
                                   const sora_tensor_t *inputs,
                                   int32_t num_inputs,
                                   const sora_tensor_t *outputs) {
  const sora_abi_model_t *abi = model->abi;
  model->run_samples = 1;
  if (abi->max_sequence)
    return count_tokens(model, inputs, num_inputs);
  const sora_tensor_t *first = num_inputs > 0 ? inputs : outputs;
  const sora_abi_tensor_t *expected =
      abi->num_inputs > 0 ? abi->inputs : abi->outputs;
  if (!abi->max_batch || !first || !expected || first->rank < 1 || !first->dims)
    return SORA_STATUS_OK; // the shape checks report it
  int64_t sample = expected->dims[0] / abi->max_batch;
  int64_t samples = first->dims[0] / sample;
  if (first->dims[0] % sample != 0 || samples < 1 || samples > abi->max_batch)
    return sora_model_fail(
        model, SORA_STATUS_SHAPE_MISMATCH,
        "%s '%s': first extent %lld is not a batch of 1 to %lld samples "
        "(%lld each): the model was compiled with --max-batch %lld",
        num_inputs > 0 ? "input" : "output", expected->name,
        (long long)first->dims[0], (long long)abi->max_batch, (long long)sample,
        (long long)abi->max_batch);
  model->run_samples = samples;
  return SORA_STATUS_OK;
}

/// Calls the driver on the run's batch: once, or once per sample, each
/// tensor's pointer at its sample.
static int64_t run_samples_on_host(sora_model_t *model) {
  const sora_abi_model_t *abi = model->abi;
  if (abi->batch_at_run_time || abi->max_sequence)
    return abi->run(model, model->input_pointers, model->output_pointers,
                    model->arena, model->weights, model->run_samples);
  for (int64_t s = 0; s < model->run_samples; ++s) {
    if (s > 0) {
      for (int64_t i = 0; i < abi->num_inputs; ++i)
        model->input_pointers[i] = (uint8_t *)model->input_pointers[i] +
                                   sora_sample_bytes(abi, &abi->inputs[i]);
      for (int64_t o = 0; o < abi->num_outputs; ++o)
        model->output_pointers[o] = (uint8_t *)model->output_pointers[o] +
                                    sora_sample_bytes(abi, &abi->outputs[o]);
    }
    int64_t result =
        abi->run(model, model->input_pointers, model->output_pointers,
                 model->arena, model->weights, 1);
    if (result != 0)
      return result;
  }
  return 0;
}

sora_status_t sora_model_run(sora_model_t *model, const sora_tensor_t *inputs,
                             int32_t num_inputs, const sora_tensor_t *outputs,
                             int32_t num_outputs) {
  if (!model)
    return SORA_STATUS_INVALID_ARGUMENT;
  const sora_abi_model_t *abi = model->abi;
  sora_status_t status = count_samples(model, inputs, num_inputs, outputs);
  if (status != SORA_STATUS_OK)
    return status;
  status = check_tensors(model, "input", abi->inputs, abi->num_inputs, inputs,
                         num_inputs, model->input_pointers);
  if (status == SORA_STATUS_OK)
    status = check_tensors(model, "output", abi->outputs, abi->num_outputs,
                           outputs, num_outputs, model->output_pointers);
  if (status != SORA_STATUS_OK)
    return status;

  sora_model_clear_kernel_message(model);
  int64_t result = abi->device ? sora_model_run_on_device(model)
                               : run_samples_on_host(model);
  if (result == 0)
    return SORA_STATUS_OK;
  return sora_model_fail(model, SORA_STATUS_KERNEL_FAILED,
                         "model '%s': kernel failed with Halide error %lld%s%s",
                         abi->name, (long long)result,
                         model->kernel_message[0] ? ": " : "",
                         model->kernel_message);
}
