// vq.cu — vector quantisation (VQ-VAE): the nearest code (vq_nearest), f32.
// Math: kernels/math/vq.h (NOTE [Certified float32 argmin] there). Spec: OPS.md "Vector
// quantisation (VQ-VAE)". Reference: io.jkernels.ref.VqRef. PyTorch:
//   d = ((x[:, None, :].double() - codebook[None].double()) ** 2).sum(-1); indices = d.argmin(1)
//   quantized = codebook[indices]; distance = d.gather(1, indices[:, None])
//
// vq_nearest (ops/VectorQuantizer.nearest) runs three kernels:
//   vq_norms_f32         cnorm[k] = fl(||c_k - c_0||^2), one warp per code.
//   vq_nearest_f32 /     the hot kernel: a float32 "GEMM" of the centred rows against the centred
//   vq_nearest_v4_f32    codes (128 x 128 block tile, 8 x 8 per thread, depth 8 per stage, two
//                        shared stages fed through registers), each thread tracking for its 8 rows
//                        the best key, its code and the second-best key; the 16 threads of a row
//                        merge by warp shuffles; then per row, in float64, ||x'||^2, the distance
//                        to the winner and the certificate of vq.h: a certified row writes its
//                        index, quantized row and distance; any other row is appended to `redo`.
//                        _v4 loads 16-byte vectors (D % 4 == 0, aligned pointers), else scalars.
//   vq_nearest_exact_f32 every row in `redo`: one block per row, float64 distances to all K codes,
//                        the argmin in torch.argmin's order, then the row's outputs.
// Every output element of a row is written by exactly one of the last two kernels.
//
// The EMA codebook update (vq_ema_update): kernels/vq_ema.cu.

#include "common/jk_cuda.h"
#include "common/jk_math.h"
#include "math/vq.h"

#define JK_VQ_BM 128
#define JK_VQ_BN 128
#define JK_VQ_BK 8
#define JK_VQ_LD (JK_VQ_BM + 4)  // padded rows: the transposing stores hit 32 distinct banks
#define JK_VQ_THREADS 256

// NaN-propagating max (the certificate must see a NaN norm).
__device__ __forceinline__ float jk_vq_nanmax(float a, float b) {
    return (a != a || a > b) ? a : b;
}

// ---- norms of the centred codes -----------------------------------------------------------------

// cnorm[k] = fl(sum_j fl(c[k, j] - c[0, j])^2): one warp per code, lanes strided over D, a fixed
// shuffle tree (any order meets the bound of vq.h).
extern "C" __global__ void vq_norms_f32(const float* __restrict__ cb, float* __restrict__ cnorm, int64_t k, int64_t d) {
    const int lane = threadIdx.x & 31;
    const int64_t warps = jk_grid_stride() >> 5;
    for (int64_t code = jk_global_index() >> 5; code < k; code += warps) {
        const float* c = cb + code * d;
        float s = 0.0f;
        for (int64_t j = lane; j < d; j += 32) {
            const float v = c[j] - cb[j];
            s = fmaf(v, v, s);
        }
        s = jk_warp_sum(s);
        if (lane == 0) cnorm[code] = s;
    }
}
JK_KERNEL(vq_norms_f32)

// ---- the tiled nearest-code kernel ---------------------------------------------------------------

// One stage of the pipeline: a BM x BK slice of the rows and a BN x BK slice of the codes, both
// centred on code 0, held in registers between the global load and the shared store.
template <bool V4>
struct jk_vq_stage {
    float x[4], c[4], cn;
};

template <bool V4>
__device__ __forceinline__ void jk_vq_load(jk_vq_stage<V4>& s, const float* __restrict__ x, const float* __restrict__ cb,
                                           const float* __restrict__ cnorm, int64_t row0, int64_t k0, int64_t d0,
                                           int64_t n, int64_t k, int64_t d, bool first) {
    const int t = threadIdx.x;
    if (V4) {
        const int r = t >> 1, j = d0 + (t & 1) * 4;  // one float4 of one row per thread
        const bool dj = j < d;                       // d % 4 == 0: all four or none
        jk_vec<float> c0 = {{0.0f, 0.0f, 0.0f, 0.0f}}, xv = c0, cv = c0;
        if (dj) c0 = jk_vec_load(cb + j);
        if (dj && row0 + r < n) xv = jk_vec_load(x + (row0 + r) * d + j);
        if (dj && k0 + r < k) cv = jk_vec_load(cb + (k0 + r) * d + j);
#pragma unroll
        for (int i = 0; i < 4; i++) {
            s.x[i] = row0 + r < n ? xv.v[i] - c0.v[i] : 0.0f;
            s.c[i] = k0 + r < k ? cv.v[i] - c0.v[i] : 0.0f;
        }
    } else {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int e = t + JK_VQ_THREADS * i;
            const int r = e >> 3;
            const int64_t j = d0 + (e & 7);
            const float c0 = j < d ? cb[j] : 0.0f;
            s.x[i] = (j < d && row0 + r < n) ? x[(row0 + r) * d + j] - c0 : 0.0f;
            s.c[i] = (j < d && k0 + r < k) ? cb[(k0 + r) * d + j] - c0 : 0.0f;
        }
    }
    s.cn = (first && t < JK_VQ_BN && k0 + t < k) ? cnorm[k0 + t] : 0.0f;
}

