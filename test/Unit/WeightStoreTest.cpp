//===- WeightStoreTest.cpp - The weight store under concurrent passes -----===//
//
// Function passes (batch_norm folding, the transformer decomposition) read
// and define weights through WeightValues while MLIR runs them on several
// functions at once.
//
//===----------------------------------------------------------------------===//

#include "sora/Frontend/WeightStore.h"

#include "gtest/gtest.h"

#include <string>
#include <thread>
#include <vector>

namespace sora::test {
namespace {

TEST(WeightStore, PassesMayReadAndDefineConcurrently) {
  std::unique_ptr<WeightStore> store = WeightStore::none();
  constexpr int kThreads = 8, kTensors = 1000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kTensors; ++i) {
        std::string name = "t" + std::to_string(t) + "." + std::to_string(i);
        store->define(name, {2}, {(float)t, (float)i});
        std::optional<std::vector<float>> back = store->read(name);
        ASSERT_TRUE(back);
        EXPECT_EQ(*back, (std::vector<float>{(float)t, (float)i}));
        // Another thread's tensors, defined or not yet.
        store->read("t" + std::to_string((t + 1) % kThreads) + ".0");
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kTensors; ++i)
      EXPECT_EQ(store->read("t" + std::to_string(t) + "." + std::to_string(i)),
                (std::vector<float>{(float)t, (float)i}));
}

} // namespace
} // namespace sora::test
