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

// Element index -> source and destination offsets, with index arithmetic in I: 32-bit division
// is several times cheaper than 64-bit on the GPU, so views of fewer than 2^31 elements (every
// size then below 2^31 too) take the 32-bit path; offsets stay 64-bit.
template <typename I, typename T>
__device__ __forceinline__ void jk_copy_strided_loop(T* __restrict__ dst, const T* __restrict__ src,
                                                     const jk_copy_layout& L) {
    const I n = (I)L.n;
    const I stride = (I)gridDim.x * (I)blockDim.x;
    for (I i = (I)blockIdx.x * (I)blockDim.x + (I)threadIdx.x; i < n; i += stride) {
        I rem = i;
        int64_t so = 0, d = 0;
        for (int k = (int)L.rank - 1; k >= 0; k--) {
            const I size = (I)L.sizes[k];
            const I q = rem / size;
            const I idx = rem - q * size;
            rem = q;
            so += (int64_t)idx * L.src_strides[k];
            d += (int64_t)idx * L.dst_strides[k];
        }
        dst[d] = src[so];
    }
}

template <typename T>
__device__ __forceinline__ void jk_copy_strided(T* __restrict__ dst, const T* __restrict__ src,
                                                const jk_copy_layout& L) {
    if (L.n <= (int64_t)0x7fffffff - (int64_t)gridDim.x * blockDim.x) {
        jk_copy_strided_loop<uint32_t>(dst, src, L);
    } else {
        jk_copy_strided_loop<int64_t>(dst, src, L);
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
