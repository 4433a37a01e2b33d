package io.jkernels.ref;

import io.jkernels.tensor.Tensor;

/**
 * Float64 references of the resampling family (OPS.md "Resampling"): plain loops over cpu tensors,
 * written from the spec's formulas, not from the kernels. Inputs are contiguous cpu tensors;
 * outputs are cpu tensors of the result's shape (every element written). Used by the cpu backend
 * of {@link io.jkernels.ops.Resample} and as the expected values of the emu tests.
 *
 * <p>Scale arguments: {@code scaleFactor} is the [sh, sw] (or one number for both) the caller
 * gave and did not ask to recompute, or null (a size was given, or recompute_scale_factor): then
 * the coordinate scale is in / out (OPS.md).
 *
 * <p>Nearest follows OPS.md's float32 index rule (a discrete choice: float64 would pick other
 * pixels for some sizes); the bilinear coordinate, weights and blend are float64, and the backward
 * ops scatter each output gradient into the cells it was read from (the adjoint as written), in
 * float64, then round once.
 */
public final class ResampleRef {
    private ResampleRef() {
    }

    // ---- pixel shuffle -----------------------------------------------------------------------------

    /** out[.., c, h r + i, w r + j] = in[.., c r r + i r + j, h, w]; any dtype, exact. */
    public static void pixelShuffle(Tensor input, long r, Tensor out) {
        pixel(input, r, out, false);
    }

    /** The inverse of {@link #pixelShuffle}. */
    public static void pixelUnshuffle(Tensor input, long r, Tensor out) {
        pixel(input, r, out, true);
    }

