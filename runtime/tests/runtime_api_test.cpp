//===- runtime_api_test.cpp - The public C API on the fake model ----------===//
//
// Linked against fake_model.so (inputs x: f32[2,3], bias: f32[3]; outputs
// y = 2 * x + bias, total = sum(y)). Variants that must fail to load are
// dlopen()ed with RTLD_LOCAL, the way several models share one process.
//
//===----------------------------------------------------------------------===//

#include "sora/kernel_abi.h"
#include "sora/runtime.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <sched.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

const int64_t kMatrixDims[] = {2, 3};
const int64_t kBiasDims[] = {3};
const int64_t kTotalDims[] = {1};

/// A model handle released at scope exit.
struct ModelDeleter {
  void operator()(sora_model_t *model) const { sora_model_release(model); }
};
using ModelPtr = std::unique_ptr<sora_model_t, ModelDeleter>;

ModelPtr createModel(int32_t numThreads) {
  sora_model_options_t options;
  sora_model_options_initialize(&options);
  options.num_threads = numThreads;
  sora_model_t *model = nullptr;
  EXPECT_EQ(sora_model_create(&options, &model), SORA_STATUS_OK);
  return ModelPtr(model);
}

/// Inputs, outputs and the tensors that describe them for one run.
struct Buffers {
  std::vector<float> x = std::vector<float>(6), bias = std::vector<float>(3);
  std::vector<float> y = std::vector<float>(6), total = std::vector<float>(1);
  sora_tensor_t inputs[2] = {
      {SORA_DTYPE_F32, 2, kMatrixDims, x.data()},
      {SORA_DTYPE_F32, 1, kBiasDims, bias.data()},
  };
  sora_tensor_t outputs[2] = {
      {SORA_DTYPE_F32, 2, kMatrixDims, y.data()},
      {SORA_DTYPE_F32, 1, kTotalDims, total.data()},
  };

  explicit Buffers(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-10.0f, 10.0f);
    for (float &v : x)
      v = dist(rng);
    for (float &v : bias)
      v = dist(rng);
  }

  sora_status_t run(sora_model_t *model) {
    return sora_model_run(model, inputs, 2, outputs, 2);
  }

  void expectCorrect() const {
    float sum = 0.0f;
    for (int i = 0; i < 6; ++i) {
      float expected = 2.0f * x[i] + bias[i % 3];
      EXPECT_FLOAT_EQ(y[i], expected) << "y[" << i << "]";
      sum += expected;
    }
    EXPECT_NEAR(total[0], sum, 1e-4f);
  }
};

int32_t cpusAvailable() {
  cpu_set_t set;
  EXPECT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  return CPU_COUNT(&set);
}

bool hostCpuHasFlag(const std::string &flag) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0)
      return (line + " ").find(" " + flag + " ") != std::string::npos;
  return false;
}

TEST(Status, TableIsStableAndDescribed) {
  EXPECT_EQ(SORA_STATUS_OK, 0);
  EXPECT_EQ(SORA_STATUS_INVALID_ARGUMENT, 1);
  EXPECT_EQ(SORA_STATUS_SHAPE_MISMATCH, 2);
  EXPECT_EQ(SORA_STATUS_DTYPE_MISMATCH, 3);
  EXPECT_EQ(SORA_STATUS_UNSUPPORTED_CPU, 4);
  EXPECT_EQ(SORA_STATUS_OUT_OF_MEMORY, 5);
  EXPECT_EQ(SORA_STATUS_ABI_MISMATCH, 6);
  EXPECT_EQ(SORA_STATUS_KERNEL_FAILED, 7);
  EXPECT_EQ(SORA_STATUS_NOT_FOUND, 8);
  EXPECT_STREQ(sora_status_string(SORA_STATUS_OK), "ok");
  EXPECT_STREQ(sora_status_string(SORA_STATUS_SHAPE_MISMATCH),
               "shape mismatch");
  EXPECT_STREQ(sora_status_string(static_cast<sora_status_t>(99)),
               "unknown status");
}

