// fp16_cuda.cpp — the CUDA toolkit's own host conversions (cuda_fp16.h, cuda_bf16.h), for
// fp16_check.cpp to compare kernels/common/jk_host_fp16.h with. Compiled by native/Makefile
// (target fp16-check) with -I$(CUDA_HOME)/include, only where the toolkit's headers exist.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

// Through the toolkit's raw structs, as its own headers convert.
static uint16_t bits16(__half h) { return static_cast<__half_raw>(h).x; }
static uint16_t bits16(__nv_bfloat16 b) { return static_cast<__nv_bfloat16_raw>(b).x; }
template <typename T, typename Raw>
static T from_bits16(uint16_t b) {
    Raw r;
    r.x = b;
    return T(r);
}

extern "C" {
uint16_t jk_check_cuda_float2half(float f) { return bits16(__float2half(f)); }
uint16_t jk_check_cuda_float2half_rn(float f) { return bits16(__float2half_rn(f)); }
float jk_check_cuda_half2float(uint16_t h) { return __half2float(from_bits16<__half, __half_raw>(h)); }
uint16_t jk_check_cuda_float2bfloat16(float f) { return bits16(__float2bfloat16(f)); }
uint16_t jk_check_cuda_float2bfloat16_rn(float f) { return bits16(__float2bfloat16_rn(f)); }
float jk_check_cuda_bfloat162float(uint16_t b) { return __bfloat162float(from_bits16<__nv_bfloat16, __nv_bfloat16_raw>(b)); }
}