    private static void pixel(Tensor input, long r, Tensor out, boolean unshuffle) {
        // the r*r-channel side ("planes": (B, C r r, H, W)) and the (B, C, H r, W r) side
        long[] ps = unshuffle ? out.shape() : input.shape();
        int d = ps.length;
        long h = ps[d - 2];
        long w = ps[d - 1];
        long c = ps[d - 3] / (r * r);
        long b = c == 0 || h == 0 || w == 0 ? 0 : input.numel() / (c * r * r * h * w);
        boolean floating = input.dtype().isFloating();
        for (long bi = 0; bi < b; bi++) {
            for (long ci = 0; ci < c; ci++) {
                for (long i = 0; i < r; i++) {
                    for (long j = 0; j < r; j++) {
                        for (long hi = 0; hi < h; hi++) {
                            for (long wi = 0; wi < w; wi++) {
                                long plane = (((bi * c + ci) * r * r + i * r + j) * h + hi) * w + wi;
                                long row = ((bi * c + ci) * h * r + hi * r + i) * w * r + wi * r + j;
                                long src = unshuffle ? row : plane;
                                long dst = unshuffle ? plane : row;
                                if (floating) {
                                    out.setDouble(dst, input.getDouble(src));
                                } else {
                                    out.setLong(dst, input.getLong(src));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- index rules (OPS.md) ----------------------------------------------------------------------

    private static double axisScale(double[] scaleFactor, int axis) {
        if (scaleFactor == null) {
            return Double.NaN;
        }
        return scaleFactor[scaleFactor.length == 1 ? 0 : axis];
    }

    /**
     * Nearest: the source index of output index d, by OPS.md's float32 rule: scale {@code (float)(1.0
     * / s)} or {@code (float) in / (float) out}, {@code floor(d * scale)} or {@code floor((d + 0.5f)
     * * scale)} in float32, at most in - 1; d itself when out == in.
     */
    public static long nearestSource(long d, long in, long out, double s, boolean exact) {
        if (out == in) {
            return d;
        }
        float scale = Double.isNaN(s) ? (float) in / (float) out : (float) (1.0 / s);
        float f = exact ? (d + 0.5f) * scale : (float) d * scale;
        return Math.min((long) Math.floor(f), in - 1);
    }

    /**
     * Bilinear: the float64 source coordinate of output index d (OPS.md), d itself when out == in
     * (as PyTorch's bilinear kernel, per axis; see NOTE [Copy when out == in] in resample.h).
     */
    public static double bilinearSource(long d, long in, long out, double s, boolean alignCorners) {
        if (out == in) {
            return d;
        }
        if (alignCorners) {
            return out > 1 ? d * ((double) (in - 1) / (double) (out - 1)) : 0.0;
        }
        double scale = Double.isNaN(s) ? (double) in / (double) out : 1.0 / s;
        return Math.max((d + 0.5) * scale - 0.5, 0.0);
    }

    /** The two neighbours and their weights of a bilinear coordinate: {i0, i1} and {w0, w1}. */
    private static void neighbours(double src, long in, long[] idx, double[] wt) {
        long i0 = Math.min((long) Math.floor(src), in - 1);
        long i1 = Math.min(i0 + 1, in - 1);
        double w1 = src - i0;
        idx[0] = i0;
        idx[1] = i1;
        wt[0] = 1.0 - w1;
        wt[1] = w1;
    }

    // ---- upsample ------------------------------------------------------------------------------------

    /** upsample_nearest2d of x (N, C, H, W) into out (N, C, OH, OW). */
    public static void upsampleNearest2d(Tensor x, Tensor out, double[] scaleFactor, boolean exact) {
        long[] is = x.shape();
        long[] os = out.shape();
        long nc = is[0] * is[1];
        long h = is[2];
        long w = is[3];
        long oh = os[2];
        long ow = os[3];
        long[] col = new long[(int) ow];
        for (int k = 0; k < ow; k++) {
            col[k] = nearestSource(k, w, ow, axisScale(scaleFactor, 1), exact);
        }
        for (long p = 0; p < nc; p++) {
            for (long r = 0; r < oh; r++) {
                long sr = nearestSource(r, h, oh, axisScale(scaleFactor, 0), exact);
                for (int k = 0; k < ow; k++) {
                    out.setDouble((p * oh + r) * ow + k, x.getDouble((p * h + sr) * w + col[k]));
                }
            }
        }
    }

    /** The adjoint of {@link #upsampleNearest2d}: grad (N, C, OH, OW) into gradInput (N, C, H, W). */
    public static void upsampleNearest2dBackward(Tensor grad, Tensor gradInput, double[] scaleFactor, boolean exact) {
        long[] os = grad.shape();
        long[] is = gradInput.shape();
        long nc = is[0] * is[1];
        long h = is[2];
        long w = is[3];
        long oh = os[2];
        long ow = os[3];
        double[] acc = new double[Math.toIntExact(nc * h * w)];
        for (long p = 0; p < nc; p++) {
            for (long r = 0; r < oh; r++) {
                long sr = nearestSource(r, h, oh, axisScale(scaleFactor, 0), exact);
                for (long k = 0; k < ow; k++) {
                    long sc = nearestSource(k, w, ow, axisScale(scaleFactor, 1), exact);
                    acc[(int) ((p * h + sr) * w + sc)] += grad.getDouble((p * oh + r) * ow + k);
                }
            }
        }
        for (int i = 0; i < acc.length; i++) {
            gradInput.setDouble(i, acc[i]);
        }
    }

    /** upsample_bilinear2d of x (N, C, H, W) into out (N, C, OH, OW). */
    public static void upsampleBilinear2d(Tensor x, Tensor out, double[] scaleFactor, boolean alignCorners) {
        long[] is = x.shape();
        long[] os = out.shape();
        long nc = is[0] * is[1];
        long h = is[2];
        long w = is[3];
        long oh = os[2];
        long ow = os[3];
        long[] ri = new long[2];
        long[] ci = new long[2];
        double[] rw = new double[2];
        double[] cw = new double[2];
        for (long p = 0; p < nc; p++) {
            for (long r = 0; r < oh; r++) {
                neighbours(bilinearSource(r, h, oh, axisScale(scaleFactor, 0), alignCorners), h, ri, rw);
                for (long k = 0; k < ow; k++) {
                    neighbours(bilinearSource(k, w, ow, axisScale(scaleFactor, 1), alignCorners), w, ci, cw);
                    double v = 0;
                    for (int a = 0; a < 2; a++) {
                        for (int b = 0; b < 2; b++) {
                            v += rw[a] * cw[b] * x.getDouble((p * h + ri[a]) * w + ci[b]);
                        }
                    }
                    out.setDouble((p * oh + r) * ow + k, v);
                }
            }
        }
    }

    /** The adjoint of {@link #upsampleBilinear2d}: grad (N, C, OH, OW) into gradInput (N, C, H, W). */
    public static void upsampleBilinear2dBackward(Tensor grad, Tensor gradInput, double[] scaleFactor,
            boolean alignCorners) {
        long[] os = grad.shape();
        long[] is = gradInput.shape();
        long nc = is[0] * is[1];
        long h = is[2];
        long w = is[3];
        long oh = os[2];
        long ow = os[3];
        double[] acc = new double[Math.toIntExact(nc * h * w)];
        long[] ri = new long[2];
        long[] ci = new long[2];
        double[] rw = new double[2];
        double[] cw = new double[2];
        for (long p = 0; p < nc; p++) {
            for (long r = 0; r < oh; r++) {
                neighbours(bilinearSource(r, h, oh, axisScale(scaleFactor, 0), alignCorners), h, ri, rw);
                for (long k = 0; k < ow; k++) {
                    neighbours(bilinearSource(k, w, ow, axisScale(scaleFactor, 1), alignCorners), w, ci, cw);
                    double g = grad.getDouble((p * oh + r) * ow + k);
                    for (int a = 0; a < 2; a++) {
                        for (int b = 0; b < 2; b++) {
                            acc[(int) ((p * h + ri[a]) * w + ci[b])] += rw[a] * cw[b] * g;
                        }
                    }
                }
            }
        }
        for (int i = 0; i < acc.length; i++) {
            gradInput.setDouble(i, acc[i]);
        }
    }
}
