// vq_ema.cu — vector quantisation (VQ-VAE): the EMA codebook update (vq_ema_update), f32 tensors,
// float64 arithmetic. Math: kernels/math/vq.h (jk_vq_ema, jk_vq_smoothed). Spec: OPS.md
// "vq_ema_update". Reference: io.jkernels.ref.VqRef. The formula (OPS.md):
//   count[k] = #{n : indices[n] = k};  sum[k] = sum of input[n] over those n
//   cluster_size = decay * cluster_size + (1 - decay) * count
//   embed_sum    = decay * embed_sum    + (1 - decay) * sum
//   smoothed[k]  = (cluster_size[k] + eps) / (total + K * eps) * total,  total = sum of cluster_size
//   codebook[k]  = embed_sum[k] / smoothed[k]
// Each multiply-add is an explicit fma (NOTE [EMA with explicit fma] in kernels/math/vq.h), so the
// emulator computes the GPU's bits (checked by native/check/fma_check.sh).
// The nearest code (vq_nearest): kernels/vq.cu.
//
// vq_ema_update (ops/VectorQuantizer.emaUpdate), nothing written to the caller's tensors until
// the host has seen that every index is in range and total != 0:
//   vq_ema_check_i64     flags an index outside [0, K).
//   vq_ema_accum_f32     counts[k] and sums[k, :] in float64 (see NOTE [Deterministic EMA sums]).
//   vq_ema_total_f32     cluster_size' in float64 and total = its sum (one block, fixed tree).
//   vq_ema_apply_f32     cluster_size, embed_sum in place, codebook = embed_sum' / smoothed.
//
// NOTE [Deterministic EMA sums]: no float atomics. Block (g, y) owns codes [8g, 8g + 8) and
// columns [256y, 256y + 256); it reads all N indices in order, 2048 per step (8 per thread, a
// thread's 8 contiguous), compacts the rows that hit its codes into an ordered list (block scan),
// and thread j adds x[row, 256y + j] to its float64 accumulator of that code, row by row in
// increasing order. Every sum is thus taken in the same order on every run (and the float64 sum
// of float32 values is within N 2^-53 relative of exact, so it matches the reference to one
// float32 rounding). Each index is read K / 8 times; the x rows are read once.

#include "common/jk_cuda.h"
#include "common/jk_math.h"
#include "math/vq.h"

#define JK_VQ_EMA_THREADS 256  // threads per block of the accumulating and total kernels
#define JK_VQ_EMA_CODES 8      // codes per accumulating block
#define JK_VQ_EMA_PER 8        // indices per thread per step

extern "C" __global__ void vq_ema_check_i64(const int64_t* __restrict__ indices, int64_t n, int64_t k, int* bad) {
    for (int64_t i = jk_global_index(); i < n; i += jk_grid_stride()) {
        const int64_t v = indices[i];
        if (v < 0 || v >= k) atomicOr(bad, 1);
    }
}
JK_KERNEL(vq_ema_check_i64)

// Exclusive prefix sum over a block of JK_VQ_EMA_THREADS threads; *total gets the sum. `ws` is
// __shared__ int[JK_VQ_EMA_THREADS / 32 + 1].
__device__ __forceinline__ int jk_vq_block_exscan(int v, int* ws, int* total) {
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    int inc = v;
    for (int off = 1; off < 32; off <<= 1) {
        const int o = __shfl_up_sync(0xffffffffu, inc, off);
        if (lane >= off) inc += o;
    }
    if (lane == 31) ws[warp] = inc;
    __syncthreads();
    int base = 0, all = 0;
    for (int w = 0; w < JK_VQ_EMA_THREADS / 32; w++) {
        base += w < warp ? ws[w] : 0;
        all += ws[w];
    }
    __syncthreads();  // ws may be rewritten by the next call
    *total = all;
    return base + inc - v;
}

