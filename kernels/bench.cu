// bench.cu — kernels that do nothing, for the launch-overhead part of `jkernels bench`
// (io.jkernels.bench.LaunchOverhead). They give the floor an op call is compared against: the
// cost of one launch through the same binding (ffm, jcuda or the emulator), with no arguments
// and with the 3-argument list of an elementwise op (two pointers and an int64 count, as
// relu_fwd_<dtype>), so the difference to an op call is what the op's own Java code adds
// (validation, the contiguous() handles, building the launch configuration).
//
//   bench_empty()                                        no arguments, no work
//   bench_noop3(const float* x, float* y, int64_t n)     the elementwise signature; reads and
//                                                        writes nothing
// No PyTorch reference: there is no computation.

#include "common/jk_cuda.h"

extern "C" __global__ void bench_empty() {}
JK_KERNEL(bench_empty)

extern "C" __global__ void bench_noop3(const float* x, float* y, int64_t n) {
    (void)x;
    (void)y;
    (void)n;
}
JK_KERNEL(bench_noop3)
