// resample.cu — resampling kernels (OPS.md "Resampling"): pixel_shuffle / pixel_unshuffle, and
// upsample_nearest2d (nearest, nearest-exact) / upsample_bilinear2d (align_corners or not),
// forward and backward. Index math: kernels/math/resample.h (NOTEs there). Reference:
// io.jkernels.ref.ResampleRef; op API: io.jkernels.ops.Resample.
//
//   pixel_shuffle    (*, C r r, H, W) -> (*, C, H r, W r)
//                    out[.., c, h r + i, w r + j] = in[.., c r r + i r + j, h, w]
//   pixel_unshuffle  the inverse. Pure data movement, so the kernels work on raw bits:
//                    pixel_{shuffle,unshuffle}_fwd_b{8,16,32,64}(x, y, bc, h, w, r)
//                    (bc = the product of the leading dims and C; any dtype of that width).
//   upsample_{nearest,bilinear}2d_fwd_<f32|bf16|f16>(x, y, nc, H, W, OH, OW, scale_h, scale_w,
//                    mode, chunk)          x (nc, H, W) -> y (nc, OH, OW)
//   upsample_{nearest,bilinear}2d_bwd_<dtype>(dy, dx, nc, H, W, OH, OW, scale_h, scale_w, mode)
//                    dy (nc, OH, OW) -> dx (nc, H, W), the adjoint of the forward
//   mode: JK_RS_* of resample.h; scale_*: the per-axis coordinate scale (resample.h header).
//
// NOTE [Pixel shuffle access]: a work item is one (bc, h, i) and U consecutive columns w of the
// r*r-channel side ("planes") — r units of U elements, one per j, at plane stride H*W — which is
// exactly r*U consecutive elements of one row of the (H r, W r) side. For r = 2 and r = 4 (r a
// template parameter) both sides move as 16-byte vectors when W % U == 0 and both pointers are
// 16-byte aligned, the r units being interleaved in registers; other r loop over j at run time
// with the row side element by element (still each thread's r*U elements contiguous, so a warp
// covers whole sectors). Reads and writes are each one pass over memory.
//
// NOTE [Upsample forward access]: a work item is one output row oh, U consecutive output columns
// (U = one 16-byte vector of the dtype) and a chunk of `chunk` planes. The row's and the U
// columns' source indices and weights are computed once per item and reused for every plane of
// the chunk, so the per-element work is the loads, a blend and one 16-byte store per plane
// (scalar stores when OW % U != 0 or y is unaligned). Consecutive threads take consecutive column
// groups: stores are coalesced; loads of neighbouring threads hit the same sectors.
//
// NOTE [Deterministic backward]: no atomics. Each thread owns one input cell (h, w) of P planes
// and gathers the output gradients that read it: the output rows/columns readers() of resample.h
// (exact, from the same index function as the forward), each weighted as the forward read it,
// summed in a fixed order (rows ascending, columns ascending) in double. Double accumulation
// keeps the sum within one rounding of exact whatever the number of terms (a ×8 nearest upsample
// sums 64 terms; a float sum would drift past the 1e-5 tolerance of nearest's backward), and it is
// cheap here: the op is memory-bound and the column weights are computed once per chunk of MAXC
// columns and reused over the rows and the P planes.

#include "common/jk_cuda.h"
#include "common/jk_math.h"
#include "math/resample.h"

// ---- pixel shuffle / unshuffle ----------------------------------------------------------------

// U elements of T, aligned as one access (16 bytes when U * sizeof(T) == 16).
template <typename T, int U>
struct alignas(sizeof(T) * U) jk_rs_pack {
    T v[U];
};

