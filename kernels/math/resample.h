// resample.h — the index math of the resampling family (OPS.md "Resampling"), one definition for
// nvcc and the host emulator: per-axis source indices of upsample_nearest2d / upsample_bilinear2d,
// their inverse (which output indices read a given input index: the gather form of the backward),
// and a mixed-radix walker for grid-stride loops without 64-bit division.
//
// Per axis: input length `in`, output length `out`, a coordinate scale `scale` computed on the
// host (io.jkernels.ops.Resample) by the rules of OPS.md:
//   nearest, nearest-exact   scale = (float)(1.0 / s) given s not recomputed, else (float)in / (float)out
//   bilinear, align_corners  scale = (in - 1) / (out - 1), 0 when out == 1 (double)
//   bilinear                 scale = 1.0 / s given s not recomputed, else (double)in / out
//
// NOTE [Nearest in float32]: OPS.md pins nearest down to PyTorch's CUDA kernels: floorf(d * scale)
// (nearest) or floorf((d + 0.5f) * scale) (nearest-exact) in float32 with a float32 scale, clamped
// to in - 1. The product has no add to contract into an FMA, so nvcc and g++ give the same bits.
//
// NOTE [Copy when out == in]: on an axis whose output length equals its input length the source
// index is d (nearest: OPS.md; bilinear: weight 0 on the second neighbour), whatever the scale
// factor. OPS.md states it for nearest; PyTorch's CPU bilinear kernel does the same per axis
// (F.interpolate(x, scale_factor=1.09) on 10 columns returns the input), so bilinear follows it.
//
// NOTE [Bilinear in float64]: bilinear coordinates and weights are computed in double (OPS.md
// leaves float32 or float64 free; double keeps the 1e-4 tolerance for any axis length) once per
// row / column and reused over many planes, so the double arithmetic is off the hot path.
#pragma once
#include "common/jk_cuda.h"

// Modes (kernel parameter `mode`).
#define JK_RS_NEAREST 0
#define JK_RS_NEAREST_EXACT 1
#define JK_RS_BILINEAR 2
#define JK_RS_BILINEAR_ALIGN 3

// One axis of an upsample: lengths, scale, mode.
struct jk_rs_axis {
    int64_t in;
    int64_t out;
    double scale;
    int mode;

    __host__ __device__ __forceinline__ bool bilinear() const { return mode >= JK_RS_BILINEAR; }

    // Nearest: the source index of output index d (NOTE [Nearest in float32]).
    __host__ __device__ __forceinline__ int64_t nearest(int64_t d) const {
        if (in == out) return d;
        const float s = (float)scale;
        const float f = mode == JK_RS_NEAREST_EXACT ? floorf(((float)d + 0.5f) * s) : floorf((float)d * s);
        const int64_t i = (int64_t)f;
        return i < in - 1 ? i : in - 1;
    }

    // Bilinear: the real source coordinate of output index d (OPS.md), >= 0.
    __host__ __device__ __forceinline__ double coord(int64_t d) const {
        if (in == out) return (double)d;
        if (mode == JK_RS_BILINEAR_ALIGN) return (double)d * scale;
        const double c = ((double)d + 0.5) * scale - 0.5;
        return c > 0.0 ? c : 0.0;
    }

    // Bilinear: the lower neighbour i0 = min(floor(coord), in - 1), the upper i1 = min(i0 + 1,
    // in - 1) and the weight of the upper one, w1 = coord - i0 (w0 = 1 - w1).
    __host__ __device__ __forceinline__ void linear(int64_t d, int64_t* i0, int64_t* i1, double* w1) const {
        const double c = coord(d);
        int64_t i = (int64_t)floor(c);
        if (i > in - 1) i = in - 1;
        *i0 = i;
        *i1 = i < in - 1 ? i + 1 : in - 1;
        *w1 = c - (double)i;
    }

