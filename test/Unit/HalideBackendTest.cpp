//===- HalideBackendTest.cpp - Objects, runtimes and errors ---------------===//

#include "KernelTestSupport.h"

#include "sora/Target/HalideBackend.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <filesystem>
#include <memory>

namespace sora::test {
namespace {

namespace fs = std::filesystem;
using K = KernelOpKind;

/// A fresh scratch directory per test, removed afterwards.
class ScratchDir {
public:
  ScratchDir() {
    const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name =
        std::string(info->test_suite_name()) + "_" + info->name();
    for (char &c : name)
      if (!isalnum((unsigned char)c))
        c = '_';
    path = fs::temp_directory_path() / ("sora_unit_" + name);
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchDir() { fs::remove_all(path); }
  std::string file(const std::string &name) const { return path / name; }

private:
  fs::path path;
};

/// Names of the symbols an object file defines, one per line.
std::string definedSymbols(const std::string &object) {
  std::string command = std::string(SORA_LLVM_NM) +
                        " --defined-only --format=just-symbols '" + object +
                        "'";
  std::unique_ptr<FILE, int (*)(FILE *)> pipe(popen(command.c_str(), "r"),
                                              pclose);
  std::string out;
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe.get()))
    out += buffer;
  return "\n" + out;
}

bool defines(const std::string &symbols, const std::string &name) {
  return symbols.find("\n" + name + "\n") != std::string::npos;
}

/// A dense + relu kernel and a padded conv kernel, scheduled for `target`.
std::vector<KernelSpec> sampleKernels(const TargetInfo &target) {
  SpecBuilder dense("sample_dense");
  int x = dense.arg({1, 30}), w = dense.arg({30, 10}), b = dense.arg({10});
  dense.unary(K::Relu, dense.dense(x, w, b));
  SpecBuilder conv("sample_conv");
  int cx = conv.arg({1, 8, 8, 3}), cw = conv.arg({3, 3, 3, 16});
  conv.conv(cx, cw, -1, {1, 1}, {1, 1}, {1, 1, 1, 1});
  return {dense.finish(target), conv.finish(target)};
}

class HalideBackendTarget : public ::testing::TestWithParam<std::string> {
protected:
  const TargetInfo &target() const { return *lookupTarget(GetParam()); }
};

TEST_P(HalideBackendTarget, CompilesEachKernelIntoItsObject) {
  ScratchDir dir;
  std::vector<std::string> objects{dir.file("dense.o"), dir.file("conv.o")};
  BackendError error;
  ASSERT_TRUE(compileKernelsToObjects(sampleKernels(target()), target(),
                                      objects, 2, error))
      << error.message;
  std::string dense = definedSymbols(objects[0]);
  std::string conv = definedSymbols(objects[1]);
  EXPECT_TRUE(defines(dense, "sample_dense")) << dense;
  EXPECT_FALSE(defines(dense, "sample_conv")) << dense;
  EXPECT_TRUE(defines(conv, "sample_conv")) << conv;
  // no_runtime: the runtime comes from its own object.
  EXPECT_FALSE(defines(dense, "halide_malloc")) << dense;
}

TEST_P(HalideBackendTarget, CompilesStandaloneRuntime) {
  ScratchDir dir;
  std::string object = dir.file("runtime.o");
  BackendError error;
  ASSERT_TRUE(compileHalideRuntimeObject(target(), object, error))
      << error.message;
  std::string symbols = definedSymbols(object);
  EXPECT_TRUE(defines(symbols, "halide_malloc")) << symbols;
  EXPECT_TRUE(defines(symbols, "halide_do_par_for")) << symbols;
  if (target().isGpu()) {
    EXPECT_TRUE(
        defines(symbols, "halide_" + target().gpu + "_device_interface"))
        << symbols;
  }
}

TEST_P(HalideBackendTarget, PrintsLoweredStatements) {
  std::string text;
  BackendError error;
  ASSERT_TRUE(printKernels(sampleKernels(target()), target(), text, error))
      << error.message;
  EXPECT_NE(text.find("sample_dense"), std::string::npos);
  EXPECT_NE(text.find("sample_conv"), std::string::npos);
  EXPECT_NE(text.find("produce sample_conv_result"), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(AllTargets, HalideBackendTarget,
                         ::testing::Values("x86-64-avx2", "x86-64-avx512",
                                           "aarch64-linux", "cuda"),
                         [](const auto &info) {
                           std::string name = info.param;
                           for (char &c : name)
                             if (!isalnum((unsigned char)c))
                               c = '_';
                           return name;
                         });

/// Compiling `spec` fails with a message containing `expected`.
void expectRejected(const KernelSpec &spec, const std::string &expected) {
  ScratchDir dir;
  BackendError error;
  EXPECT_FALSE(compileKernelsToObjects({spec}, *lookupTarget("x86-64-avx2"),
                                       {dir.file("bad.o")}, 1, error));
  EXPECT_NE(error.message.find(expected), std::string::npos) << error.message;
  EXPECT_EQ(error.kernel, spec.name); // the driver points at its particles
}

KernelSpec validDense() {
  SpecBuilder b("dense");
  b.dense(b.arg({2, 3}), b.arg({3, 4}));
  return b.finish(*lookupTarget("x86-64-avx2"));
}

TEST(HalideBackend, RejectsMalformedSpecs) {
  KernelSpec spec = validDense();
  spec.ops[0].operands[1] = 7;
  expectRejected(spec, "operand 7 is not an argument or an earlier op");

  spec = validDense();
  spec.args[1] = {5, 4};
  expectRejected(spec, "input features (the last dim of input");

  spec = validDense();
  spec.ops[0].shape = {2, 5};
  expectRejected(spec, "does not match the inferred [2, 4]");

  spec = validDense();
  spec.name = "not a name";
  expectRejected(spec, "is not a C identifier");

  spec = validDense();
  spec.schedule.tileCols = spec.schedule.vector + 1;
  expectRejected(spec, "must be a multiple of vector");

  spec = validDense();
  spec.schedule.tileRows = 64;
  spec.schedule.tileCols = 64 * spec.schedule.vector;
  expectRejected(spec, "exceeds 256 vectors");

  spec = validDense();
  spec.result = 9;
  expectRejected(spec, "is not a value of the kernel");

  spec = validDense();
  spec.ops.push_back({KernelOpKind::Softmax, {2}, {2, 4}});
  spec.ops.back().axis = 1;
  spec.result = 3;
  expectRejected(spec, "at most one dense, conv, pool or softmax");

  // Two convs only as a pointwise one feeding a depthwise one.
  SpecBuilder twoConvs("two_convs");
  int x = twoConvs.arg({1, 4, 4, 8}), pw = twoConvs.arg({1, 1, 8, 8});
  int full = twoConvs.arg({3, 3, 8, 8});
  twoConvs.conv(twoConvs.conv(x, pw), full, -1, {1, 1}, {1, 1}, {1, 1, 1, 1});
  expectRejected(twoConvs.finish(*lookupTarget("x86-64-avx2")),
                 "a pointwise conv feeding a depthwise one");

  SpecBuilder ids("ids");
  ids.spec.int64Args = {ids.arg({4})};
  ids.unary(KernelOpKind::Relu, 0);
  expectRejected(
      ids.finish(*lookupTarget("x86-64-avx2")),
      "operand #0 is i64; only the ids of an embedding or one_hot may be");

  SpecBuilder lp("lp");
  KernelOp norm = KernelOp::of(KernelOpKind::LpPool2D);
  norm.window = {2, 2};
  norm.scalars[0] = -1.0f;
  lp.add(norm, {lp.arg({1, 4, 4, 2})});
  expectRejected(lp.finish(*lookupTarget("x86-64-avx2")),
                 "p must be a positive number, got -1");

  SpecBuilder pool("pool");
  pool.pool(KernelOpKind::AvgPool2D, pool.arg({1, 4, 4, 2}), {2, 2}, {1, 1},
            {2, 0, 0, 0});
  expectRejected(pool.finish(*lookupTarget("x86-64-avx2")),
                 "must be smaller than the pool window [2, 2]");
}

TEST(HalideBackend, RejectsDuplicateKernelNames) {
  ScratchDir dir;
  BackendError error;
  EXPECT_FALSE(compileKernelsToObjects(
      {validDense(), validDense()}, *lookupTarget("x86-64-avx2"),
      {dir.file("a.o"), dir.file("b.o")}, 0, error));
  EXPECT_NE(error.message.find("two kernels are named 'dense'"),
            std::string::npos)
      << error.message;
  EXPECT_EQ(error.kernel, "dense");
}

TEST(HalideBackend, ReportsHalideErrors) {
  ScratchDir dir;
  BackendError error;
  TargetInfo bogus = *lookupTarget("x86-64-avx2");
  bogus.halideTarget = "x86-64-nonsense";
  EXPECT_FALSE(compileKernelsToObjects({validDense()}, bogus, {dir.file("a.o")},
                                       0, error));
  EXPECT_NE(error.message.find("not a valid Halide target"), std::string::npos)
      << error.message;

  // An error raised inside Halide itself (not by our validation).
  error = {};
  EXPECT_FALSE(
      compileKernelsToObjects({validDense()}, *lookupTarget("x86-64-avx2"),
                              {dir.file("no/such/dir/a.o")}, 0, error));
  EXPECT_FALSE(error.message.empty());
}

TEST(HalideBackend, ReportsTheFirstFailingKernelWhateverTheJobs) {
  std::vector<KernelSpec> kernels;
  for (const char *name : {"ok_a", "bad_b", "ok_c", "bad_d"}) {
    kernels.push_back(validDense());
    kernels.back().name = name;
    if (name[0] == 'b')
      kernels.back().ops[0].shape = {2, 5};
  }
  for (unsigned jobs : {1u, 2u, 4u}) {
    ScratchDir dir;
    std::vector<std::string> objects;
    for (const KernelSpec &spec : kernels)
      objects.push_back(dir.file(spec.name + ".o"));
    BackendError error;
    EXPECT_FALSE(compileKernelsToObjects(kernels, *lookupTarget("x86-64-avx2"),
                                         objects, jobs, error));
    EXPECT_EQ(error.kernel, "bad_b") << "jobs " << jobs;
    EXPECT_NE(error.message.find("does not match the inferred [2, 4]"),
              std::string::npos)
        << error.message;
  }
}

TEST(HalideBackend, NeedsOneObjectPathPerKernel) {
  ScratchDir dir;
  BackendError error;
  EXPECT_FALSE(compileKernelsToObjects(
      {validDense()}, *lookupTarget("x86-64-avx2"), {}, 0, error));
  EXPECT_NE(error.message.find("one object path per kernel"), std::string::npos)
      << error.message;
}

TEST(HalideBackend, CompilesAnEmptyKernelList) {
  ScratchDir dir;
  BackendError error;
  EXPECT_TRUE(
      compileKernelsToObjects({}, *lookupTarget("x86-64-avx2"), {}, 0, error))
      << error.message;
}

} // namespace
} // namespace sora::test