template <bool V4>
__device__ __forceinline__ void jk_vq_store(const jk_vq_stage<V4>& s, float (*xs)[JK_VQ_LD], float (*cs)[JK_VQ_LD],
                                            float* cns, bool first) {
    const int t = threadIdx.x;
    if (V4) {
        const int r = t >> 1, j = (t & 1) * 4;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            xs[j + i][r] = s.x[i];
            cs[j + i][r] = s.c[i];
        }
    } else {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const int e = t + JK_VQ_THREADS * i;
            xs[e & 7][e >> 3] = s.x[i];
            cs[e & 7][e >> 3] = s.c[i];
        }
    }
    if (first && t < JK_VQ_BN) cns[t] = s.cn;
}

// Thread (ty, tx) = (tid / 16, tid % 16) owns rows {4ty + i, 64 + 4ty + i} and codes
// {4tx + j, 64 + 4tx + j} of the tile (two float4 halves: conflict-free shared reads).
template <bool V4>
__device__ __forceinline__ void jk_vq_nearest(const float* __restrict__ x, const float* __restrict__ cb,
                                              const float* __restrict__ cnorm, int64_t* __restrict__ indices,
                                              float* __restrict__ quantized, float* __restrict__ distance,
                                              int64_t* __restrict__ redo, unsigned long long* __restrict__ redo_count,
                                              int64_t n, int64_t k, int64_t d) {
    __shared__ __align__(16) float xs[2][JK_VQ_BK][JK_VQ_LD];
    __shared__ __align__(16) float cs[2][JK_VQ_BK][JK_VQ_LD];
    __shared__ __align__(16) float cns[2][JK_VQ_BN];  // read as float4 in the ranking step
    __shared__ float red[JK_VQ_THREADS / 32];
    // per thread and row: best key, its code, second-best key (shared: 64 accumulators leave no
    // registers for them; each thread touches only its own column, so no barrier is needed)
    __shared__ float tb1[8][JK_VQ_THREADS], tb2[8][JK_VQ_THREADS];
    __shared__ int ti1[8][JK_VQ_THREADS];

    const int tid = threadIdx.x;
    const int tx = tid & 15, ty = tid >> 4;
    const int64_t row0 = (int64_t)blockIdx.x * JK_VQ_BM;

    // the largest centred code norm (NaN if any is NaN), for the certificate
    float cmax = 0.0f;
    for (int64_t i = tid; i < k; i += JK_VQ_THREADS) cmax = jk_vq_nanmax(cnorm[i], cmax);
    for (int off = 16; off > 0; off >>= 1) cmax = jk_vq_nanmax(__shfl_xor_sync(0xffffffffu, cmax, off), cmax);
    if ((tid & 31) == 0) red[tid >> 5] = cmax;

    float acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++) {
        tb1[i][tid] = INFINITY;
        tb2[i][tid] = INFINITY;
        ti1[i][tid] = 0;
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0.0f;
    }

    // 32-bit step counters (K <= 2^30 and D < 2^34 on the host side keep them in range)
    const int nd = d > 0 ? (int)((d + JK_VQ_BK - 1) / JK_VQ_BK) : 1;  // D = 0: one empty chunk
    const int nk = (int)((k + JK_VQ_BN - 1) / JK_VQ_BN);
    const int64_t steps = (int64_t)nd * nk;
    jk_vq_stage<V4> st;
    jk_vq_load<V4>(st, x, cb, cnorm, row0, 0, 0, n, k, d, true);
    jk_vq_store<V4>(st, xs[0], cs[0], cns[0], true);
    __syncthreads();

    int buf = 0;
    int kt = 0, dc = 0;  // the tile and depth chunk of the current step
    for (int64_t s = 0; s < steps; s++) {
        int nkt = kt, ndc = dc + 1;
        if (ndc == nd) {
            ndc = 0;
            nkt++;
        }
        const bool more = s + 1 < steps;
        if (more) jk_vq_load<V4>(st, x, cb, cnorm, row0, (int64_t)nkt * JK_VQ_BN, (int64_t)ndc * JK_VQ_BK, n, k, d, ndc == 0);

#pragma unroll
        for (int kk = 0; kk < JK_VQ_BK; kk++) {
            float a[8], b[8];
            const float4 a0 = *reinterpret_cast<const float4*>(&xs[buf][kk][ty * 4]);
            const float4 a1 = *reinterpret_cast<const float4*>(&xs[buf][kk][64 + ty * 4]);
            const float4 c0 = *reinterpret_cast<const float4*>(&cs[buf][kk][tx * 4]);
            const float4 c1 = *reinterpret_cast<const float4*>(&cs[buf][kk][64 + tx * 4]);
            a[0] = a0.x; a[1] = a0.y; a[2] = a0.z; a[3] = a0.w;
            a[4] = a1.x; a[5] = a1.y; a[6] = a1.z; a[7] = a1.w;
            b[0] = c0.x; b[1] = c0.y; b[2] = c0.z; b[3] = c0.w;
            b[4] = c1.x; b[5] = c1.y; b[6] = c1.z; b[7] = c1.w;
#pragma unroll
            for (int i = 0; i < 8; i++) {
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
            }
        }

        if (dc == nd - 1) {  // the tile's dot products are complete: rank its codes
            const float* cn = cns[kt & 1];
            const float4 cv0 = *reinterpret_cast<const float4*>(&cn[tx * 4]);
            const float4 cv1 = *reinterpret_cast<const float4*>(&cn[64 + tx * 4]);
            const float cv[8] = {cv0.x, cv0.y, cv0.z, cv0.w, cv1.x, cv1.y, cv1.z, cv1.w};
            const int c0 = kt * JK_VQ_BN + tx * 4;
#pragma unroll
            for (int i = 0; i < 8; i++) {
                float b1 = tb1[i][tid], b2 = tb2[i][tid];
                int i1 = ti1[i][tid];
#pragma unroll
                for (int j = 0; j < 8; j++) {  // codes in increasing order: strict < keeps the lowest
                    const int code = c0 + (j < 4 ? j : 60 + j);
                    const float key = code < k ? fmaf(-2.0f, acc[i][j], cv[j]) : INFINITY;
                    const bool m = key < b1;
                    b2 = m ? b1 : fminf(b2, key);
                    b1 = m ? key : b1;
                    i1 = m ? code : i1;
                    acc[i][j] = 0.0f;
                }
                tb1[i][tid] = b1;
                tb2[i][tid] = b2;
                ti1[i][tid] = i1;
            }
        }

        if (more) jk_vq_store<V4>(st, xs[buf ^ 1], cs[buf ^ 1], cns[nkt & 1], ndc == 0);
        __syncthreads();
        buf ^= 1;
        kt = nkt;
        dc = ndc;
    }

    // merge the 16 trackers of each row (lanes tx of the half-warp), lexicographic (key, code);
    // the result goes back to this thread's shared slots (no dynamically indexed register arrays)
