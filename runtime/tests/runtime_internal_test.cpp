//===- runtime_internal_test.cpp - Thread pool, block cache, CPU checks ---===//

#include "block_cache.h"
#include "cpu_features.h"
#include "thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct PoolDeleter {
  void operator()(sora_thread_pool_t *pool) const {
    sora_thread_pool_release(pool);
  }
};
using PoolPtr = std::unique_ptr<sora_thread_pool_t, PoolDeleter>;

PoolPtr createPool(int32_t workers) {
  sora_thread_pool_t *pool = nullptr;
  EXPECT_EQ(sora_thread_pool_create(workers, &pool), 0);
  return PoolPtr(pool);
}

/// Per-task record: which thread ran it, how often.
struct Record {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::vector<std::atomic<int>> hits;
  std::chrono::microseconds taskTime{0};
  explicit Record(int size) : hits(size) {}
};

int recordTask(void *userContext, int index, uint8_t *) {
  auto *record = static_cast<Record *>(userContext);
  record->hits[index - 10]++;
  {
    std::lock_guard<std::mutex> lock(record->mutex);
    record->threads.insert(std::this_thread::get_id());
  }
  std::this_thread::sleep_for(record->taskTime);
  return 0;
}

TEST(ThreadPool, RunsEveryTaskOnceOnSeveralThreads) {
  PoolPtr pool = createPool(3);
  Record record(64);
  record.taskTime = std::chrono::microseconds(500);
  ASSERT_EQ(
      sora_thread_pool_run(pool.get(), recordTask, &record, 10, 64, nullptr),
      0);
  for (int i = 0; i < 64; ++i)
    EXPECT_EQ(record.hits[i].load(), 1) << "task " << i;
  EXPECT_GT(record.threads.size(), 1u) << "workers joined the loop";
  EXPECT_LE(record.threads.size(), 4u);
}

TEST(ThreadPool, NullPoolRunsSeriallyOnTheCaller) {
  Record record(5);
  ASSERT_EQ(sora_thread_pool_run(nullptr, recordTask, &record, 10, 5, nullptr),
            0);
  EXPECT_EQ(record.threads,
            std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(ThreadPool, ManyBackToBackShortLoops) {
  PoolPtr pool = createPool(1);
  for (int iteration = 0; iteration < 20000; ++iteration) {
    Record record(4);
    ASSERT_EQ(
        sora_thread_pool_run(pool.get(), recordTask, &record, 10, 4, nullptr),
        0);
    for (int i = 0; i < 4; ++i)
      ASSERT_EQ(record.hits[i].load(), 1);
  }
}

TEST(ThreadPool, LoopsAfterWorkersFellAsleep) {
  PoolPtr pool = createPool(2);
  for (int iteration = 0; iteration < 3; ++iteration) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    Record record(16);
    record.taskTime = std::chrono::microseconds(200);
    ASSERT_EQ(
        sora_thread_pool_run(pool.get(), recordTask, &record, 10, 16, nullptr),
        0);
    for (int i = 0; i < 16; ++i)
      EXPECT_EQ(record.hits[i].load(), 1);
  }
}

struct Nested {
  sora_thread_pool_t *pool;
  std::atomic<int> inner{0};
  std::atomic<int> outerThreadsMismatch{0};
};

int innerTask(void *userContext, int, uint8_t *closure) {
  auto *nested = static_cast<Nested *>(userContext);
  auto *outerThread = reinterpret_cast<std::thread::id *>(closure);
  if (*outerThread != std::this_thread::get_id())
    nested->outerThreadsMismatch++;
  nested->inner++;
  return 0;
}

int outerTask(void *userContext, int, uint8_t *) {
  auto *nested = static_cast<Nested *>(userContext);
  std::thread::id self = std::this_thread::get_id();
  return sora_thread_pool_run(nested->pool, innerTask, userContext, 0, 8,
                              reinterpret_cast<uint8_t *>(&self));
}

TEST(ThreadPool, NestedLoopsRunInlineOnTheTaskThread) {
  PoolPtr pool = createPool(2);
  Nested nested;
  nested.pool = pool.get();
  ASSERT_EQ(sora_thread_pool_run(pool.get(), outerTask, &nested, 0, 6, nullptr),
            0);
  EXPECT_EQ(nested.inner.load(), 48);
  EXPECT_EQ(nested.outerThreadsMismatch.load(), 0);
}

int failingTask(void *userContext, int index, uint8_t *) {
  static_cast<std::atomic<int> *>(userContext)->fetch_add(1);
  return index == 3 ? -7 : 0;
}

TEST(ThreadPool, ReturnsATaskFailure) {
  PoolPtr pool = createPool(1);
  std::atomic<int> ran{0};
  EXPECT_EQ(
      sora_thread_pool_run(pool.get(), failingTask, &ran, 0, 1000, nullptr),
      -7);
  EXPECT_LT(ran.load(), 1000) << "remaining tasks are skipped";
  ran = 0;
  EXPECT_EQ(
      sora_thread_pool_run(pool.get(), failingTask, &ran, 4, 100, nullptr), 0);
  EXPECT_EQ(ran.load(), 100);
}

TEST(BlockCache, AlignedAndReused) {
  sora_block_cache_t *cache = sora_block_cache_create();
  ASSERT_NE(cache, nullptr);
  void *a = sora_block_alloc(cache, 1000);
  void *b = sora_block_alloc(cache, 5000);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % SORA_BLOCK_ALIGNMENT, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % SORA_BLOCK_ALIGNMENT, 0u);
  std::memset(a, 1, 1000);
  std::memset(b, 2, 5000);
  sora_block_free(cache, a);
  sora_block_free(cache, b);
  // Same requests in steady state get the same blocks back.
  EXPECT_EQ(sora_block_alloc(cache, 5000), b);
  EXPECT_EQ(sora_block_alloc(cache, 1000), a);
  // A block is not wasted on a much smaller request.
  sora_block_free(cache, b);
  void *small = sora_block_alloc(cache, 100);
  EXPECT_NE(small, b);
  sora_block_free(cache, small);
  sora_block_free(cache, a);
  sora_block_cache_release(cache);
}

