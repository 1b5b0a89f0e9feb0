//===- model_query.c - Signature queries ----------------------------------===//

#include "model_internal.h"

#include <string.h>

const char *sora_dtype_name(int64_t dtype) {
  switch (dtype) {
  case SORA_DTYPE_F32:
    return "f32";
  case SORA_DTYPE_I64:
    return "i64";
  default:
    return "unknown";
  }
}

size_t sora_dtype_size(int64_t dtype) {
  switch (dtype) {
  case SORA_DTYPE_F32:
    return 4;
  case SORA_DTYPE_I64:
    return 8;
  default:
    return 0;
  }
}

/// Element count of `tensor` (its shape was validated at model creation).
static int64_t num_elements(const sora_abi_tensor_t *tensor) {
  int64_t elements = 1;
  for (int64_t d = 0; d < tensor->rank; ++d)
    elements *= tensor->dims[d];
  return elements;
}

size_t sora_tensor_bytes(const sora_abi_tensor_t *tensor) {
  return (size_t)num_elements(tensor) * sora_dtype_size(tensor->dtype);
}

size_t sora_sample_bytes(const sora_abi_model_t *abi,
                         const sora_abi_tensor_t *tensor) {
  size_t bytes = sora_tensor_bytes(tensor);
  return abi->max_batch > 0 ? bytes / (size_t)abi->max_batch : bytes;
}

int64_t sora_model_max_batch(const sora_model_t *model) {
  return model ? model->abi->max_batch : 0;
}

int64_t sora_model_max_sequence(const sora_model_t *model) {
  return model ? model->abi->max_sequence : 0;
}

const char *sora_model_name(const sora_model_t *model) {
  return model ? model->abi->name : NULL;
}

const char *sora_model_signature_json(const sora_model_t *model) {
  return model ? model->abi->signature_json : NULL;
}

const char *sora_model_target(const sora_model_t *model) {
  return model ? model->abi->target : NULL;
}

int32_t sora_model_num_inputs(const sora_model_t *model) {
  return model ? (int32_t)model->abi->num_inputs : 0;
}

int32_t sora_model_num_outputs(const sora_model_t *model) {
  return model ? (int32_t)model->abi->num_outputs : 0;
}

static sora_status_t tensor_info(sora_model_t *model, const char *kind,
                                 const sora_abi_tensor_t *tensors,
                                 int64_t count, int32_t index,
                                 sora_tensor_info_t *out_info) {
  if (!model)
    return SORA_STATUS_INVALID_ARGUMENT;
  if (!out_info)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "out_info is NULL");
  if (index < 0 || index >= count)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "%s index %d out of range [0, %lld)", kind,
                           (int)index, (long long)count);
  const sora_abi_tensor_t *tensor = &tensors[index];
  out_info->name = tensor->name;
  out_info->dtype = (sora_dtype_t)tensor->dtype;
  out_info->rank = (int32_t)tensor->rank;
  out_info->dims = tensor->dims;
  out_info->num_elements = num_elements(tensor);
  out_info->byte_size = sora_tensor_bytes(tensor);
  out_info->sequence_axis =
      model->abi->max_sequence ? (int32_t)tensor->sequence_axis : -1;
  return SORA_STATUS_OK;
}

sora_status_t sora_model_input_info(sora_model_t *model, int32_t index,
                                    sora_tensor_info_t *out_info) {
  return tensor_info(model, "input", model ? model->abi->inputs : NULL,
                     model ? model->abi->num_inputs : 0, index, out_info);
}

sora_status_t sora_model_output_info(sora_model_t *model, int32_t index,
                                     sora_tensor_info_t *out_info) {
  return tensor_info(model, "output", model ? model->abi->outputs : NULL,
                     model ? model->abi->num_outputs : 0, index, out_info);
}

static sora_status_t find_tensor(sora_model_t *model, const char *kind,
                                 const sora_abi_tensor_t *tensors,
                                 int64_t count, const char *name,
                                 int32_t *out_index) {
  if (!model)
    return SORA_STATUS_INVALID_ARGUMENT;
  if (!name || !out_index)
    return sora_model_fail(model, SORA_STATUS_INVALID_ARGUMENT,
                           "name and out_index must not be NULL");
  for (int64_t i = 0; i < count; ++i) {
    if (strcmp(tensors[i].name, name) == 0) {
      *out_index = (int32_t)i;
      return SORA_STATUS_OK;
    }
  }
  return sora_model_fail(model, SORA_STATUS_NOT_FOUND,
                         "model '%s' has no %s named '%s'", model->abi->name,
                         kind, name);
}

sora_status_t sora_model_find_input(sora_model_t *model, const char *name,
                                    int32_t *out_index) {
  return find_tensor(model, "input", model ? model->abi->inputs : NULL,
                     model ? model->abi->num_inputs : 0, name, out_index);
}

sora_status_t sora_model_find_output(sora_model_t *model, const char *name,
                                     int32_t *out_index) {
  return find_tensor(model, "output", model ? model->abi->outputs : NULL,
                     model ? model->abi->num_outputs : 0, name, out_index);
}