#pragma unroll
    for (int i = 0; i < 8; i++) {
        float b1 = tb1[i][tid], b2 = tb2[i][tid];
        int i1 = ti1[i][tid];
#pragma unroll
        for (int off = 8; off > 0; off >>= 1) {
            const float ob1 = __shfl_xor_sync(0xffffffffu, b1, off);
            const float ob2 = __shfl_xor_sync(0xffffffffu, b2, off);
            const int oi = __shfl_xor_sync(0xffffffffu, i1, off);
            if (ob1 < b1 || (ob1 == b1 && oi < i1)) {
                b2 = fminf(ob2, b1);
                b1 = ob1;
                i1 = oi;
            } else {
                b2 = fminf(b2, ob1);
            }
        }
        tb1[i][tid] = b1;
        tb2[i][tid] = b2;
        ti1[i][tid] = i1;
    }
    cmax = red[0];
    for (int w = 1; w < JK_VQ_THREADS / 32; w++) cmax = jk_vq_nanmax(red[w], cmax);

    // per row: certify in float64, then write the outputs or queue the row for the exact kernel
#pragma unroll 1
    for (int i = 0; i < 8; i++) {
        const int64_t row = row0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + (i - 4));
        const bool live = row < n;  // uniform over the 16 lanes of the row
        const int64_t code = ti1[i][tid];
        const float* xr = x + (live ? row : 0) * d;
        const float* cr = cb + code * d;
        double dist = 0.0, xn = 0.0;
        for (int64_t j = live ? tx : d; j < d; j += 16) {
            const float xv = xr[j];
            const double t = (double)xv - (double)cr[j];
            const double xc = (double)(xv - cb[j]);  // x' exactly as the tiles saw it
            dist += t * t;
            xn += xc * xc;
        }
