//===- two_models.cpp - Two compiled models in one C++ program -----------===//
//
// The C++ counterpart of two_models.c: the same two models, owned by
// std::unique_ptr, with tensors in std::vector and errors as exceptions.
//
//===----------------------------------------------------------------------===//

#include "digits.h"
#include "reference.h"
#include "text.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct ModelDeleter {
  void operator()(sora_model_t *model) const { sora_model_release(model); }
};
using Model = std::unique_ptr<sora_model_t, ModelDeleter>;

Model create(const sora_model_descriptor_t *descriptor) {
  char error[256];
  sora_model_options_t options;
  sora_model_options_initialize(&options);
  options.num_threads = 2;
  options.error_buffer = error;
  options.error_buffer_size = sizeof(error);
  sora_model_t *model = nullptr;
  sora_status_t status = sora_model_create_from(descriptor, &options, &model);
  if (status != SORA_STATUS_OK)
    throw std::runtime_error(std::string("cannot create the model: ") +
                             sora_status_string(status) + ": " + error);
  return Model(model);
}

/// A tensor of the model's signature over `data`.
template <typename T, size_t Rank>
sora_tensor_t tensor(sora_dtype_t dtype, const int64_t (&dims)[Rank],
                     std::vector<T> &data) {
  return {dtype, static_cast<int32_t>(Rank), dims, data.data()};
}

void run(const Model &model, const sora_tensor_t &input,
         const sora_tensor_t &output) {
  sora_status_t status = sora_model_run(model.get(), &input, 1, &output, 1);
  if (status != SORA_STATUS_OK)
    throw std::runtime_error(std::string(sora_model_name(model.get())) + ": " +
                             sora_status_string(status) + ": " +
                             sora_model_last_error(model.get()));
}

} // namespace

int main(int argc, char **argv) try {
  const char *referenceDir = argc > 1 ? argv[1] : nullptr;
  Model digits = create(digits_model());
  Model text = create(text_model());

  std::vector<float> image(DIGITS_INPUT_IMAGE_ELEMENTS);
  for (size_t i = 0; i < image.size(); ++i)
    image[i] = 0.5f + 0.5f * std::sin(0.05f * static_cast<float>(i));
  std::vector<float> probs(DIGITS_OUTPUT_PROBS_ELEMENTS);
  static const int64_t imageDims[] = DIGITS_INPUT_IMAGE_DIMS;
  static const int64_t probsDims[] = DIGITS_OUTPUT_PROBS_DIMS;
  run(digits, tensor(DIGITS_INPUT_IMAGE_DTYPE, imageDims, image),
      tensor(DIGITS_OUTPUT_PROBS_DTYPE, probsDims, probs));

  std::vector<int64_t> tokens(TEXT_INPUT_TOKENS_ELEMENTS);
  for (size_t i = 0; i < tokens.size(); ++i)
    tokens[i] = static_cast<int64_t>(i) * 37 % 10000;
  std::vector<float> score(TEXT_OUTPUT_SCORE_ELEMENTS);
  static const int64_t tokensDims[] = TEXT_INPUT_TOKENS_DIMS;
  static const int64_t scoreDims[] = TEXT_OUTPUT_SCORE_DIMS;
  run(text, tensor(TEXT_INPUT_TOKENS_DTYPE, tokensDims, tokens),
      tensor(TEXT_OUTPUT_SCORE_DTYPE, scoreDims, score));

  int failed = check_output("digits probs", probs.data(), probs.size(),
                            referenceDir, "digits_probs.txt");
  failed |= check_output("text score", score.data(), score.size(), referenceDir,
                         "text_score.txt");
  return failed;
} catch (const std::exception &e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 1;
}
