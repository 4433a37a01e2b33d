// jk_math.h — small helpers shared by every kernel, for nvcc and the host emulator (g++):
// loads and stores of f32/bf16/f16 as float, 16-byte vector access, 64-bit grid-stride indices,
// and warp/block sum reductions.
#pragma once
#include "common/jk_cuda.h"

// ---- scalar access: every dtype is computed in float ----------------------------------------
// NOTE [Why compute in float]: bf16/f16 inputs are widened to float, the op runs in float, and the
// result is rounded once on store (round-to-nearest-even), as PyTorch's CUDA kernels do.
__host__ __device__ __forceinline__ float jk_load_f(const float* p) { return *p; }
__host__ __device__ __forceinline__ float jk_load_f(const __nv_bfloat16* p) { return __bfloat162float(*p); }
__host__ __device__ __forceinline__ float jk_load_f(const __half* p) { return __half2float(*p); }

__host__ __device__ __forceinline__ void jk_store_f(float* p, float v) { *p = v; }
__host__ __device__ __forceinline__ void jk_store_f(__nv_bfloat16* p, float v) { *p = __float2bfloat16(v); }
__host__ __device__ __forceinline__ void jk_store_f(__half* p, float v) { *p = __float2half(v); }

// ---- 16-byte vectors ----------------------------------------------------------------------------
// jk_vec<T>: 16 bytes of T (4 floats, 8 bf16/f16, 2 doubles), loaded and stored as one 128-bit
// access on the GPU. Use it only where jk_is_aligned16 holds for every pointer involved; handle
// the tail (n % jk_vec<T>::N) and unaligned tensors with scalar code.
template <typename T>
struct __align__(16) jk_vec {
    static constexpr int N = 16 / sizeof(T);
    T v[N];
};

__host__ __device__ __forceinline__ bool jk_is_aligned16(const void* p) {
    return (reinterpret_cast<uintptr_t>(p) & 15u) == 0;
}

// The emulator checks the alignment a GPU requires (x86 would load it silently).
#if defined(__CUDACC__)
#define JK_VEC_CHECK_ALIGNED(p, access)
#else
#define JK_VEC_CHECK_ALIGNED(p, access) \
    if (!jk_is_aligned16(p)) ::jk_emu::misaligned(p, 16, access)
#endif

template <typename T>
__host__ __device__ __forceinline__ jk_vec<T> jk_vec_load(const T* p) {  // p 16-byte aligned
    JK_VEC_CHECK_ALIGNED(p, "load");
    return *reinterpret_cast<const jk_vec<T>*>(p);
}

template <typename T>
__host__ __device__ __forceinline__ void jk_vec_store(T* p, const jk_vec<T>& v) {  // p 16-byte aligned
    JK_VEC_CHECK_ALIGNED(p, "store");
    *reinterpret_cast<jk_vec<T>*>(p) = v;
}

// ---- grid-stride indices (64-bit: tensors may exceed 2^31 elements) -----------------------------
//   for (int64_t i = jk_global_index(); i < n; i += jk_grid_stride()) ...
__device__ __forceinline__ int64_t jk_global_index() {
    return (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
}

__device__ __forceinline__ int64_t jk_grid_stride() {
    return (int64_t)gridDim.x * blockDim.x;
}

// ---- reductions -----------------------------------------------------------------------------
// Sum over the 32 lanes of a full warp; every lane gets the total.
__device__ __forceinline__ float jk_warp_sum(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__device__ __forceinline__ float jk_warp_max(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

// Sum over a one-dimensional block whose size is a multiple of 32 (up to 1024); every thread gets
// the total. `scratch` is __shared__ float[32]. Every thread of the block must call it.
__device__ __forceinline__ float jk_block_sum(float v, float* scratch) {
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int nwarps = (blockDim.x + 31) >> 5;
    v = jk_warp_sum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = lane < nwarps ? scratch[lane] : 0.0f;
    return jk_warp_sum(v);
}