// grid (ceil(K / 8), max(1, ceil(D / 256))), block JK_VQ_EMA_THREADS. NOTE [Deterministic EMA sums].
// Indices outside [0, K) are skipped (the host has rejected the call before using the sums).
extern "C" __global__ void __launch_bounds__(JK_VQ_EMA_THREADS)
vq_ema_accum_f32(const float* __restrict__ x, const int64_t* __restrict__ indices, double* __restrict__ sums,
                 double* __restrict__ counts, int64_t n, int64_t k, int64_t d) {
    __shared__ double acc[JK_VQ_EMA_CODES][JK_VQ_EMA_THREADS];
    __shared__ int list_row[JK_VQ_EMA_THREADS * JK_VQ_EMA_PER];
    __shared__ unsigned char list_code[JK_VQ_EMA_THREADS * JK_VQ_EMA_PER];
    __shared__ int ws[JK_VQ_EMA_THREADS / 32 + 1];
    const int t = threadIdx.x;
    const int64_t k0 = (int64_t)blockIdx.x * JK_VQ_EMA_CODES;
    const int64_t col = (int64_t)blockIdx.y * JK_VQ_EMA_THREADS + t;
    int64_t cnt[JK_VQ_EMA_CODES];
#pragma unroll
    for (int g = 0; g < JK_VQ_EMA_CODES; g++) {
        acc[g][t] = 0.0;
        cnt[g] = 0;
    }
    const int64_t per_step = (int64_t)JK_VQ_EMA_THREADS * JK_VQ_EMA_PER;
    for (int64_t n0 = 0; n0 < n; n0 += per_step) {
        const int64_t first = n0 + (int64_t)t * JK_VQ_EMA_PER;  // this thread's 8 contiguous rows
        int rel[JK_VQ_EMA_PER];
        int mine = 0;
#pragma unroll
        for (int i = 0; i < JK_VQ_EMA_PER; i++) {
            int r = -1;
            if (first + i < n) {
                const int64_t v = indices[first + i] - k0;
                if (v >= 0 && v < JK_VQ_EMA_CODES && v + k0 < k) r = (int)v;
            }
            rel[i] = r;
            mine += r >= 0;
        }
        int total;
        int pos = jk_vq_block_exscan(mine, ws, &total);
#pragma unroll
        for (int i = 0; i < JK_VQ_EMA_PER; i++) {
            if (rel[i] >= 0) {
                list_row[pos] = t * JK_VQ_EMA_PER + i;
                list_code[pos] = (unsigned char)rel[i];
                pos++;
            }
        }
        __syncthreads();
        for (int e = 0; e < total; e++) {  // in increasing row order
            const int g = list_code[e];
            if (col < d) acc[g][t] += (double)x[(n0 + list_row[e]) * d + col];
#pragma unroll
            for (int h = 0; h < JK_VQ_EMA_CODES; h++) cnt[h] += h == g;
        }
        __syncthreads();  // the list is rewritten by the next step
    }
#pragma unroll
    for (int g = 0; g < JK_VQ_EMA_CODES; g++) {
        if (k0 + g < k) {
            if (col < d) sums[(k0 + g) * d + col] = acc[g][t];
            if (blockIdx.y == 0 && t == 0) counts[k0 + g] = (double)cnt[g];
        }
    }
}
JK_KERNEL(vq_ema_accum_f32)

// One block of JK_VQ_EMA_THREADS: cs_new[k] = decay cluster_size[k] + (1 - decay) counts[k] and
// total = sum of cs_new, both float64; thread t sums codes t, t + 256, ... in order, then a fixed tree.
extern "C" __global__ void vq_ema_total_f32(const float* __restrict__ cluster_size, const double* __restrict__ counts,
                                            double* __restrict__ cs_new, double* __restrict__ total, int64_t k,
                                            double decay) {
    __shared__ double part[JK_VQ_EMA_THREADS];
    const int t = threadIdx.x;
    double s = 0.0;
    for (int64_t i = t; i < k; i += JK_VQ_EMA_THREADS) {
        const double v = jk_vq_ema((double)cluster_size[i], counts[i], decay);
        cs_new[i] = v;
        s += v;
    }
    part[t] = s;
    __syncthreads();
    for (int half = JK_VQ_EMA_THREADS / 2; half > 0; half >>= 1) {
        if (t < half) part[t] += part[t + half];
        __syncthreads();
    }
    if (t == 0) *total = part[0];
}
JK_KERNEL(vq_ema_total_f32)

// Grid-stride over K * D: embed_sum and codebook from float64 values, each rounded once; the
// thread of column 0 also stores cluster_size[k].
extern "C" __global__ void vq_ema_apply_f32(const double* __restrict__ cs_new, const double* __restrict__ total,
                                            const double* __restrict__ sums, float* __restrict__ cluster_size,
                                            float* __restrict__ embed_sum, float* __restrict__ codebook, int64_t k,
                                            int64_t d, double decay, double eps) {
    const double tot = *total;
    for (int64_t i = jk_global_index(); i < k * d; i += jk_grid_stride()) {
        const int64_t code = i / d;
        const double es = jk_vq_ema((double)embed_sum[i], sums[i], decay);
        embed_sum[i] = (float)es;
        codebook[i] = (float)(es / jk_vq_smoothed(cs_new[code], tot, (double)k, eps));
    }
    for (int64_t i = jk_global_index(); i < k; i += jk_grid_stride()) cluster_size[i] = (float)cs_new[i];
}
JK_KERNEL(vq_ema_apply_f32)
