//===- TuningTest.cpp - Signatures, database, schedule space, runner ------===//

#include "KernelTestSupport.h"

#include "sora/Tuning/CostModel.h"
#include "sora/Tuning/Heuristics.h"
#include "sora/Tuning/KernelSignature.h"
#include "sora/Tuning/Runner.h"
#include "sora/Tuning/ScheduleSpace.h"
#include "sora/Tuning/TuningDatabase.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <fstream>
#include <unistd.h>

namespace sora::test {
namespace {

using K = KernelOpKind;

const TargetInfo &avx2() { return *lookupTarget("x86-64-avx2"); }

KernelSpec denseSpec(int64_t n, int64_t k, int64_t u) {
  SpecBuilder b("dense");
  int x = b.arg({n, k});
  b.dense(x, b.arg({k, u}));
  b.spec.result = 2;
  return b.spec;
}

KernelSpec convSpec(Shape x, Shape w) {
  SpecBuilder b("conv");
  int input = b.arg(x);
  b.conv(input, b.arg(w), -1, {1, 1}, {1, 1}, {1, 1, 1, 1});
  b.spec.result = 2;
  return b.spec;
}

std::string scratchFile(const char *name) {
  return ::testing::TempDir() + "/" + name + std::to_string(getpid());
}

TEST(Tuning, SignatureIgnoresNamesProvenanceAndSchedule) {
  KernelSpec a = denseSpec(4, 8, 16), b = a;
  b.name = "other";
  b.ops[0].particle = "d9";
  b.ops[0].location = "m.json:3:4";
  b.schedule.tileRows = 7;
  EXPECT_EQ(kernelSignature(a, {1}), kernelSignature(b, {1}));
  // Shapes and constness of operands are part of it.
  EXPECT_NE(kernelSignature(a, {1}), kernelSignature(a, {}));
  EXPECT_NE(kernelSignature(a, {1}), kernelSignature(denseSpec(4, 8, 24), {1}));
  EXPECT_EQ(kernelSignature(a, {1}),
            "  %0 = arg f32[4, 8]\n  %1 = arg f32[8, 16]\n"
            "  %2 = dense(%0, %1) : [4, 16]\n  return %2\n  weights %1\n");
}

TEST(Tuning, DatabaseRoundTripsAndMerges) {
  TuningDatabase db;
  TuningEntry e;
  e.kernel = "  %0 = arg f32[1, 2]\n";
  e.target = "x86-64-avx2";
  e.threads = 2;
  e.schedule.tileRows = 3;
  e.schedule.panelsOuter = 1;
  e.medianUs = 1.5;
  e.defaultMedianUs = 3.0;
  e.trials = 12;
  e.complete = false;
  e.date = "2026-12-04T00:00:00Z";
  e.machine = "m";
  db.put(e);
  TuningEntry other = e;
  other.threads = 1;
  db.put(other);
  std::string path = scratchFile("db.json");
  DatabaseError error;
  ASSERT_TRUE(db.save(path, error)) << error.str();
  TuningDatabase back;
  ASSERT_TRUE(back.load(path, false, error)) << error.str();
  ASSERT_EQ(back.entries().size(), 2u);
  const TuningEntry *found = back.find(e.kernel, e.target, 2);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->schedule.tileRows, 3);
  EXPECT_EQ(found->schedule.panelsOuter, 1);
  EXPECT_DOUBLE_EQ(found->speedup(), 2.0);
  EXPECT_FALSE(found->complete);
  EXPECT_EQ(found->trials, 12);
  EXPECT_EQ(back.threadCounts(e.kernel, e.target), (std::vector<int>{1, 2}));
  // A newer entry for a key replaces the older one.
  e.trials = 30;
  back.put(e);
  EXPECT_EQ(back.entries().size(), 2u);
  EXPECT_EQ(back.find(e.kernel, e.target, 2)->trials, 30);
  EXPECT_EQ(back.find(e.kernel, "x86-64-avx512", 2), nullptr);
  std::remove(path.c_str());
  // A missing file is an empty database only when that is allowed.
  EXPECT_TRUE(back.load(path, true, error));
  EXPECT_TRUE(back.entries().empty());
  EXPECT_FALSE(back.load(path, false, error));
}

TEST(Tuning, MalformedDatabasesSayWhere) {
  std::string path = scratchFile("bad.json");
  auto loadText = [&](const std::string &text) {
    std::ofstream(path) << text;
    TuningDatabase db;
    DatabaseError error;
    EXPECT_FALSE(db.load(path, false, error));
    return error;
  };
  DatabaseError syntax = loadText("{\n  \"format\": x}");
  EXPECT_EQ(syntax.line, 2);
  EXPECT_EQ(syntax.column, 13);
  std::string head = "{\"format\": \"soracc-tuning-db\", \"version\": 1, "
                     "\"entries\": [";
  EXPECT_EQ(loadText(head + "{\"kernel\": 3}]}").message,
            "entries[0].kernel: expected a string");
  EXPECT_EQ(loadText(head + "{\"kernel\": \"k\", \"target\": \"t\", "
                            "\"threads\": 18446744073709551615}]}")
                .message,
            "not valid JSON: integer 18446744073709551615 is outside the "
            "range of a 64-bit integer");
  EXPECT_EQ(loadText(head + "{\"kernel\": \"k\", \"target\": \"t\", "
                            "\"threads\": 1, \"schedule\": {\"vector\": 8}}]}")
                .message,
            "entries[0].schedule: a schedule names every field");
  EXPECT_EQ(loadText("[]").message, "not a soracc tuning database (it has no "
                                    "\"format\": \"soracc-tuning-db\")");
  std::remove(path.c_str());
}

TEST(Tuning, SpaceHoldsValidDistinctPointsAndTheDefault) {
  for (const KernelSpec &spec :
       {denseSpec(64, 256, 100), denseSpec(1, 512, 512),
        convSpec({1, 14, 14, 64}, {3, 3, 64, 64})}) {
    std::vector<ScheduleRecord> space = scheduleSpace(spec, avx2());
    KernelWork work = kernelWork(spec);
    EXPECT_GT(space.size(), 50u);
    EXPECT_EQ(space.front(), defaultSchedule(spec, avx2()));
    for (size_t i = 0; i < space.size(); ++i) {
      const ScheduleRecord &s = space[i];
      EXPECT_EQ(checkSchedule(PartialSchedule::of(s)), "");
      EXPECT_LE(s.tileRows, std::max<int64_t>(work.rowRun, 1));
      EXPECT_LE(s.tileCols, (work.cols + 7) / 8 * 8);
      EXPECT_TRUE(s.parallel || s.grain == 1);
      for (size_t j = 0; j < i; ++j)
        EXPECT_FALSE(space[j] == s);
    }
  }
  // A softmax varies what its family reads: vector, parallel, grain.
  SpecBuilder b("softmax");
  b.softmax(b.arg({64, 1000}), 1);
  b.spec.result = 1;
  std::vector<ScheduleRecord> space = scheduleSpace(b.spec, avx2());
  EXPECT_GT(space.size(), 4u);
  for (const ScheduleRecord &s : space) {
    EXPECT_EQ(s.tileRows, 1);
    EXPECT_EQ(s.tileCols % s.vector, 0);
  }
}

TEST(Tuning, CostModelPrefersTilesThatFitRegisters) {
  KernelSpec spec = denseSpec(256, 512, 256);
  KernelWork work = kernelWork(spec);
  EXPECT_DOUBLE_EQ(work.flops, 2.0 * 256 * 512 * 256);
  ScheduleRecord fits = defaultSchedule(spec, avx2()); // 6 x 2 vectors
  ScheduleRecord spills = fits;
  spills.tileRows = 8;
  spills.tileCols = 32; // 32 accumulators of 16 registers
  ScheduleRecord thin = fits;
  thin.tileRows = 1;
  thin.tileCols = 8; // one chain: FMA latency exposed
  double base = estimateMicros(work, fits, avx2(), 1);
  EXPECT_LT(base, estimateMicros(work, spills, avx2(), 1));
  EXPECT_LT(base, estimateMicros(work, thin, avx2(), 1));
  // Two threads share parallel work (5 row blocks: 3 on the busier
  // thread); a serial schedule gains nothing.
  EXPECT_LT(estimateMicros(work, fits, avx2(), 2), 0.65 * base);
  ScheduleRecord serial = fits;
  serial.parallel = 0;
  EXPECT_DOUBLE_EQ(estimateMicros(work, serial, avx2(), 2),
                   estimateMicros(work, serial, avx2(), 1));
}

TEST(Tuning, RunnerSurvivesFailuresCrashesAndHangs) {
  CommandResult ok = runCommand({"/bin/echo", "hi there"}, "", 10, nullptr);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.output, "hi there\n");
  CommandResult failed =
      runCommand({"/bin/sh", "-c", "echo no >&2; exit 3"}, "", 10, nullptr);
  EXPECT_EQ(failed.status, CommandResult::Exited);
  EXPECT_EQ(failed.code, 3);
  EXPECT_EQ(failed.output, "no\n");
  CommandResult crashed =
      runCommand({"/bin/sh", "-c", "kill -SEGV $$"}, "", 10, nullptr);
  EXPECT_EQ(crashed.status, CommandResult::Signaled);
  EXPECT_EQ(crashed.describe(), "killed by signal 11 (Segmentation fault)");
  // A hang, with its output closed, is killed at the timeout.
  CommandResult hung = runCommand(
      {"/bin/sh", "-c", "exec >/dev/null 2>&1; sleep 30"}, "", 0.5, nullptr);
  EXPECT_EQ(hung.status, CommandResult::TimedOut);
  CommandResult missing = runCommand({"/no/such/tool"}, "", 10, nullptr);
  EXPECT_EQ(missing.status, CommandResult::NotStarted);
  // A runner template: the quoted command where {cmd} stands.
  CommandResult wrapped =
      runCommand({"/bin/echo", "it's"}, "echo via; {cmd}", 10, nullptr);
  EXPECT_EQ(wrapped.output, "via\nit's\n");
  EXPECT_EQ(shellCommand({"a", "b c", "it's", ""}), "a 'b c' 'it'\\''s' ''");
}

TEST(Tuning, RunnerTemplatesFillPlaceholdersOnce) {
  EXPECT_EQ(replaceAll("ssh {host} {cmd}; echo {host}", "{host}", "n1"),
            "ssh n1 {cmd}; echo n1");
  // A value holding the placeholder (a model named "{cmd}.json") is not
  // expanded again.
  EXPECT_EQ(replaceAll("run {cmd}", "{cmd}", "soracc {cmd}.json"),
            "run soracc {cmd}.json");
  CommandResult named =
      runCommand({"/bin/echo", "{cmd}"}, "{cmd}", 10, nullptr);
  EXPECT_EQ(named.output, "{cmd}\n");
}

} // namespace
} // namespace sora::test