TEST(BlockCache, WithoutCacheAndZeroSize) {
  void *block = sora_block_alloc(nullptr, 0);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % SORA_BLOCK_ALIGNMENT, 0u);
  sora_block_free(nullptr, block);
  sora_block_free(nullptr, nullptr);
  EXPECT_EQ(sora_block_alloc(nullptr, SIZE_MAX - 16), nullptr);
}

TEST(BlockCache, ThreadSafe) {
  sora_block_cache_t *cache = sora_block_cache_create();
  auto churn = [cache](size_t size) {
    for (int i = 0; i < 20000; ++i) {
      auto *block = static_cast<unsigned char *>(sora_block_alloc(cache, size));
      ASSERT_NE(block, nullptr);
      block[0] = block[size - 1] = 0xab;
      sora_block_free(cache, block);
    }
  };
  std::thread other(churn, 256);
  churn(300);
  other.join();
  sora_block_cache_release(cache);
}

/// The flags line of /proc/cpuinfo, padded with spaces.
std::string cpuinfoFlags() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0)
      return line.substr(line.find(':') + 1) + " ";
  return "";
}

TEST(CpuFeatures, AgreesWithTheKernel) {
#if defined(__x86_64__)
  const std::pair<const char *, const char *> names[] = {
      {"sse4.1", "sse4_1"},
      {"sse4.2", "sse4_2"},
      {"popcnt", "popcnt"},
      {"fma", "fma"},
      {"avx", "avx"},
      {"f16c", "f16c"},
      {"bmi1", "bmi1"},
      {"avx2", "avx2"},
      {"bmi2", "bmi2"},
      {"avx512f", "avx512f"},
      {"avx512dq", "avx512dq"},
      {"avx512ifma", "avx512ifma"},
      {"avx512cd", "avx512cd"},
      {"avx512bw", "avx512bw"},
      {"avx512vl", "avx512vl"},
      {"avx512vbmi", "avx512vbmi"},
      {"avx512vbmi2", "avx512_vbmi2"},
      {"avx512vnni", "avx512_vnni"},
      {"avx512bitalg", "avx512_bitalg"},
      {"avx512vpopcntdq", "avx512_vpopcntdq"},
      {"avx512fp16", "avx512_fp16"},
      {"avxvnni", "avx_vnni"},
      {"avx512bf16", "avx512_bf16"},
  };
  std::string flags = cpuinfoFlags();
  ASSERT_FALSE(flags.empty());
  for (const auto &[ours, kernels] : names) {
    char why[128] = "";
    bool expected =
        flags.find(std::string(" ") + kernels + " ") != std::string::npos;
    EXPECT_EQ(sora_cpu_supports(ours, why, sizeof(why)), expected) << ours;
    if (!expected) {
      EXPECT_EQ(std::string(why), std::string("missing ") + ours);
    }
  }
#else
  GTEST_SKIP() << "x86-64 only";
#endif
}

TEST(CpuFeatures, ListsParsing) {
  char why[128] = "";
  EXPECT_TRUE(sora_cpu_supports("", why, sizeof(why)));
  EXPECT_TRUE(sora_cpu_supports(nullptr, why, sizeof(why)));
  EXPECT_FALSE(sora_cpu_supports("sse4.1,,bogus", why, sizeof(why)));
  EXPECT_STREQ(why, "unknown CPU feature 'bogus'");
  EXPECT_FALSE(sora_cpu_supports(" avx2 , nope", why, sizeof(why)));
  EXPECT_STREQ(why, "unknown CPU feature 'nope'");
}

} // namespace