// UN = false: shuffle (planes -> rows); true: unshuffle (rows -> planes). R = 0: r at run time.
template <typename T, int U, int R, bool UN>
__device__ __forceinline__ void jk_ps_loop(const T* __restrict__ x, T* __restrict__ y, int64_t bc, int64_t h,
                                           int64_t w, int64_t rr) {
    using Pack = jk_rs_pack<T, U>;
    const int64_t r = R ? (int64_t)R : rr;
    const int64_t hw = h * w;
    const int64_t radix[4] = {w / U, r, h, bc};
    jk_rs_walk<4> it(radix, jk_global_index(), jk_grid_stride());
    for (; it.valid(); it.next()) {
        const int64_t col = it.d[0] * U, i = it.d[1], hh = it.d[2], b = it.d[3];
        const int64_t row = (((b * h + hh) * r + i) * w + col) * r;  // row side: (b, hh r + i, col r)
        const int64_t plane = ((b * r + i) * r * h + hh) * w + col;   // planes side, j = 0
        if constexpr (R > 0) {
            Pack p[R];
            if (!UN) {
#pragma unroll
                for (int j = 0; j < R; j++) p[j] = *reinterpret_cast<const Pack*>(x + plane + j * hw);
                Pack q[R];
#pragma unroll
                for (int k = 0; k < R * U; k++) q[k / U].v[k % U] = p[k % R].v[k / R];
#pragma unroll
                for (int k = 0; k < R; k++) *reinterpret_cast<Pack*>(y + row + k * U) = q[k];
            } else {
                Pack q[R];
#pragma unroll
                for (int k = 0; k < R; k++) q[k] = *reinterpret_cast<const Pack*>(x + row + k * U);
#pragma unroll
                for (int k = 0; k < R * U; k++) p[k % R].v[k / R] = q[k / U].v[k % U];
#pragma unroll
                for (int j = 0; j < R; j++) *reinterpret_cast<Pack*>(y + plane + j * hw) = p[j];
            }
        } else {
            for (int64_t j = 0; j < r; j++) {
                Pack p;
                if (!UN) {
                    p = *reinterpret_cast<const Pack*>(x + plane + j * hw);
#pragma unroll
                    for (int e = 0; e < U; e++) y[row + e * r + j] = p.v[e];
                } else {
#pragma unroll
                    for (int e = 0; e < U; e++) p.v[e] = x[row + e * r + j];
                    *reinterpret_cast<Pack*>(y + plane + j * hw) = p;
                }
            }
        }
    }
}

template <typename T, int U, bool UN>
__device__ __forceinline__ void jk_ps_units(const T* x, T* y, int64_t bc, int64_t h, int64_t w, int64_t r) {
    if (r == 2) {
        jk_ps_loop<T, U, 2, UN>(x, y, bc, h, w, r);
    } else if (r == 4) {
        jk_ps_loop<T, U, 4, UN>(x, y, bc, h, w, r);
    } else {
        jk_ps_loop<T, U, 0, UN>(x, y, bc, h, w, r);
    }
}

template <typename T, bool UN>
__device__ __forceinline__ void jk_ps(const T* x, T* y, int64_t bc, int64_t h, int64_t w, int64_t r) {
    constexpr int V = 16 / sizeof(T);
    if (w % V == 0 && jk_is_aligned16(x) && jk_is_aligned16(y)) {
        jk_ps_units<T, V, UN>(x, y, bc, h, w, r);
    } else {
        jk_ps_units<T, 1, UN>(x, y, bc, h, w, r);
    }
}

