package io.jkernels.ops;

import static io.jkernels.ops.ResampleKernels.backward;
import static io.jkernels.ops.ResampleKernels.forward;
import static io.jkernels.ops.ResampleKernels.pixel;
import static io.jkernels.ops.ResamplePlan.axes;
import static io.jkernels.ops.ResamplePlan.nearestMode;

import io.jkernels.ops.ResamplePlan.Axis;
import io.jkernels.ops.ResamplePlan.Mode;
import io.jkernels.ref.ResampleRef;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * Resampling (OPS.md "Resampling"; PyTorch names): {@code pixel_shuffle}, {@code pixel_unshuffle},
 * {@code upsample_nearest2d} (modes "nearest" and "nearest-exact"), {@code upsample_bilinear2d}
 * and the backward of the two upsamples — torch.nn.functional.pixel_shuffle / pixel_unshuffle /
 * interpolate. Kernels: kernels/resample.cu, index math in kernels/math/resample.h; reference:
 * {@link ResampleRef}.
 *
 * <p>Output size: a {@link Resize} gives either {@code size} [OH, OW] or {@code scale_factor}
 * [sh, sw] (a single number stands for both axes), OH = floor(H * sh) in float64, and
 * {@code recompute_scale_factor}. Nearest follows PyTorch's CUDA index rule exactly (float32
 * scale and product); bilinear computes its coordinates in float64. Backward ops gather (no
 * atomics): the same bits on every run.
 *
 * <p>Tensors: upsamples take f32, bf16 or f16 (N, C, H, W) with H, W >= 1 (N or C may be 0: an
 * empty result, no launch); pixel ops take any dtype with at least 3 dims. A non-contiguous input
 * is copied to a contiguous one first. Results are new contiguous tensors, or a given {@code out}
 * (contiguous, the result's shape, the input's dtype and device; it must not overlap the input).
 * Every argument is checked before anything is written: a bad shape, dtype, device or attr is a
 * {@link TensorException} and leaves every tensor as it was. Each spatial axis must be below
 * 2^31 (the kernels hold column indices in 32 bits); sizes and offsets are 64-bit otherwise.
 *
 * <p>This class holds the API (and the output shapes); the upsamples' index plan (modes, output
 * sizes, coordinate scales) is {@link ResamplePlan}'s, the ops' bodies (checks, output, reference
 * or kernel launch) are {@link ResampleKernels}'.
 */
public final class Resample {
    /** Threads per block of every resample kernel (JK_UP_BLOCK in resample.cu). */
    public static final int BLOCK = 256;
    /** Planes per forward work item at most (the item's indices and weights are reused over them). */
    public static final int MAX_CHUNK = 64;
    /** Largest spatial axis the kernels take. */
    public static final long MAX_AXIS = Integer.MAX_VALUE;

    private Resample() {
    }

    /** The mode of {@code upsample_nearest2d}. */
    public enum NearestMode {
        /** {@code floor(d * scale)} (PyTorch "nearest"). */
        NEAREST("nearest", 0),
        /** {@code floor((d + 0.5) * scale)} (PyTorch "nearest-exact"). */
        NEAREST_EXACT("nearest-exact", 1);

        private final String torchName;
        private final int code;

        NearestMode(String torchName, int code) {
            this.torchName = torchName;
            this.code = code;
        }

        /** PyTorch's name: "nearest" or "nearest-exact". */
        public String torchName() {
            return torchName;
        }

        /** By PyTorch's name; anything else is a BadAttr. */
        public static NearestMode parse(String name) {
            for (NearestMode m : values()) {
                if (m.torchName.equals(name)) {
                    return m;
                }
            }
            throw new TensorException.BadAttr("mode must be \"nearest\" or \"nearest-exact\", got "
                    + (name == null ? "null" : "\"" + name + "\""));
        }
    }

