//===- halide_kernel_gen.cpp - A real Halide kernel for runtime tests -----===//
//
// Usage: halide_kernel_gen OUT_DIR
// Compiles y = 2 * x + 1 (f32, 2-D) the way soracc compiles kernels: with the
// `user_context` and `no_runtime` features, plus one standalone runtime.
// A compute_root intermediate makes Halide call halide_malloc, both stages
// are parallel (halide_do_par_for), and a `require` on NaN inputs reports
// through halide_error.
//
//===----------------------------------------------------------------------===//

#include <Halide.h>

#include <string>

using namespace Halide;

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  std::string dir = argv[1];
  ImageParam x(Float(32), 2, "x");
  Var i("i"), j("j");
  Func doubled("doubled"), y("y");
  doubled(i, j) = 2.0f * x(i, j);
  y(i, j) = require(!is_nan(x(0, j)), doubled(i, j) + 1.0f, "NaN in row", j);
  doubled.compute_root().parallel(j).vectorize(i, 8);
  y.parallel(j).vectorize(i, 8);

  Target target = get_host_target()
                      .with_feature(Target::UserContext)
                      .with_feature(Target::NoRuntime);
  y.compile_to_object(dir + "/halide_kernel.o", {x}, "halide_test_kernel",
                      target);
  compile_standalone_runtime(dir + "/halide_runtime.o",
                             target.without_feature(Target::NoRuntime));
  return 0;
}