TEST(Model, CreateWithDefaultsAndRelease) {
  sora_model_t *model = nullptr;
  ASSERT_EQ(sora_model_create(nullptr, &model), SORA_STATUS_OK);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(sora_model_num_threads(model), cpusAvailable());
  EXPECT_STREQ(sora_model_last_error(model), "");
  sora_model_release(model);
  sora_model_release(nullptr);
}

TEST(Model, CreateRejectsBadArguments) {
  char error[128] = "stale";
  sora_model_options_t options;
  sora_model_options_initialize(&options);
  options.error_buffer = error;
  options.error_buffer_size = sizeof(error);
  EXPECT_EQ(sora_model_create(&options, nullptr), SORA_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(error, "out_model is NULL");

  options.num_threads = -1;
  sora_model_t *model = nullptr;
  EXPECT_EQ(sora_model_create(&options, &model), SORA_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::strstr(error, "got -1"), nullptr) << error;

  options.num_threads = 2;
  ASSERT_EQ(sora_model_create(&options, &model), SORA_STATUS_OK);
  EXPECT_STREQ(error, "") << "a successful create clears the buffer";
  sora_model_release(model);
}

TEST(Model, Queries) {
  ModelPtr model = createModel(1);
  ASSERT_TRUE(model);
  EXPECT_STREQ(sora_model_name(model.get()), "fake");
  EXPECT_STREQ(sora_model_target(model.get()), "fake-target");
  EXPECT_NE(
      std::strstr(sora_model_signature_json(model.get()), "\"name\":\"bias\""),
      nullptr);
  EXPECT_EQ(sora_model_num_inputs(model.get()), 2);
  EXPECT_EQ(sora_model_num_outputs(model.get()), 2);
  EXPECT_EQ(sora_model_name(nullptr), nullptr);
  EXPECT_EQ(sora_model_num_inputs(nullptr), 0);

  sora_tensor_info_t info;
  ASSERT_EQ(sora_model_input_info(model.get(), 0, &info), SORA_STATUS_OK);
  EXPECT_STREQ(info.name, "x");
  EXPECT_EQ(info.dtype, SORA_DTYPE_F32);
  ASSERT_EQ(info.rank, 2);
  EXPECT_EQ(info.dims[0], 2);
  EXPECT_EQ(info.dims[1], 3);
  EXPECT_EQ(info.num_elements, 6);
  EXPECT_EQ(info.byte_size, 24u);
  ASSERT_EQ(sora_model_output_info(model.get(), 1, &info), SORA_STATUS_OK);
  EXPECT_STREQ(info.name, "total");
  EXPECT_EQ(info.num_elements, 1);

  EXPECT_EQ(sora_model_input_info(model.get(), 2, &info),
            SORA_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(sora_model_last_error(model.get()),
               "input index 2 out of range [0, 2)");
  EXPECT_EQ(sora_model_output_info(model.get(), -1, &info),
            SORA_STATUS_INVALID_ARGUMENT);

  int32_t index = -1;
  ASSERT_EQ(sora_model_find_input(model.get(), "bias", &index), SORA_STATUS_OK);
  EXPECT_EQ(index, 1);
  ASSERT_EQ(sora_model_find_output(model.get(), "total", &index),
            SORA_STATUS_OK);
  EXPECT_EQ(index, 1);
  index = 42;
  EXPECT_EQ(sora_model_find_output(model.get(), "x", &index),
            SORA_STATUS_NOT_FOUND);
  EXPECT_EQ(index, 42) << "out_ parameters are untouched on failure";
  EXPECT_STREQ(sora_model_last_error(model.get()),
               "model 'fake' has no output named 'x'");
}

// Every API function, given NULL or out-of-range arguments: a status (or a
// NULL/0 result), never a crash, and out_ parameters left alone.
TEST(Model, EveryFunctionRejectsBadArguments) {
  ModelPtr model = createModel(1);
  ASSERT_TRUE(model);
  sora_model_t *m = model.get();
  const sora_status_t invalid = SORA_STATUS_INVALID_ARGUMENT;
  sora_tensor_info_t info;
  sora_kernel_profile_t profile;
  int32_t index = 7;
  sora_model_t *created = nullptr;

  EXPECT_STREQ(sora_status_string(static_cast<sora_status_t>(999)),
               "unknown status");
  sora_model_options_initialize(nullptr);
  EXPECT_EQ(sora_model_create(nullptr, nullptr), invalid);
  EXPECT_EQ(sora_model_create_from(nullptr, nullptr, &created), invalid);
  EXPECT_EQ(created, nullptr);

  EXPECT_EQ(sora_model_name(nullptr), nullptr);
  EXPECT_EQ(sora_model_signature_json(nullptr), nullptr);
  EXPECT_EQ(sora_model_target(nullptr), nullptr);
  EXPECT_EQ(sora_model_num_inputs(nullptr), 0);
  EXPECT_EQ(sora_model_num_outputs(nullptr), 0);
  EXPECT_EQ(sora_model_num_threads(nullptr), 0);
  EXPECT_EQ(sora_model_num_kernels(nullptr), 0);
  EXPECT_NE(sora_model_last_error(nullptr), nullptr);

  EXPECT_EQ(sora_model_input_info(nullptr, 0, &info), invalid);
  EXPECT_EQ(sora_model_input_info(m, 0, nullptr), invalid);
  EXPECT_EQ(sora_model_output_info(nullptr, 0, &info), invalid);
  EXPECT_EQ(sora_model_output_info(m, 0, nullptr), invalid);
  EXPECT_EQ(sora_model_output_info(m, 2, &info), invalid);

  EXPECT_EQ(sora_model_find_input(nullptr, "x", &index), invalid);
  EXPECT_EQ(sora_model_find_input(m, nullptr, &index), invalid);
  EXPECT_EQ(sora_model_find_input(m, "x", nullptr), invalid);
  EXPECT_EQ(sora_model_find_output(nullptr, "y", &index), invalid);
  EXPECT_EQ(sora_model_find_output(m, nullptr, &index), invalid);
  EXPECT_EQ(sora_model_find_output(m, "y", nullptr), invalid);
  EXPECT_EQ(index, 7);

  EXPECT_EQ(sora_model_set_num_threads(nullptr, 1), invalid);
  EXPECT_EQ(sora_model_set_num_threads(m, 100000), invalid);
  EXPECT_EQ(sora_model_run(nullptr, nullptr, 0, nullptr, 0), invalid);
  EXPECT_EQ(sora_model_run(m, nullptr, 2, nullptr, 2), invalid);

  EXPECT_EQ(sora_model_set_profiling(nullptr, 1), invalid);
  EXPECT_EQ(sora_model_kernel_profile(nullptr, 0, &profile), invalid);
  EXPECT_EQ(sora_model_kernel_profile(m, 0, nullptr), invalid);
  EXPECT_EQ(sora_model_kernel_profile(m, -1, &profile), invalid);
  EXPECT_EQ(sora_model_write_trace(nullptr, "/dev/null"), invalid);
  EXPECT_EQ(sora_model_write_trace(m, nullptr), invalid);
  ASSERT_EQ(sora_model_set_profiling(m, 1), SORA_STATUS_OK);
  EXPECT_EQ(sora_model_write_trace(m, "/nonexistent-dir/trace.json"), invalid);
  EXPECT_NE(std::strstr(sora_model_last_error(m), "cannot write the trace"),
            nullptr)
      << sora_model_last_error(m);
}

TEST(Model, SetNumThreads) {
  ModelPtr model = createModel(1);
  EXPECT_EQ(sora_model_num_threads(model.get()), 1);
  ASSERT_EQ(sora_model_set_num_threads(model.get(), 3), SORA_STATUS_OK);
  EXPECT_EQ(sora_model_num_threads(model.get()), 3);
  ASSERT_EQ(sora_model_set_num_threads(model.get(), 0), SORA_STATUS_OK);
  EXPECT_EQ(sora_model_num_threads(model.get()), cpusAvailable());
  EXPECT_EQ(sora_model_set_num_threads(model.get(), -2),
            SORA_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sora_model_num_threads(model.get()), cpusAvailable());
  EXPECT_EQ(sora_model_set_num_threads(nullptr, 1),
            SORA_STATUS_INVALID_ARGUMENT);
}

class RunTest : public ::testing::TestWithParam<int32_t> {};

TEST_P(RunTest, ComputesTheModel) {
  ModelPtr model = createModel(GetParam());
  ASSERT_TRUE(model);
  for (unsigned seed = 0; seed < 200; ++seed) {
    Buffers buffers(seed);
    ASSERT_EQ(buffers.run(model.get()), SORA_STATUS_OK)
        << sora_model_last_error(model.get());
    buffers.expectCorrect();
    if (HasFailure())
      break;
  }
}

TEST_P(RunTest, KernelFailureCarriesTheKernelMessage) {
  ModelPtr model = createModel(GetParam());
  Buffers buffers(1);
  buffers.x[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(buffers.run(model.get()), SORA_STATUS_KERNEL_FAILED);
  EXPECT_STREQ(sora_model_last_error(model.get()),
               "model 'fake': kernel failed with Halide error -1: "
               "fake: NaN in x[1][2]");
  // The model stays usable; the message stays until the next failure.
  buffers.x[5] = 1.0f;
  ASSERT_EQ(buffers.run(model.get()), SORA_STATUS_OK);
  buffers.expectCorrect();
  EXPECT_NE(std::strstr(sora_model_last_error(model.get()), "NaN"), nullptr);
}

TEST_P(RunTest, ProfilesKernelsAndWritesATrace) {
  ModelPtr model = createModel(GetParam());
  ASSERT_EQ(sora_model_num_kernels(model.get()), 1);
  sora_kernel_profile_t profile;
  // Off by default: the kernel is described, nothing is measured.
  Buffers buffers(1);
  ASSERT_EQ(buffers.run(model.get()), SORA_STATUS_OK);
  ASSERT_EQ(sora_model_kernel_profile(model.get(), 0, &profile),
            SORA_STATUS_OK);
  EXPECT_STREQ(profile.name, "fake_rows");
  EXPECT_STREQ(profile.particles, "y: add, y: relu");
  EXPECT_EQ(profile.flops, 12);
  EXPECT_EQ(profile.bytes, 96);
  EXPECT_EQ(profile.calls, 0);
  EXPECT_EQ(sora_model_write_trace(model.get(), "/dev/null"),
            SORA_STATUS_INVALID_ARGUMENT);

  ASSERT_EQ(sora_model_set_profiling(model.get(), 1), SORA_STATUS_OK);
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(buffers.run(model.get()), SORA_STATUS_OK);
  ASSERT_EQ(sora_model_kernel_profile(model.get(), 0, &profile),
            SORA_STATUS_OK);
  EXPECT_EQ(profile.calls, 5);
  EXPECT_GT(profile.min_ns, 0);
  EXPECT_GE(profile.median_ns, profile.min_ns);
  EXPECT_GE(profile.total_ns, 5 * profile.min_ns);

  std::string path = ::testing::TempDir() + "/trace.json";
  ASSERT_EQ(sora_model_write_trace(model.get(), path.c_str()), SORA_STATUS_OK);
  std::ifstream in(path);
  std::string trace((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  EXPECT_EQ(trace.rfind("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", 0),
            0u);
  auto count = [&](const char *text) {
    size_t n = 0;
    for (size_t at = 0; (at = trace.find(text, at)) != std::string::npos; ++at)
      ++n;
    return n;
  };
  // One event per call, and one per thread that ran some of its rows.
  EXPECT_EQ(count("\"name\":\"fake_rows\",\"cat\":\"kernel\""), 5u);
  size_t taskEvents = count("\"name\":\"fake_rows\",\"cat\":\"tasks\"");
  EXPECT_GE(taskEvents, 5u);
  EXPECT_LE(taskEvents, 5u * (size_t)GetParam());
  EXPECT_NE(trace.find("\"args\":{\"particles\":\"y: add, y: relu\"}"),
            std::string::npos);

  // Off again: runs record nothing; on again: counting starts over.
  ASSERT_EQ(sora_model_set_profiling(model.get(), 0), SORA_STATUS_OK);
  ASSERT_EQ(buffers.run(model.get()), SORA_STATUS_OK);
  ASSERT_EQ(sora_model_kernel_profile(model.get(), 0, &profile),
            SORA_STATUS_OK);
  EXPECT_EQ(profile.calls, 5);
  ASSERT_EQ(sora_model_set_profiling(model.get(), 1), SORA_STATUS_OK);
  ASSERT_EQ(sora_model_kernel_profile(model.get(), 0, &profile),
            SORA_STATUS_OK);
  EXPECT_EQ(profile.calls, 0);
  EXPECT_EQ(sora_model_kernel_profile(model.get(), 1, &profile),
            SORA_STATUS_INVALID_ARGUMENT);
}

INSTANTIATE_TEST_SUITE_P(Threads, RunTest, ::testing::Values(1, 2, 4));

TEST(Run, HandlesAreIndependentAcrossThreads) {
  ModelPtr first = createModel(2), second = createModel(2);
  auto work = [](sora_model_t *model, unsigned seedBase) {
    for (unsigned i = 0; i < 300; ++i) {
      Buffers buffers(seedBase + i);
      ASSERT_EQ(buffers.run(model), SORA_STATUS_OK);
      buffers.expectCorrect();
    }
  };
  std::thread other(work, second.get(), 1000);
  work(first.get(), 0);
  other.join();
}

class RunErrorTest : public ::testing::Test {
protected:
  ModelPtr model = createModel(2);
  Buffers buffers{7};

  void expectFailure(sora_status_t status, const char *message) {
    EXPECT_EQ(buffers.run(model.get()), status);
    EXPECT_STREQ(sora_model_last_error(model.get()), message);
    EXPECT_EQ(buffers.y, std::vector<float>(6, 0.0f)) << "nothing ran";
  }
};

TEST_F(RunErrorTest, WrongRank) {
  const int64_t flat[] = {6};
  buffers.inputs[0].rank = 1;
  buffers.inputs[0].dims = flat;
  expectFailure(SORA_STATUS_SHAPE_MISMATCH,
                "input 'x': expected shape [2,3], got [6]");
}

TEST_F(RunErrorTest, WrongDims) {
  const int64_t transposed[] = {3, 2};
  buffers.outputs[0].dims = transposed;
  expectFailure(SORA_STATUS_SHAPE_MISMATCH,
                "output 'y': expected shape [2,3], got [3,2]");
}

TEST_F(RunErrorTest, ScalarInsteadOfVector) {
  buffers.inputs[1].rank = 0;
  buffers.inputs[1].dims = nullptr;
  expectFailure(SORA_STATUS_SHAPE_MISMATCH,
                "input 'bias': expected shape [3], got []");
}

TEST_F(RunErrorTest, WrongDtype) {
  buffers.inputs[1].dtype = static_cast<sora_dtype_t>(7);
  expectFailure(SORA_STATUS_DTYPE_MISMATCH,
                "input 'bias': expected dtype f32, got unknown (code 7)");
}

TEST_F(RunErrorTest, TokenIdsForFloatInput) {
  buffers.inputs[0].dtype = SORA_DTYPE_I64;
  expectFailure(SORA_STATUS_DTYPE_MISMATCH,
                "input 'x': expected dtype f32, got i64 (code 2)");
}

TEST_F(RunErrorTest, NullData) {
  buffers.outputs[1].data = nullptr;
  expectFailure(SORA_STATUS_INVALID_ARGUMENT, "output 'total': data is NULL");
}

TEST_F(RunErrorTest, NullDims) {
  buffers.inputs[0].dims = nullptr;
  expectFailure(SORA_STATUS_INVALID_ARGUMENT,
                "input 'x': rank 2 with NULL dims");
}

TEST_F(RunErrorTest, WrongCounts) {
  EXPECT_EQ(sora_model_run(model.get(), buffers.inputs, 1, buffers.outputs, 2),
            SORA_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(sora_model_last_error(model.get()),
               "model 'fake' expects 2 inputs, got 1");
  EXPECT_EQ(sora_model_run(model.get(), buffers.inputs, 2, buffers.outputs, 3),
            SORA_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(sora_model_last_error(model.get()),
               "model 'fake' expects 2 outputs, got 3");
  EXPECT_EQ(sora_model_run(model.get(), nullptr, 2, buffers.outputs, 2),
            SORA_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(sora_model_last_error(model.get()), "inputs is NULL");
  EXPECT_EQ(sora_model_run(nullptr, buffers.inputs, 2, buffers.outputs, 2),
            SORA_STATUS_INVALID_ARGUMENT);
}

/// A fake model variant loaded privately, as an application loads models.
class Variant {
public:
  explicit Variant(const char *name) {
    std::string path = std::string(SORA_FAKE_MODEL_DIR "/") + name + ".so";
    handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    EXPECT_NE(handle, nullptr) << dlerror();
  }
  ~Variant() {
    if (handle)
      dlclose(handle);
  }

  /// Creates a model through the variant's own API (and runs it once when
  /// created, on zero inputs); returns the status and the error buffer's
  /// contents, or the run's error.
  sora_status_t create(std::string &message, size_t bufferSize = 256,
                       const char *weightsPath = nullptr) {
    auto initialize =
        reinterpret_cast<decltype(&sora_model_options_initialize)>(
            dlsym(handle, "sora_model_options_initialize"));
    auto create = reinterpret_cast<decltype(&sora_model_create)>(
        dlsym(handle, "sora_model_create"));
    auto release = reinterpret_cast<decltype(&sora_model_release)>(
        dlsym(handle, "sora_model_release"));
    auto run = reinterpret_cast<decltype(&sora_model_run)>(
        dlsym(handle, "sora_model_run"));
    auto lastError = reinterpret_cast<decltype(&sora_model_last_error)>(
        dlsym(handle, "sora_model_last_error"));
    EXPECT_TRUE(initialize && create && release && run && lastError);
    std::vector<char> buffer(bufferSize, 'x');
    sora_model_options_t options;
    initialize(&options);
    options.error_buffer = buffer.data();
    options.error_buffer_size = buffer.size();
    options.weights_path = weightsPath;
    sora_model_t *model = nullptr;
    sora_status_t status = create(&options, &model);
    EXPECT_EQ(model != nullptr, status == SORA_STATUS_OK);
    EXPECT_NE(std::memchr(buffer.data(), '\0', buffer.size()), nullptr);
    message = buffer.data();
    if (status == SORA_STATUS_OK) {
      std::vector<float> x(6), bias(3), y(6), total(1);
      const int64_t xDims[] = {2, 3}, biasDims[] = {3}, totalDims[] = {1};
      sora_tensor_t inputs[] = {{SORA_DTYPE_F32, 2, xDims, x.data()},
                                {SORA_DTYPE_F32, 1, biasDims, bias.data()}};
      sora_tensor_t outputs[] = {{SORA_DTYPE_F32, 2, xDims, y.data()},
                                 {SORA_DTYPE_F32, 1, totalDims, total.data()}};
      status = run(model, inputs, 2, outputs, 2);
      if (status != SORA_STATUS_OK)
        message = lastError(model);
    }
    release(model);
    return status;
  }

private:
  void *handle = nullptr;
};

TEST(Create, AbiMismatch) {
  std::string message;
  EXPECT_EQ(Variant("fake_abi999").create(message), SORA_STATUS_ABI_MISMATCH);
  EXPECT_EQ(message, "model was compiled for runtime ABI version 999, this "
                     "runtime implements version " +
                         std::to_string(SORA_ABI_VERSION));
}

TEST(Create, ArenaBeyondAvailableMemoryIsOutOfMemory) {
  // Checked before the arena is touched: touching it would get the process
  // OOM-killed in a container instead of returning a status.
  std::string message;
  EXPECT_EQ(Variant("fake_huge_arena").create(message),
            SORA_STATUS_OUT_OF_MEMORY);
  EXPECT_NE(message.find("the model's arena needs 1073741824 MiB but this "
                         "process has "),
            std::string::npos)
      << message;
}

TEST(Create, UnsupportedCpuListsMissingFeatures) {
  if (hostCpuHasFlag("avx512_fp16"))
    GTEST_SKIP() << "this CPU has avx512fp16";
  std::string message;
  EXPECT_EQ(Variant("fake_cpu_fp16").create(message),
            SORA_STATUS_UNSUPPORTED_CPU);
  std::string expectedMissing = hostCpuHasFlag("avx512f")
                                    ? "missing avx512fp16"
                                    : "missing avx512f, avx512fp16";
  EXPECT_EQ(message, "model 'fake' (target fake-target) cannot run on this "
                     "CPU: " +
                         expectedMissing);
}

TEST(Create, UnknownCpuFeature) {
  std::string message;
  EXPECT_EQ(Variant("fake_cpu_unknown").create(message),
            SORA_STATUS_UNSUPPORTED_CPU);
  EXPECT_EQ(message, "model 'fake' (target fake-target) cannot run on this "
                     "CPU: unknown CPU feature 'frobnicate'");
}

TEST(Create, MalformedSequenceBound) {
  std::string message;
  EXPECT_EQ(Variant("fake_bad_sequence").create(message),
            SORA_STATUS_ABI_MISMATCH);
  EXPECT_EQ(message, "malformed model: bad max_sequence");
}

TEST(Create, ErrorBufferIsTruncatedAndTerminated) {
  std::string message;
  EXPECT_EQ(Variant("fake_abi999").create(message, 9),
            SORA_STATUS_ABI_MISMATCH);
  EXPECT_EQ(message, "model wa");
}

/// Writes `bytes` to `path`.
void writeFile(const std::string &path, const std::vector<uint8_t> &bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char *>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

TEST(Create, ExternalWeightsAreMappedAndChecked) {
  const std::string file = SORA_FAKE_MODEL_DIR "/fake_external.weights";
  std::vector<uint8_t> weights(64);
  for (size_t i = 0; i < weights.size(); ++i)
    weights[i] = static_cast<uint8_t>(i);
  Variant model("fake_external_weights");
  std::string message;

  std::remove(file.c_str());
  EXPECT_EQ(model.create(message), SORA_STATUS_BAD_WEIGHTS);
  EXPECT_EQ(message, "cannot open the weights file '" + file +
                         "' of model 'fake': No such file or directory");

  writeFile(file, std::vector<uint8_t>(weights.begin(), weights.end() - 1));
  EXPECT_EQ(model.create(message), SORA_STATUS_BAD_WEIGHTS);
  EXPECT_EQ(message, "weights file '" + file +
                         "' has 63 bytes; model 'fake' needs 64 (a truncated "
                         "file, or another model's)");

  std::vector<uint8_t> other = weights;
  other[5] = 0;
  writeFile(file, other);
  EXPECT_EQ(model.create(message), SORA_STATUS_BAD_WEIGHTS);
  EXPECT_EQ(message, "weights file '" + file +
                         "' is not the one model 'fake' was compiled with "
                         "(checksum mismatch)");

  // The right file, beside the library or named by weights_path: the run
  // sees its bytes (the fake model checks them).
  writeFile(file, weights);
  EXPECT_EQ(model.create(message), SORA_STATUS_OK) << message;
  const std::string moved = SORA_FAKE_MODEL_DIR "/moved.weights";
  std::rename(file.c_str(), moved.c_str());
  EXPECT_EQ(model.create(message, 256, moved.c_str()), SORA_STATUS_OK)
      << message;
  std::remove(moved.c_str());
}

TEST(Create, FromNullDescriptorIsInvalid) {
  char error[64];
  sora_model_options_t options;
  sora_model_options_initialize(&options);
  options.error_buffer = error;
  options.error_buffer_size = sizeof(error);
  sora_model_t *model = nullptr;
  EXPECT_EQ(sora_model_create_from(nullptr, &options, &model),
            SORA_STATUS_INVALID_ARGUMENT);
  EXPECT_STREQ(error, "descriptor is NULL");
  EXPECT_EQ(model, nullptr);
}

} // namespace