    /**
     * How an upsample's output size is given: exactly one of {@code size} [OH, OW] and
     * {@code scaleFactor} [sh, sw] (one element stands for both axes), and
     * {@code recomputeScaleFactor} (only with a scale factor: then the coordinate scale is
     * in / out instead of 1 / s). Checked when used: both or neither given, recompute with a size,
     * a size < 1, a scale factor that is not finite and positive, or an output size < 1 is a
     * BadAttr.
     */
    public record Resize(long[] size, double[] scaleFactor, boolean recomputeScaleFactor) {
        /** An output size [OH, OW]. */
        public static Resize size(long oh, long ow) {
            return new Resize(new long[] {oh, ow}, null, false);
        }

        /** An output size OH = OW = s. */
        public static Resize size(long s) {
            return size(s, s);
        }

        /** A scale factor per axis (the coordinate scale is 1 / s). */
        public static Resize scale(double sh, double sw) {
            return new Resize(null, new double[] {sh, sw}, false);
        }

        /** One scale factor for both axes. */
        public static Resize scale(double s) {
            return scale(s, s);
        }

        /** The same, with recompute_scale_factor: the coordinate scale becomes in / out. */
        public Resize recompute() {
            return new Resize(size, scaleFactor, true);
        }

        @Override
        public String toString() {
            return size != null ? "size " + Arrays.toString(size)
                    : "scale_factor " + Arrays.toString(scaleFactor) + (recomputeScaleFactor ? " recomputed" : "");
        }
    }

    // ---- pixel shuffle ---------------------------------------------------------------------------

    /** (*, C r^2, H, W) -> (*, C, H r, W r) (torch.nn.functional.pixel_shuffle). */
    public static Tensor pixelShuffle(Tensor input, long upscaleFactor) {
        return pixelShuffle(input, upscaleFactor, null);
    }

    /** pixel_shuffle into {@code out} (contiguous, the result's shape). */
    public static Tensor pixelShuffle(Tensor input, long upscaleFactor, Tensor out) {
        return pixel(input, upscaleFactor, out, false);
    }

    /** (*, C, H r, W r) -> (*, C r^2, H, W) (torch.nn.functional.pixel_unshuffle). */
    public static Tensor pixelUnshuffle(Tensor input, long downscaleFactor) {
        return pixelUnshuffle(input, downscaleFactor, null);
    }

    /** pixel_unshuffle into {@code out} (contiguous, the result's shape). */
    public static Tensor pixelUnshuffle(Tensor input, long downscaleFactor, Tensor out) {
        return pixel(input, downscaleFactor, out, true);
    }

    /** The output shape of pixel_shuffle (or unshuffle) of {@code shape}; Shape/BadAttr errors. */
    public static long[] pixelShape(long[] shape, long r, boolean unshuffle) {
        String op = unshuffle ? "pixel_unshuffle" : "pixel_shuffle";
        String attr = unshuffle ? "downscale_factor" : "upscale_factor";
        if (r < 1) {
            throw new TensorException.BadAttr(attr + " of " + op + " must be >= 1, got " + r);
        }
        int d = shape.length;
        if (d < 3) {
            throw new TensorException.Shape(op + " needs an input of at least 3 dims (*, C, H, W), got shape "
                    + Arrays.toString(shape));
        }
        long rr;
        try {
            rr = Math.multiplyExact(r, r);
        } catch (ArithmeticException e) {
            throw new TensorException.BadAttr(attr + " of " + op + " is too large: " + r);
        }
        long[] o = shape.clone();
        if (!unshuffle) {
            if (shape[d - 3] % rr != 0) {
                throw new TensorException.Shape(op + ": channels " + shape[d - 3] + " of input shape "
                        + Arrays.toString(shape) + " are not divisible by upscale_factor^2 = " + rr);
            }
            o[d - 3] = shape[d - 3] / rr;
            o[d - 2] = mulAxis(op, shape[d - 2], r);
            o[d - 1] = mulAxis(op, shape[d - 1], r);
        } else {
            if (shape[d - 2] % r != 0 || shape[d - 1] % r != 0) {
                throw new TensorException.Shape(op + ": height " + shape[d - 2] + " and width " + shape[d - 1]
                        + " of input shape " + Arrays.toString(shape) + " must be divisible by downscale_factor " + r);
            }
            o[d - 3] = mulAxis(op, shape[d - 3], rr);
            o[d - 2] = shape[d - 2] / r;
            o[d - 1] = shape[d - 1] / r;
        }
        return o;
    }

