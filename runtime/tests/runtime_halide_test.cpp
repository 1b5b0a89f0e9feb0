//===- runtime_halide_test.cpp - The runtime under real Halide code -------===//
//
// halide_model.so links a Halide 14 kernel, Halide's standalone runtime (whose
// halide_* hooks are weak) and the sora runtime, exactly like a soracc model.
// The test checks that the runtime's strong hooks are the ones kernels use:
// no thread appears beyond the model's own pool (Halide's default pool would
// start HL_NUM_THREADS workers), steady-state runs allocate nothing (Halide's
// default halide_malloc calls malloc every run), and Halide's error messages
// reach sora_model_last_error.
//
//===----------------------------------------------------------------------===//

#include "sora/runtime.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/allocator_interface.h>
#endif

// Count allocations while `gCounting` is set.
static std::atomic<bool> gCounting{false};
static std::atomic<int> gAllocations{0};
static void countAllocation() {
  if (gCounting.load(std::memory_order_relaxed))
    gAllocations++;
}

#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer owns malloc and its relatives (interposing them here would
// hand memory from glibc to ASan's free): count through its allocator hooks.
static void onAllocation(const volatile void * /*block*/, size_t /*size*/) {
  countAllocation();
}
static void onFree(const volatile void * /*block*/) {}
[[maybe_unused]] static const int gHooksInstalled =
    __sanitizer_install_malloc_and_free_hooks(onAllocation, onFree);
#else
// Interpose the allocation entry points (the executable exports them, so
// model.so binds to them).
extern "C" { // NOLINTBEGIN(bugprone-reserved-identifier)
void *__libc_malloc(size_t);
void *__libc_calloc(size_t, size_t);
void *__libc_memalign(size_t, size_t);
} // NOLINTEND(bugprone-reserved-identifier)
extern "C" void *malloc(size_t size) {
  countAllocation();
  return __libc_malloc(size);
}
extern "C" void *calloc(size_t count, size_t size) {
  countAllocation();
  return __libc_calloc(count, size);
}
extern "C" void *aligned_alloc(size_t alignment, size_t size) {
  countAllocation();
  return __libc_memalign(alignment, size);
}
extern "C" int posix_memalign(void **out, size_t alignment, size_t size) {
  countAllocation();
  void *block = __libc_memalign(alignment, size);
  if (!block)
    return ENOMEM;
  *out = block;
  return 0;
}
#endif

namespace {

int threadCount() {
  DIR *dir = opendir("/proc/self/task");
  int count = 0;
  while (dirent *entry = readdir(dir))
    count += entry->d_name[0] != '.';
  closedir(dir);
  return count;
}

/// The thread count once it reaches `expected`, or after two seconds. A joined
/// thread can stay listed in /proc for a moment: the kernel wakes the joiner
/// before it removes the exiting task.
int threadCountWhenSettled(int expected) {
  int count = threadCount();
  for (int wait = 0; wait < 200 && count != expected; ++wait) {
    usleep(10000);
    count = threadCount();
  }
  return count;
}

/// The API of halide_model.so, loaded privately.
struct Api {
  void *handle = dlopen(SORA_HALIDE_MODEL, RTLD_NOW | RTLD_LOCAL);
  template <typename Fn> Fn get(const char *name) {
    return reinterpret_cast<Fn>(dlsym(handle, name));
  }
  decltype(&sora_model_create) create =
      get<decltype(create)>("sora_model_create");
  decltype(&sora_model_release) release =
      get<decltype(release)>("sora_model_release");
  decltype(&sora_model_run) run = get<decltype(run)>("sora_model_run");
  decltype(&sora_model_set_num_threads) setNumThreads =
      get<decltype(setNumThreads)>("sora_model_set_num_threads");
  decltype(&sora_model_last_error) lastError =
      get<decltype(lastError)>("sora_model_last_error");
};

TEST(HalideModel, KernelsUseTheModelsHooks) {
  Api api;
  ASSERT_NE(api.handle, nullptr) << dlerror();
  ASSERT_TRUE(api.create && api.release && api.run && api.setNumThreads &&
              api.lastError);
  int baseThreads = threadCount();

  sora_model_options_t options{};
  options.num_threads = 1;
  sora_model_t *model = nullptr;
  ASSERT_EQ(api.create(&options, &model), SORA_STATUS_OK);

  const int64_t dims[] = {64, 96};
  std::vector<float> x(64 * 96UL), y(64 * 96UL);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = std::sin(0.1f * static_cast<float>(i));
  sora_tensor_t input{SORA_DTYPE_F32, 2, dims, x.data()};
  sora_tensor_t output{SORA_DTYPE_F32, 2, dims, y.data()};

  for (int threads : {1, 2}) {
    SCOPED_TRACE(threads);
    ASSERT_EQ(api.setNumThreads(model, threads), SORA_STATUS_OK);
    for (int run = 0; run < 30; ++run) {
      std::fill(y.begin(), y.end(), 0.0f);
      gCounting = run >= 3; // Steady state after a few runs.
      ASSERT_EQ(api.run(model, &input, 1, &output, 1), SORA_STATUS_OK)
          << api.lastError(model);
      gCounting = false;
      for (size_t i = 0; i < x.size(); ++i)
        ASSERT_FLOAT_EQ(y[i], 2.0f * x[i] + 1.0f) << i;
    }
    EXPECT_EQ(gAllocations.load(), 0) << "steady-state runs allocated";
    EXPECT_EQ(threadCountWhenSettled(baseThreads + threads - 1),
              baseThreads + threads - 1)
        << "only the model's own workers run";
  }

  x[5 * 96UL] = NAN;
  EXPECT_EQ(api.run(model, &input, 1, &output, 1), SORA_STATUS_KERNEL_FAILED);
  EXPECT_NE(
      std::strstr(api.lastError(model), "kernel failed with Halide error"),
      nullptr)
      << api.lastError(model);
  EXPECT_NE(std::strstr(api.lastError(model), "NaN in row 5"), nullptr)
      << api.lastError(model);
  api.release(model);
  EXPECT_EQ(threadCountWhenSettled(baseThreads), baseThreads);
}

} // namespace