    // The input index output d reads first: nearest's source or bilinear's i0. Non-decreasing in d.
    __host__ __device__ __forceinline__ int64_t first_source(int64_t d) const {
        if (!bilinear()) return nearest(d);
        int64_t i0, i1;
        double w1;
        linear(d, &i0, &i1, &w1);
        return i0;
    }

    // The smallest output index d in [0, out] with first_source(d) >= h (out when there is none).
    // A float64 estimate of the inverse, then corrected step by step against first_source itself,
    // which is monotone: the result is exact whatever the estimate's rounding.
    __host__ __device__ __forceinline__ int64_t first_reading(int64_t h) const {
        if (h <= 0) return 0;
        double e;
        if (in == out) {
            e = (double)h;
        } else if (!(scale > 0.0)) {
            e = (double)out;  // align_corners with out == 1: every output reads index 0
        } else if (mode == JK_RS_NEAREST) {
            e = (double)h / scale;
        } else if (mode == JK_RS_NEAREST_EXACT) {
            e = (double)h / scale - 0.5;
        } else if (mode == JK_RS_BILINEAR_ALIGN) {
            e = (double)h / scale;
        } else {
            e = ((double)h + 0.5) / scale - 0.5;
        }
        e = ceil(e);
        int64_t d = !(e > 0.0) ? 0 : e >= (double)out ? out : (int64_t)e;
        while (d > 0 && first_source(d - 1) >= h) d--;
        while (d < out && first_source(d) < h) d++;
        return d;
    }

    // The output indices that read input index h: [*lo, *hi). Nearest: those whose source is h.
    // Bilinear: those with i0 == h or i1 == h, i.e. i0 in {h - 1, h}, and for the last index every
    // output with i0 >= in - 2 (its i1 is clamped to in - 1).
    __host__ __device__ __forceinline__ void readers(int64_t h, int64_t* lo, int64_t* hi) const {
        *lo = first_reading(bilinear() ? h - 1 : h);
        *hi = h + 1 >= in ? out : first_reading(h + 1);
    }

    // The weight with which output d reads input h (0 when it does not): 1 for nearest (within
    // readers()), w0 [i0 == h] + w1 [i1 == h] for bilinear (both when i0 == i1 == in - 1).
    __host__ __device__ __forceinline__ double weight(int64_t h, int64_t d) const {
        if (!bilinear()) return 1.0;
        int64_t i0, i1;
        double w1;
        linear(d, &i0, &i1, &w1);
        return (i0 == h ? 1.0 - w1 : 0.0) + (i1 == h ? w1 : 0.0);
    }
};

// Mixed-radix walker over a grid-stride loop: the flat item index start + k * stride as D digits
// (digit 0 fastest; the last digit unbounded and compared with its radix to end the loop). The
// start and the stride are split once (2 (D - 1) divisions per thread); each step is D adds with
// carries, so the loop body has no 64-bit division. Every radix but the last must be >= 1.
template <int D>
struct jk_rs_walk {
    int64_t d[D];
    int64_t rad[D];
    int64_t st[D];

    __device__ __forceinline__ jk_rs_walk(const int64_t (&radix)[D], int64_t start, int64_t stride) {
#pragma unroll
        for (int k = 0; k < D - 1; k++) {
            rad[k] = radix[k];
            d[k] = start % rad[k];
            start /= rad[k];
            st[k] = stride % rad[k];
            stride /= rad[k];
        }
        rad[D - 1] = radix[D - 1];
        d[D - 1] = start;
        st[D - 1] = stride;
    }

    __device__ __forceinline__ bool valid() const { return d[D - 1] < rad[D - 1]; }

    __device__ __forceinline__ void next() {
        int64_t carry = 0;
#pragma unroll
        for (int k = 0; k < D - 1; k++) {
            d[k] += st[k] + carry;
            carry = d[k] >= rad[k] ? 1 : 0;
            if (carry) d[k] -= rad[k];
        }
        d[D - 1] += st[D - 1] + carry;
    }
};
