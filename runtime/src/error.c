//===- error.c - Per-model error messages ---------------------------------===//

#include "model_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

sora_status_t sora_model_fail(sora_model_t *model, sora_status_t status,
                              const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(model->last_error, sizeof(model->last_error), format, args);
  va_end(args);
  return status;
}

const char *sora_model_last_error(const sora_model_t *model) {
  return model ? model->last_error : "model is NULL";
}

void sora_model_record_kernel_message(sora_model_t *model, const char *message,
                                      bool is_error) {
  pthread_mutex_lock(&model->kernel_message_mutex);
  if (is_error || !model->kernel_message_is_error) {
    model->kernel_message_is_error = is_error;
    // Keep it one line: drop trailing newlines, turn inner ones into spaces.
    size_t length = strnlen(message, sizeof(model->kernel_message) - 1);
    while (length > 0 &&
           (message[length - 1] == '\n' || message[length - 1] == ' '))
      --length;
    for (size_t i = 0; i < length; ++i)
      model->kernel_message[i] = message[i] == '\n' ? ' ' : message[i];
    model->kernel_message[length] = '\0';
  }
  pthread_mutex_unlock(&model->kernel_message_mutex);
}

void sora_model_clear_kernel_message(sora_model_t *model) {
  pthread_mutex_lock(&model->kernel_message_mutex);
  model->kernel_message_is_error = false;
  model->kernel_message[0] = '\0';
  pthread_mutex_unlock(&model->kernel_message_mutex);
}
