// tensor.cu — data movement kernels behind io.jkernels.tensor.Tensor: strided copies
// (contiguous(), copyFrom between views, to(Device) of a view).
//
// copy_strided_b<N>: element i (row-major over sizes[0..rank)) moves from
//   src + sum_k idx_k * src_strides[k]   to   dst + sum_k idx_k * dst_strides[k]
// (strides in elements of N bytes). The Java side merges contiguous dimensions first, so most
// views arrive as 1 to 3 dimensions; at most JK_COPY_RANK remain.
// PyTorch reference: Tensor.copy_ / Tensor.contiguous.

#include "common/jk_cuda.h"
#include "common/jk_math.h"

#define JK_COPY_RANK 8

// ---- kernels -----------------------------------------------------------------------------

struct jk_copy_layout {
    int64_t sizes[JK_COPY_RANK];
    int64_t src_strides[JK_COPY_RANK];
    int64_t dst_strides[JK_COPY_RANK];
    int64_t rank;
    int64_t n;
};

template <typename T>
__device__ __forceinline__ void jk_copy_strided(T* __restrict__ dst, const T* __restrict__ src,
                                                const jk_copy_layout& L) {
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < L.n; i += stride) {
        int64_t rem = i, so = 0, d = 0;
        for (int k = (int)L.rank - 1; k >= 0; k--) {
            const int64_t idx = rem % L.sizes[k];
            rem /= L.sizes[k];
            so += idx * L.src_strides[k];
            d += idx * L.dst_strides[k];
        }
        dst[d] = src[so];
    }
}

extern "C" __global__ void copy_strided_b1(uint8_t* dst, const uint8_t* src, jk_copy_layout L) {
    jk_copy_strided(dst, src, L);
}
JK_KERNEL(copy_strided_b1)

extern "C" __global__ void copy_strided_b2(uint16_t* dst, const uint16_t* src, jk_copy_layout L) {
    jk_copy_strided(dst, src, L);
}
JK_KERNEL(copy_strided_b2)

extern "C" __global__ void copy_strided_b4(uint32_t* dst, const uint32_t* src, jk_copy_layout L) {
    jk_copy_strided(dst, src, L);
}
JK_KERNEL(copy_strided_b4)

extern "C" __global__ void copy_strided_b8(uint64_t* dst, const uint64_t* src, jk_copy_layout L) {
    jk_copy_strided(dst, src, L);
}
JK_KERNEL(copy_strided_b8)

// fill_b8: dst[i] = pattern for i < n (an 8-byte fill; cuMemsetD32 covers patterns whose two
// halves agree).
extern "C" __global__ void fill_b8(uint64_t* dst, uint64_t pattern, int64_t n) {
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        dst[i] = pattern;
    }
}
JK_KERNEL(fill_b8)