#pragma unroll
        for (int off = 8; off > 0; off >>= 1) {
            dist += __shfl_xor_sync(0xffffffffu, dist, off);
            xn += __shfl_xor_sync(0xffffffffu, xn, off);
        }
        if (!live) continue;
        const double e = jk_vq_bound(xn, (double)cmax, d);
        if ((double)tb2[i][tid] - (double)tb1[i][tid] > 2.0 * e) {
            float* q = quantized + row * d;
            for (int64_t j = tx; j < d; j += 16) q[j] = cr[j];
            if (tx == 0) {
                indices[row] = code;
                distance[row] = (float)dist;
            }
        } else if (tx == 0) {
            redo[atomicAdd(redo_count, 1ull)] = row;
        }
    }
}

extern "C" __global__ void __launch_bounds__(JK_VQ_THREADS, 2)
vq_nearest_f32(const float* __restrict__ x, const float* __restrict__ cb, const float* __restrict__ cnorm,
               int64_t* __restrict__ indices, float* __restrict__ quantized, float* __restrict__ distance,
               int64_t* __restrict__ redo, unsigned long long* __restrict__ redo_count, int64_t n, int64_t k, int64_t d) {
    jk_vq_nearest<false>(x, cb, cnorm, indices, quantized, distance, redo, redo_count, n, k, d);
}
JK_KERNEL(vq_nearest_f32)

extern "C" __global__ void __launch_bounds__(JK_VQ_THREADS, 2)
vq_nearest_v4_f32(const float* __restrict__ x, const float* __restrict__ cb, const float* __restrict__ cnorm,
                  int64_t* __restrict__ indices, float* __restrict__ quantized, float* __restrict__ distance,
                  int64_t* __restrict__ redo, unsigned long long* __restrict__ redo_count, int64_t n, int64_t k,
                  int64_t d) {
    jk_vq_nearest<true>(x, cb, cnorm, indices, quantized, distance, redo, redo_count, n, k, d);
}
JK_KERNEL(vq_nearest_v4_f32)

// ---- exact float64 re-decision of the rows the certificate did not cover -------------------------

// Blocks stride over redo[0 .. *redo_count); per row, thread t takes codes t, t + blockDim...
// (increasing, so its local argmin keeps the lowest index), then a shared-memory tree merges the
// block in argmin order. blockDim.x must be a power of two <= JK_VQ_THREADS.
extern "C" __global__ void vq_nearest_exact_f32(const float* __restrict__ x, const float* __restrict__ cb,
                                                const int64_t* __restrict__ redo,
                                                const unsigned long long* __restrict__ redo_count,
                                                int64_t* __restrict__ indices, float* __restrict__ quantized,
                                                float* __restrict__ distance, int64_t k, int64_t d) {
    __shared__ double bv[JK_VQ_THREADS];
    __shared__ int64_t bi[JK_VQ_THREADS];
    const int t = threadIdx.x;
    const int64_t count = (int64_t)*redo_count;
    for (int64_t e = blockIdx.x; e < count; e += gridDim.x) {
        const int64_t row = redo[e];
        const float* xr = x + row * d;
        double best = INFINITY;
        int64_t bk = -1;
        for (int64_t code = t; code < k; code += blockDim.x) {
            const double v = jk_vq_dist64(xr, cb + code * d, d);
            if (bk < 0 || jk_vq_before(v, code, best, bk)) {
                best = v;
                bk = code;
            }
        }
        bv[t] = best;
        bi[t] = bk;
        __syncthreads();
        for (int half = blockDim.x >> 1; half > 0; half >>= 1) {
            if (t < half && bi[t + half] >= 0 && (bi[t] < 0 || jk_vq_before(bv[t + half], bi[t + half], bv[t], bi[t]))) {
                bv[t] = bv[t + half];
                bi[t] = bi[t + half];
            }
            __syncthreads();
        }
        const int64_t code = bi[0];
        const double dist = bv[0];
        const float* cr = cb + code * d;
        float* q = quantized + row * d;
        for (int64_t j = t; j < d; j += blockDim.x) q[j] = cr[j];
        if (t == 0) {
            indices[row] = code;
            distance[row] = (float)dist;
        }
        __syncthreads();  // bv/bi are reused by the next row
    }
}
JK_KERNEL(vq_nearest_exact_f32)
