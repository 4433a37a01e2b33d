package io.jkernels.ops;

import static io.jkernels.ops.Resample.MAX_AXIS;

import io.jkernels.ops.Resample.NearestMode;
import io.jkernels.ops.Resample.Resize;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * The index plan of {@link Resample}'s upsamples: the kernels' index modes, and per spatial axis
 * the output length ({@link Resize}: size or scale_factor, checked as OPS.md says) and the
 * coordinate scale the kernels use (kernels/math/resample.h).
 */
final class ResamplePlan {
    private ResamplePlan() {
    }

    /** Index modes, codes as JK_RS_* in kernels/math/resample.h. */
    enum Mode {
        NEAREST(0), NEAREST_EXACT(1), BILINEAR(2), BILINEAR_ALIGN(3);

        final int code;

        Mode(int code) {
            this.code = code;
        }

        boolean bilinear() {
            return this == BILINEAR || this == BILINEAR_ALIGN;
        }

        String op() {
            return bilinear() ? "upsample_bilinear2d" : "upsample_nearest2d";
        }
    }

    static Mode nearestMode(NearestMode m) {
        if (m == null) {
            throw new TensorException.BadAttr("mode must be \"nearest\" or \"nearest-exact\", got null");
        }
        return m == NearestMode.NEAREST ? Mode.NEAREST : Mode.NEAREST_EXACT;
    }

    /**
     * One axis of an upsample: output length and the kernels' coordinate scale (resample.h: a
     * float32 value for nearest, widened exactly to double; a double for bilinear).
     */
    record Axis(long in, long out, double scale) {
    }

    static Axis[] axes(String op, long h, long w, Resize resize, Mode mode) {
        if (resize == null) {
            throw new TensorException.BadAttr(op + " needs exactly one of size and scale_factor, got neither");
        }
        long[] size = resize.size();
        double[] scale = resize.scaleFactor();
        if ((size == null) == (scale == null)) {
            throw new TensorException.BadAttr(op + " needs exactly one of size and scale_factor, got "
                    + (size == null ? "neither" : "both"));
        }
        if (size != null && resize.recomputeScaleFactor()) {
            throw new TensorException.BadAttr(op + ": recompute_scale_factor cannot be used with size (as in PyTorch)");
        }
        long[] in = {h, w};
        Axis[] out = new Axis[2];
        for (int k = 0; k < 2; k++) {
            long o;
            double s = Double.NaN;
            if (size != null) {
                if (size.length != 1 && size.length != 2) {
                    throw new TensorException.BadAttr(op + ": size must have 1 or 2 elements, got " + Arrays.toString(size));
                }
                o = size[size.length == 1 ? 0 : k];
                if (o < 1) {
                    throw new TensorException.BadAttr(op + ": output size must be >= 1, got size " + Arrays.toString(size));
                }
            } else {
                if (scale.length != 1 && scale.length != 2) {
                    throw new TensorException.BadAttr(op + ": scale_factor must have 1 or 2 elements, got "
                            + Arrays.toString(scale));
                }
                s = scale[scale.length == 1 ? 0 : k];
                if (!(s > 0) || Double.isInfinite(s)) {
                    throw new TensorException.BadAttr(op + ": scale_factor must be finite and > 0, got "
                            + Arrays.toString(scale));
                }
                double f = Math.floor(in[k] * s);
                if (f < 1) {
                    throw new TensorException.BadAttr(op + ": output size floor(" + in[k] + " * " + s + ") = "
                            + (long) f + " must be >= 1");
                }
                if (f > MAX_AXIS) {
                    throw new TensorException.BadAttr(op + ": output size floor(" + in[k] + " * " + s
                            + ") exceeds the largest axis " + MAX_AXIS);
                }
                o = (long) f;
            }
            if (o > MAX_AXIS) {
                throw new TensorException.BadAttr(op + ": output size " + o + " exceeds the largest axis " + MAX_AXIS);
            }
            boolean given = !Double.isNaN(s) && !resize.recomputeScaleFactor();
            out[k] = new Axis(in[k], o, coordinateScale(mode, in[k], o, given ? s : Double.NaN));
        }
        return out;
    }

    /** OPS.md's per-axis coordinate scale; {@code s} NaN when not given (or recomputed). */
    static double coordinateScale(Mode mode, long in, long out, double s) {
        return switch (mode) {
            case NEAREST, NEAREST_EXACT -> Double.isNaN(s) ? (double) ((float) in / (float) out) : (double) (float) (1.0 / s);
            case BILINEAR_ALIGN -> out > 1 ? (double) (in - 1) / (double) (out - 1) : 0.0;
            case BILINEAR -> Double.isNaN(s) ? (double) in / (double) out : 1.0 / s;
        };
    }
}