    private static long mulAxis(String op, long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new TensorException.Shape(op + ": output dimension " + a + " * " + b + " overflows");
        }
    }

    // ---- upsample forward --------------------------------------------------------------------------

    /** upsample_nearest2d, mode "nearest" (F.interpolate(x, size | scale_factor, mode="nearest")). */
    public static Tensor upsampleNearest2d(Tensor input, Resize resize) {
        return upsampleNearest2d(input, resize, NearestMode.NEAREST, null);
    }

    public static Tensor upsampleNearest2d(Tensor input, Resize resize, NearestMode mode) {
        return upsampleNearest2d(input, resize, mode, null);
    }

    /** upsample_nearest2d into {@code out} (contiguous (N, C, OH, OW)). */
    public static Tensor upsampleNearest2d(Tensor input, Resize resize, NearestMode mode, Tensor out) {
        return forward(input, resize, nearestMode(mode), out);
    }

    /** upsample_bilinear2d (F.interpolate(x, size | scale_factor, mode="bilinear", align_corners)). */
    public static Tensor upsampleBilinear2d(Tensor input, Resize resize, boolean alignCorners) {
        return upsampleBilinear2d(input, resize, alignCorners, null);
    }

    /** upsample_bilinear2d into {@code out} (contiguous (N, C, OH, OW)). */
    public static Tensor upsampleBilinear2d(Tensor input, Resize resize, boolean alignCorners, Tensor out) {
        return forward(input, resize, alignCorners ? Mode.BILINEAR_ALIGN : Mode.BILINEAR, out);
    }

    // ---- upsample backward -------------------------------------------------------------------------

    /** The adjoint of upsample_nearest2d: grad_output (N, C, OH, OW) -> grad_input (N, C, H, W). */
    public static Tensor upsampleNearest2dBackward(Tensor gradOutput, long[] inputSize, Resize resize,
            NearestMode mode) {
        return upsampleNearest2dBackward(gradOutput, inputSize, resize, mode, null);
    }

    /** The same into {@code gradInput} (contiguous (N, C, H, W)). */
    public static Tensor upsampleNearest2dBackward(Tensor gradOutput, long[] inputSize, Resize resize,
            NearestMode mode, Tensor gradInput) {
        return backward(gradOutput, inputSize, resize, nearestMode(mode), gradInput);
    }

    /** The adjoint of upsample_bilinear2d: grad_output (N, C, OH, OW) -> grad_input (N, C, H, W). */
    public static Tensor upsampleBilinear2dBackward(Tensor gradOutput, long[] inputSize, Resize resize,
            boolean alignCorners) {
        return upsampleBilinear2dBackward(gradOutput, inputSize, resize, alignCorners, null);
    }

    /** The same into {@code gradInput} (contiguous (N, C, H, W)). */
    public static Tensor upsampleBilinear2dBackward(Tensor gradOutput, long[] inputSize, Resize resize,
            boolean alignCorners, Tensor gradInput) {
        return backward(gradOutput, inputSize, resize, alignCorners ? Mode.BILINEAR_ALIGN : Mode.BILINEAR,
                gradInput);
    }

    // ---- output size -------------------------------------------------------------------------------

    /**
     * The output size of an upsample of an (H, W) input (OPS.md: exactly one of size and
     * scale_factor; OH = floor(H * sh) in float64; an output size < 1 is an error).
     */
    public static long[] outputSize(long h, long w, Resize resize) {
        Axis[] a = axes("upsample", h, w, resize, Mode.BILINEAR);
        return new long[] {a[0].out(), a[1].out()};
    }
}
