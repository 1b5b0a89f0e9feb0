//===- model_device.c - Device memory and runs of GPU models --------------===//
//
// A GPU model (one whose descriptor has a `device`, see kernel_abi.h) keeps
// everything on its device: the arena, the weights (uploaded once, here),
// and a buffer per input and output. A run copies the inputs in, runs the
// driver on device addresses, and copies the outputs out; nothing else
// crosses the bus. Errors from the device (no driver, no GPU, out of device
// memory) arrive through the model's message service.
//
//===----------------------------------------------------------------------===//

#include "model_internal.h"

#include <stdlib.h>

/// "…: <the device's message>" for a failed device call.
static sora_status_t device_fail(sora_model_t *model, sora_status_t status,
                                 const char *what) {
  return sora_model_fail(model, status, "model '%s' (target %s): %s: %s",
                         model->abi->name, model->abi->target, what,
                         model->kernel_message[0] ? model->kernel_message
                                                  : "no message");
}

/// The number of device tensors: inputs, then outputs.
static int64_t num_device_tensors(const sora_abi_model_t *abi) {
  return abi->num_inputs + abi->num_outputs;
}

static const sora_abi_tensor_t *device_tensor(const sora_abi_model_t *abi,
                                              int64_t i) {
  return i < abi->num_inputs ? &abi->inputs[i]
                             : &abi->outputs[i - abi->num_inputs];
}

sora_status_t sora_model_allocate_device(sora_model_t *model) {
  const sora_abi_model_t *abi = model->abi;
  const sora_abi_device_t *device = abi->device;
  if (!device)
    return SORA_STATUS_OK;
  if (!device->malloc || !device->free || !device->copy_to_device ||
      !device->copy_to_host)
    return sora_model_fail(model, SORA_STATUS_ABI_MISMATCH,
                           "malformed model: bad device table");
  sora_model_clear_kernel_message(model);
  // A small allocation first: its failure means no driver or no GPU.
  uint64_t probe = 0;
  if (device->malloc(model, 64, &probe) != 0)
    return device_fail(model, SORA_STATUS_NO_DEVICE, device->name);
  device->free(model, probe);

  int64_t count = num_device_tensors(abi);
  model->device_tensors = calloc((size_t)count + 1, sizeof(uint64_t));
  model->device_pointers = calloc((size_t)count + 1, sizeof(void *));
  if (!model->device_tensors || !model->device_pointers)
    return sora_model_fail(model, SORA_STATUS_OUT_OF_MEMORY,
                           "cannot allocate the model");
  uint64_t arena_bytes = abi->arena_bytes > 0 ? (uint64_t)abi->arena_bytes : 64;
  uint64_t weights_bytes =
      abi->weights_bytes > 0 ? (uint64_t)abi->weights_bytes : 64;
  if (device->malloc(model, arena_bytes, &model->device_arena) != 0 ||
      device->malloc(model, weights_bytes, &model->device_weights) != 0)
    return device_fail(model, SORA_STATUS_OUT_OF_MEMORY,
                       "cannot allocate device memory");
  for (int64_t i = 0; i < count; ++i) {
    size_t bytes = sora_tensor_bytes(device_tensor(abi, i));
    if (device->malloc(model, bytes ? bytes : 1, &model->device_tensors[i]) !=
        0)
      return device_fail(model, SORA_STATUS_OUT_OF_MEMORY,
                         "cannot allocate device memory");
    model->device_pointers[i] = (void *)(uintptr_t)model->device_tensors[i];
  }
  if (abi->weights_bytes > 0 &&
      device->copy_to_device(model, model->device_weights, model->weights,
                             (uint64_t)abi->weights_bytes) != 0)
    return device_fail(model, SORA_STATUS_NO_DEVICE,
                       "cannot upload the weights");
  return SORA_STATUS_OK;
}

void sora_model_free_device(sora_model_t *model) {
  const sora_abi_device_t *device = model->abi->device;
  if (!device)
    return;
  if (model->device_tensors)
    for (int64_t i = 0; i < num_device_tensors(model->abi); ++i)
      if (model->device_tensors[i])
        device->free(model, model->device_tensors[i]);
  if (model->device_weights)
    device->free(model, model->device_weights);
  if (model->device_arena)
    device->free(model, model->device_arena);
  free(model->device_tensors);
  free(model->device_pointers);
}

int64_t sora_model_run_on_device(sora_model_t *model) {
  const sora_abi_model_t *abi = model->abi;
  const sora_abi_device_t *device = abi->device;
  const int64_t count = num_device_tensors(abi), samples = model->run_samples;
  for (int64_t i = 0; i < abi->num_inputs; ++i) {
    int error = device->copy_to_device(
        model, model->device_tensors[i], model->input_pointers[i],
        samples * sora_sample_bytes(abi, &abi->inputs[i]));
    if (error != 0)
      return error;
  }
  // Sample s of every tensor starts s samples' bytes in.
  for (int64_t s = 0; s < samples; ++s) {
    for (int64_t i = 0; i < count; ++i)
      model->device_pointers[i] =
          (void *)(uintptr_t)(model->device_tensors[i] +
                              s * sora_sample_bytes(abi,
                                                    device_tensor(abi, i)));
    int64_t result = abi->run(
        model, model->device_pointers, model->device_pointers + abi->num_inputs,
        (uint8_t *)(uintptr_t)model->device_arena,
        (const uint8_t *)(uintptr_t)model->device_weights, 1);
    if (result != 0)
      return result;
  }
  for (int64_t o = 0; o < abi->num_outputs; ++o) {
    int error = device->copy_to_host(
        model, model->output_pointers[o],
        model->device_tensors[abi->num_inputs + o],
        samples * sora_sample_bytes(abi, &abi->outputs[o]));
    if (error != 0)
      return error;
  }
  return 0;
}
