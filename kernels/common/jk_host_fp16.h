// jk_host_fp16.h — for the host emulator build (g++) on a machine without a CUDA toolkit: what
// jk_cuda.h otherwise takes from the toolkit's cuda_bf16.h / cuda_fp16.h (and the headers they
// bring, crt/host_defines.h and vector_types.h).
//
// native/Makefile passes -DJK_NO_CUDA_HEADERS when $(CUDA_HOME)/include/cuda_fp16.h does not
// exist; jk_cuda.h then includes this file instead of the toolkit's headers. With a toolkit the
// toolkit's own headers are used and this file is not included by any kernel.
//
// It supplies only what kernels/*.cu, kernels/math/*.h and native/emu/*.cpp use on the host:
//   - __host__ __device__ __global__ __forceinline__ __align__ __constant__ ... (as host_defines.h
//     defines them for g++: nothing, always_inline, aligned);
//   - uint3, dim3, float4 (same layout and alignment as vector_types.h);
//   - __half, __nv_bfloat16 (2 bytes, 2-byte aligned, trivially copyable; no arithmetic operators
//     and no implicit conversions: kernels widen to float with the functions below);
//   - __float2half(_rn), __half2float, __float2bfloat16(_rn), __bfloat162float.
// A kernel that starts using more of the toolkit's headers fails the no-toolkit build of .ci/run,
// and then gets it added here.
//
// The conversions are bit-identical to the host path of the toolkit's conversions (checked for
// every fp16/bf16 pattern and every float rounding boundary by native/check/fp16_check.cpp):
//   float -> fp16/bf16: round to nearest, ties to even; overflow (|x| >= 65520 for fp16, past
//     bf16's max finite) gives ±Inf; fp16 subnormals exact; ±0 and ±Inf kept; a NaN becomes the
//     canonical quiet NaN 0x7fff (sign and payload dropped, as CUDA does on host and device);
//   fp16 -> float: exact; a NaN becomes 0x7fffffff (canonical quiet NaN, as CUDA);
//   bf16 -> float: exact (the 16 bits shifted up; a NaN keeps its sign and payload, as CUDA).
#pragma once

#include <stdint.h>
#include <string.h>

// ---- the bit-level conversions (namespace jk_fp16: also used without JK_NO_CUDA_HEADERS, by the
// check that compares them with the toolkit's) ----------------------------------------------------
namespace jk_fp16 {

inline uint32_t float_bits(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    return x;
}
inline float bits_float(uint32_t x) {
    float f;
    memcpy(&f, &x, 4);
    return f;
}

// Round-to-nearest-even increment for a value truncated to `kept`, with `rest` the dropped bits
// and `halfway` the value of half a unit in the last kept place.
inline uint32_t rne_carry(uint32_t kept, uint32_t rest, uint32_t halfway) {
    return (rest > halfway || (rest == halfway && (kept & 1u))) ? 1u : 0u;
}

inline uint16_t float_to_half_rn(float f) {
    const uint32_t x = float_bits(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return 0x7fffu;          // NaN: canonical quiet NaN
    if (a >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // >= 65520 (65504 + half an ulp, a tie
                                                             // that rounds to even = up): ±Inf
    if (a >= 0x38800000u) {                        // >= 2^-14: a normal fp16
        const uint32_t h = (a - 0x38000000u) >> 13;  // exponent rebiased 127 -> 15, 10 mantissa bits
        return uint16_t(sign | (h + rne_carry(h, a & 0x1fffu, 0x1000u)));  // a carry may reach 2^-14·2
    }
    if (a < 0x33000000u) return uint16_t(sign);   // < 2^-25 (half the smallest subnormal): ±0
    // A subnormal fp16 (units of 2^-24): the float's 24-bit significand shifted right by 14..24.
    const uint32_t shift = 126u - (a >> 23);
    const uint32_t m = (a & 0x7fffffu) | 0x800000u;
    const uint32_t h = m >> shift;
    return uint16_t(sign | (h + rne_carry(h, m & ((1u << shift) - 1u), 1u << (shift - 1u))));
}

inline float half_to_float(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1fu;
    const uint32_t m = h & 0x3ffu;
    if (e == 0x1fu) return bits_float(m != 0 ? 0x7fffffffu : (sign | 0x7f800000u));  // NaN, ±Inf
    if (e != 0) return bits_float(sign | ((e + 112u) << 23) | (m << 13));           // normal
    // ±0 and subnormals: m * 2^-24, exact in float (a normal float for m != 0).
    return bits_float(sign | float_bits(float(m) * 0x1p-24f));
}

inline uint16_t float_to_bf16_rn(float f) {
    const uint32_t x = float_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return 0x7fffu;  // NaN: canonical quiet NaN
    // Ties to even by adding just under half (or exactly half when the kept part is odd); a carry
    // past bf16's max finite lands on the Inf pattern, and ±Inf stays ±Inf.
    return uint16_t((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

inline float bf16_to_float(uint16_t b) { return bits_float(uint32_t(b) << 16); }

}  // namespace jk_fp16

#if defined(JK_NO_CUDA_HEADERS)
// ---- crt/host_defines.h, as it reads for g++ -------------------------------------------------
#define __host__
#define __device__
#define __global__
#define __shared__
#define __constant__
#define __managed__
#define __grid_constant__
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __align__(n) __attribute__((aligned(n)))
#define __builtin_align__(n) __align__(n)

// ---- vector_types.h: the vector types the host build uses ------------------------------------
struct uint3 {
    unsigned int x, y, z;
};
struct __align__(16) float4 {
    float x, y, z, w;
};
struct dim3 {
    unsigned int x, y, z;
    constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
    constexpr operator uint3() const { return uint3{x, y, z}; }
};

// ---- cuda_fp16.h / cuda_bf16.h ------------------------------------------------------------------
struct __align__(2) __half {
    unsigned short __x;
};
struct __align__(2) __nv_bfloat16 {
    unsigned short __x;
};
typedef __half half;
typedef __nv_bfloat16 nv_bfloat16;
static_assert(sizeof(__half) == 2 && alignof(__half) == 2, "__half layout");
static_assert(sizeof(__nv_bfloat16) == 2 && alignof(__nv_bfloat16) == 2, "__nv_bfloat16 layout");
static_assert(sizeof(float4) == 16 && alignof(float4) == 16, "float4 layout");

inline __half __float2half_rn(float f) { return __half{jk_fp16::float_to_half_rn(f)}; }
inline __half __float2half(float f) { return __float2half_rn(f); }
inline float __half2float(__half h) { return jk_fp16::half_to_float(h.__x); }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16{jk_fp16::float_to_bf16_rn(f)}; }
inline __nv_bfloat16 __float2bfloat16(float f) { return __float2bfloat16_rn(f); }
inline float __bfloat162float(__nv_bfloat16 b) { return jk_fp16::bf16_to_float(b.__x); }
#endif  // JK_NO_CUDA_HEADERS
