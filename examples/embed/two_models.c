//===- two_models.c - Two compiled models in one C program ---------------===//
//
// Links two models compiled by soracc (through sora_add_model, see
// CMakeLists.txt): a digit classifier taking an f32 image and a text
// classifier taking i64 token ids. Each is created from its descriptor
// function, run once, and its output printed (and compared with reference
// files when a directory of them is given as the first argument).
//
//===----------------------------------------------------------------------===//

#include "digits.h"
#include "reference.h"
#include "text.h"

#include <math.h>
#include <stdio.h>

/// Creates a model on two threads; prints why and returns NULL on failure.
static sora_model_t *create(const sora_model_descriptor_t *descriptor) {
  char error[256];
  sora_model_options_t options;
  sora_model_options_initialize(&options);
  options.num_threads = 2;
  options.error_buffer = error;
  options.error_buffer_size = sizeof(error);
  sora_model_t *model = NULL;
  sora_status_t status = sora_model_create_from(descriptor, &options, &model);
  if (status != SORA_STATUS_OK)
    fprintf(stderr, "cannot create the model: %s: %s\n",
            sora_status_string(status), error);
  return model;
}

/// Runs `model` on one input and one output; false (printed) on failure.
static int run(sora_model_t *model, sora_tensor_t input, sora_tensor_t output) {
  sora_status_t status = sora_model_run(model, &input, 1, &output, 1);
  if (status != SORA_STATUS_OK)
    fprintf(stderr, "%s: %s: %s\n", sora_model_name(model),
            sora_status_string(status), sora_model_last_error(model));
  return status == SORA_STATUS_OK;
}

int main(int argc, char **argv) {
  const char *reference_dir = argc > 1 ? argv[1] : NULL;
  sora_model_t *digits = create(digits_model());
  sora_model_t *text = create(text_model());
  int failed = !digits || !text;

  // The digit classifier: a smooth test pattern as the image.
  static float image[DIGITS_INPUT_IMAGE_ELEMENTS];
  static float probs[DIGITS_OUTPUT_PROBS_ELEMENTS];
  for (int i = 0; i < DIGITS_INPUT_IMAGE_ELEMENTS; ++i)
    image[i] = 0.5f + 0.5f * sinf(0.05f * (float)i);
  const int64_t image_dims[] = DIGITS_INPUT_IMAGE_DIMS;
  const int64_t probs_dims[] = DIGITS_OUTPUT_PROBS_DIMS;
  sora_tensor_t image_tensor = {DIGITS_INPUT_IMAGE_DTYPE,
                                DIGITS_INPUT_IMAGE_RANK, image_dims, image};
  sora_tensor_t probs_tensor = {DIGITS_OUTPUT_PROBS_DTYPE,
                                DIGITS_OUTPUT_PROBS_RANK, probs_dims, probs};
  if (!failed && run(digits, image_tensor, probs_tensor))
    failed |= check_output("digits probs", probs, DIGITS_OUTPUT_PROBS_ELEMENTS,
                           reference_dir, "digits_probs.txt");
  else
    failed = 1;

  // The text classifier: token ids spread over its vocabulary.
  static int64_t tokens[TEXT_INPUT_TOKENS_ELEMENTS];
  static float score[TEXT_OUTPUT_SCORE_ELEMENTS];
  for (int i = 0; i < TEXT_INPUT_TOKENS_ELEMENTS; ++i)
    tokens[i] = (int64_t)i * 37 % 10000;
  const int64_t tokens_dims[] = TEXT_INPUT_TOKENS_DIMS;
  const int64_t score_dims[] = TEXT_OUTPUT_SCORE_DIMS;
  sora_tensor_t tokens_tensor = {TEXT_INPUT_TOKENS_DTYPE,
                                 TEXT_INPUT_TOKENS_RANK, tokens_dims, tokens};
  sora_tensor_t score_tensor = {TEXT_OUTPUT_SCORE_DTYPE, TEXT_OUTPUT_SCORE_RANK,
                                score_dims, score};
  if (!failed && run(text, tokens_tensor, score_tensor))
    failed |= check_output("text score", score, TEXT_OUTPUT_SCORE_ELEMENTS,
                           reference_dir, "text_score.txt");
  else
    failed = 1;

  sora_model_release(digits);
  sora_model_release(text);
  return failed;
}