// h, w: the planes side's spatial size (shuffle: the input's; unshuffle: the output's).
#define JK_PS_KERNELS(T, SFX)                                                                      \
    extern "C" __global__ void pixel_shuffle_fwd_##SFX(const T* x, T* y, int64_t bc, int64_t h,   \
                                                       int64_t w, int64_t r) {                     \
        jk_ps<T, false>(x, y, bc, h, w, r);                                                        \
    }                                                                                              \
    JK_KERNEL(pixel_shuffle_fwd_##SFX)                                                             \
    extern "C" __global__ void pixel_unshuffle_fwd_##SFX(const T* x, T* y, int64_t bc, int64_t h, \
                                                         int64_t w, int64_t r) {                   \
        jk_ps<T, true>(x, y, bc, h, w, r);                                                         \
    }                                                                                              \
    JK_KERNEL(pixel_unshuffle_fwd_##SFX)

JK_PS_KERNELS(uint8_t, b8)
JK_PS_KERNELS(uint16_t, b16)
JK_PS_KERNELS(uint32_t, b32)
JK_PS_KERNELS(uint64_t, b64)

// ---- upsample forward -------------------------------------------------------------------------

// Hides a pointer's origin from the optimizer so that x0 + w0[k] is formed per plane (one add per
// load) instead of as U*4 induction pointers kept live across the plane loop (register pressure:
// 127 registers without it). Nothing on the emulator.
#if defined(__CUDA_ARCH__)
#define JK_RS_OPAQUE(p) asm volatile("" : "+l"(p))
#else
#define JK_RS_OPAQUE(p) ((void)0)
#endif

// Output columns per forward work item: one 16-byte vector for nearest; 4 for bilinear (8-byte
// stores for 16-bit dtypes), whose per-column source offsets and weights live in registers.
template <typename T, bool BIL>
struct jk_up_cols {
    static constexpr int U = BIL ? 4 : (int)(16 / sizeof(T));
};

template <typename T, bool BIL, bool VEC>
__device__ __forceinline__ void jk_up_fwd(const T* __restrict__ x, T* __restrict__ y, int64_t nc, int64_t ih,
                                          int64_t iw, int64_t oh, int64_t ow, double sh, double sw, int mode,
                                          int64_t chunk) {
    constexpr int U = jk_up_cols<T, BIL>::U;
    using Pack = jk_rs_pack<T, U>;
    const jk_rs_axis ah = {ih, oh, sh, mode};
    const jk_rs_axis aw = {iw, ow, sw, mode};
    const int64_t radix[3] = {(ow + U - 1) / U, oh, (nc + chunk - 1) / chunk};
    jk_rs_walk<3> it(radix, jk_global_index(), jk_grid_stride());
    for (; it.valid(); it.next()) {
        const int64_t c0 = it.d[0] * U, r = it.d[1], p0 = it.d[2] * chunk;
        // source rows and weights of output row r, columns of output columns c0 .. c0 + U - 1
        int64_t h0, h1;
        float lh0 = 1.0f, lh1 = 0.0f;
        int w0[U], w1[U];  // column indices: each axis is < 2^31 (checked by the op)
        float lw0[U], lw1[U];
        if (BIL) {
            double f;
            ah.linear(r, &h0, &h1, &f);
            lh1 = (float)f;
            lh0 = (float)(1.0 - f);
        } else {
            h0 = h1 = ah.nearest(r);
        }
#pragma unroll
        for (int k = 0; k < U; k++) {
            const int64_t c = c0 + k < ow ? c0 + k : ow - 1;
            if (BIL) {
                int64_t a, b;
                double f;
                aw.linear(c, &a, &b, &f);
                w0[k] = (int)a;
                w1[k] = (int)b;
                lw1[k] = (float)f;
                lw0[k] = (float)(1.0 - f);
            } else {
                w0[k] = w1[k] = (int)aw.nearest(c);
                lw0[k] = 1.0f;
                lw1[k] = 0.0f;
            }
        }
        const int64_t p1 = p0 + chunk < nc ? p0 + chunk : nc;
        const T* xp = x + p0 * ih * iw;
        T* yp = y + (p0 * oh + r) * ow + c0;
#pragma unroll 1
        for (int64_t p = p0; p < p1; p++, xp += ih * iw, yp += oh * ow) {
            const T* x0 = xp + h0 * iw;
            const T* x1 = xp + h1 * iw;
            JK_RS_OPAQUE(x0);
            JK_RS_OPAQUE(x1);
            Pack out;
#pragma unroll
            for (int k = 0; k < U; k++) {
                float v;
                if (BIL) {
                    v = lh0 * (lw0[k] * jk_load_f(x0 + w0[k]) + lw1[k] * jk_load_f(x0 + w1[k])) +
                        lh1 * (lw0[k] * jk_load_f(x1 + w0[k]) + lw1[k] * jk_load_f(x1 + w1[k]));
                } else {
                    v = jk_load_f(x0 + w0[k]);
                }
                jk_store_f(&out.v[k], v);
            }
            if (VEC) {
                *reinterpret_cast<Pack*>(yp) = out;
            } else {
#pragma unroll
                for (int k = 0; k < U; k++) {
                    if (c0 + k < ow) yp[k] = out.v[k];
                }
            }
        }
    }
}

template <typename T, bool BIL>
__device__ __forceinline__ void jk_up_fwd_any(const T* x, T* y, int64_t nc, int64_t ih, int64_t iw, int64_t oh,
                                              int64_t ow, double sh, double sw, int mode, int64_t chunk) {
    constexpr int U = jk_up_cols<T, BIL>::U;
    if (ow % U == 0 && reinterpret_cast<uintptr_t>(y) % (U * sizeof(T)) == 0) {
        jk_up_fwd<T, BIL, true>(x, y, nc, ih, iw, oh, ow, sh, sw, mode, chunk);
    } else {
        jk_up_fwd<T, BIL, false>(x, y, nc, ih, iw, oh, ow, sh, sw, mode, chunk);
    }
}

// ---- upsample backward (gather; NOTE [Deterministic backward]) --------------------------------

#define JK_UP_BWD_PLANES 4
#define JK_UP_BWD_MAXC 4

template <typename T, bool BIL>
__device__ __forceinline__ void jk_up_bwd(const T* __restrict__ dy, T* __restrict__ dx, int64_t nc, int64_t ih,
                                          int64_t iw, int64_t oh, int64_t ow, double sh, double sw, int mode) {
    constexpr int P = JK_UP_BWD_PLANES;
    constexpr int MAXC = JK_UP_BWD_MAXC;
    const jk_rs_axis ah = {ih, oh, sh, mode};
    const jk_rs_axis aw = {iw, ow, sw, mode};
    const int64_t radix[3] = {iw, ih, (nc + P - 1) / P};
    jk_rs_walk<3> it(radix, jk_global_index(), jk_grid_stride());
    for (; it.valid(); it.next()) {
        const int64_t w = it.d[0], h = it.d[1], p0 = it.d[2] * P;
        int64_t rlo, rhi, clo, chi;
        ah.readers(h, &rlo, &rhi);
        aw.readers(w, &clo, &chi);
        double acc[P];
#pragma unroll
        for (int p = 0; p < P; p++) acc[p] = 0.0;
        for (int64_t cb = clo; cb < chi; cb += MAXC) {
            const int64_t n = chi - cb < MAXC ? chi - cb : MAXC;
            double cw[MAXC];
#pragma unroll
            for (int c = 0; c < MAXC; c++) cw[c] = c < n ? aw.weight(w, cb + c) : 0.0;
            for (int64_t r = rlo; r < rhi; r++) {
                const double rw = ah.weight(h, r);
#pragma unroll
                for (int p = 0; p < P; p++) {
                    if (p0 + p < nc) {
                        const T* g = dy + ((p0 + p) * oh + r) * ow + cb;
                        double s = 0.0;
#pragma unroll
                        for (int c = 0; c < MAXC; c++) {
                            if (c < n) s += cw[c] * (double)jk_load_f(g + c);
                        }
                        acc[p] += rw * s;
                    }
                }
            }
        }
#pragma unroll
        for (int p = 0; p < P; p++) {
            if (p0 + p < nc) jk_store_f(dx + ((p0 + p) * ih + h) * iw + w, (float)acc[p]);
        }
    }
}

// Block size of every upsample kernel (io.jkernels.ops.Resample.BLOCK) and the forward's minimum
// resident blocks per SM: 3 x 256 threads caps a thread at 80 registers without spills (the
// bilinear forward would otherwise take ~90-110 and keep only 2 blocks resident to hide latency).
// sm_100's code generation needs a few more registers for the bilinear forward and spills at 80,
// so Blackwell keeps 2 resident blocks.
#define JK_UP_BLOCK 256
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 1000
#define JK_UP_MIN_BLOCKS 2
#else
#define JK_UP_MIN_BLOCKS 3
#endif

// ---- kernels ------------------------------------------------------------------------------------

#define JK_UP_KERNELS(OP, BIL, T, SFX)                                                              \
    extern "C" __global__ void __launch_bounds__(JK_UP_BLOCK, JK_UP_MIN_BLOCKS)                    \
        OP##_fwd_##SFX(const T* x, T* y, int64_t nc, int64_t ih, int64_t iw,                       \
                                              int64_t oh, int64_t ow, double sh, double sw, int mode, \
                                              int64_t chunk) {                                     \
        jk_up_fwd_any<T, BIL>(x, y, nc, ih, iw, oh, ow, sh, sw, mode, chunk);                      \
    }                                                                                              \
    JK_KERNEL(OP##_fwd_##SFX)                                                                      \
    extern "C" __global__ void OP##_bwd_##SFX(const T* dy, T* dx, int64_t nc, int64_t ih, int64_t iw, \
                                              int64_t oh, int64_t ow, double sh, double sw, int mode) { \
        jk_up_bwd<T, BIL>(dy, dx, nc, ih, iw, oh, ow, sh, sw, mode);                               \
    }                                                                                              \
    JK_KERNEL(OP##_bwd_##SFX)

#define JK_UP_ALL_DTYPES(OP, BIL)                                                                  \
    JK_UP_KERNELS(OP, BIL, float, f32)                                                             \
    JK_UP_KERNELS(OP, BIL, __nv_bfloat16, bf16)                                                    \
    JK_UP_KERNELS(OP, BIL, __half, f16)

JK_UP_ALL_DTYPES(upsample_nearest2d, false)
JK_UP_ALL_DTYPES(upsample_bilinear2d, true)
