package io.jkernels.ops;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.LaunchConfig;
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

    private static Tensor pixel(Tensor input, long r, Tensor out, boolean unshuffle) {
        Checks.open("input", input);
        long[] oshape = pixelShape(input.shape(), r, unshuffle);
        checkOut(input, out, oshape);
        return run(input, out, oshape, (x, y) -> {
            if (x.numel() == 0) {
                return;
            }
            KernelBackend kb = Kernels.of(x);
            if (kb == null) {
                if (unshuffle) {
                    ResampleRef.pixelUnshuffle(x, r, y);
                } else {
                    ResampleRef.pixelShuffle(x, r, y);
                }
                return;
            }
            long[] s = unshuffle ? oshape : x.shape();  // the r*r-channel side
            int d = s.length;
            long h = s[d - 2];
            long w = s[d - 1];
            long bc = x.numel() / (h * w * r * r);
            int bytes = x.dtype().bytes();
            int units = w % (16 / bytes) == 0 ? 16 / bytes : 1;
            long items = bc * h * r * (w / units);
            KernelArgs a = KernelArgs.get().ptr(x).ptr(y).i64(bc).i64(h).i64(w).i64(r);
            kb.launch((unshuffle ? "pixel_unshuffle" : "pixel_shuffle") + "_fwd_b" + (8 * bytes),
                    LaunchConfig.gridStride(items, BLOCK, 1, kb.properties(), Kernels.WAVES), a);
        });
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

    // ---- plans -------------------------------------------------------------------------------------

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

    private static Mode nearestMode(NearestMode m) {
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

    /**
     * The output size of an upsample of an (H, W) input (OPS.md: exactly one of size and
     * scale_factor; OH = floor(H * sh) in float64; an output size < 1 is an error).
     */
    public static long[] outputSize(long h, long w, Resize resize) {
        Axis[] a = axes("upsample", h, w, resize, Mode.BILINEAR);
        return new long[] {a[0].out(), a[1].out()};
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

    private static void checkImage(String op, String name, Tensor t) {
        Checks.floating(name, t);
        long[] s = t.shape();
        if (s.length != 4) {
            throw new TensorException.Shape(op + ": " + name + " must be 4-D (N, C, H, W), got shape " + Arrays.toString(s));
        }
    }

    private static void checkSpatial(String op, String what, long h, long w) {
        if (h < 1 || w < 1) {
            throw new TensorException.Shape(op + ": " + what + " height and width must be >= 1, got " + h + " x " + w);
        }
        if (h > MAX_AXIS || w > MAX_AXIS) {
            throw new TensorException.Shape(op + ": " + what + " axis larger than " + MAX_AXIS + ": " + h + " x " + w);
        }
    }

    private static void checkOut(Tensor input, Tensor out, long[] shape) {
        if (out == null) {
            return;
        }
        Checks.open("out", out);
        if (!Arrays.equals(out.shape(), shape)) {
            throw new TensorException.Shape("out shape " + Arrays.toString(out.shape()) + " does not match the result shape "
                    + Arrays.toString(shape));
        }
        if (out.dtype() != input.dtype()) {
            throw new TensorException.DTypeMismatch("out dtype " + out.dtype() + " does not match input dtype " + input.dtype());
        }
        if (!out.device().equals(input.device())) {
            throw new TensorException.DeviceMismatch("out is on " + out.device() + " but the input is on " + input.device());
        }
        if (!out.isContiguous()) {
            throw new TensorException.Shape("out must be contiguous to be written in place");
        }
        Checks.disjoint("out", out, false, new String[] {"input"}, input);
    }

    /** Runs {@code body(contiguous input, output)}, allocating the output when none is given. */
    @FunctionalInterface
    private interface Body {
        void run(Tensor x, Tensor y);
    }

    private static Tensor run(Tensor input, Tensor out, long[] shape, Body body) {
        Tensor result = out;
        boolean ok = false;
        try (Tensor x = input.contiguous()) {
            if (result == null) {
                result = Tensor.empty(input.dtype(), input.device(), shape);
            }
            body.run(x, result);
            ok = true;
            return result;
        } finally {
            if (!ok && out == null && result != null) {
                result.close();
            }
        }
    }

    private static Tensor forward(Tensor input, Resize resize, Mode mode, Tensor out) {
        String op = mode.op();
        checkImage(op, "input", input);
        long[] s = input.shape();
        checkSpatial(op, "input", s[2], s[3]);
        Axis[] ax = axes(op, s[2], s[3], resize, mode);
        long[] oshape = {s[0], s[1], ax[0].out(), ax[1].out()};
        checkOut(input, out, oshape);
        return run(input, out, oshape, (x, y) -> {
            long nc = s[0] * s[1];
            if (nc == 0) {
                return;
            }
            KernelBackend kb = Kernels.of(x);
            if (kb == null) {
                double[] given = resize.recomputeScaleFactor() ? null : resize.scaleFactor();
                if (mode.bilinear()) {
                    ResampleRef.upsampleBilinear2d(x, y, given, mode == Mode.BILINEAR_ALIGN);
                } else {
                    ResampleRef.upsampleNearest2d(x, y, given, mode == Mode.NEAREST_EXACT);
                }
                return;
            }
            long oh = ax[0].out();
            long ow = ax[1].out();
            int cols = mode.bilinear() ? 4 : 16 / x.dtype().bytes();  // jk_up_cols in resample.cu
            long groups = oh * ((ow + cols - 1) / cols);
            long chunk = forwardChunk(kb, nc, groups);
            long items = groups * ((nc + chunk - 1) / chunk);
            KernelArgs a = KernelArgs.get().ptr(x).ptr(y).i64(nc).i64(s[2]).i64(s[3]).i64(oh).i64(ow)
                    .f64(ax[0].scale()).f64(ax[1].scale()).i32(mode.code).i64(chunk);
            kb.launch(op + "_fwd_" + x.dtype().suffix(),
                    LaunchConfig.gridStride(items, BLOCK, 1, kb.properties(), Kernels.WAVES), a);
        });
    }

    /**
     * Planes per forward work item: enough items for about 4 threads per resident thread slot of
     * the device, the rest of the planes looped over inside an item (at most {@link #MAX_CHUNK}).
     */
    static long forwardChunk(KernelBackend kb, long nc, long groups) {
        long slots = 4L * kb.properties().smCount() * kb.properties().maxThreadsPerSm();
        long perGroup = Math.max(1, slots / Math.max(1, groups));  // items wanted per (row, column group)
        long chunk = nc / perGroup;
        return Math.max(1, Math.min(MAX_CHUNK, Math.min(nc, chunk)));
    }

    private static Tensor backward(Tensor gradOutput, long[] inputSize, Resize resize, Mode mode, Tensor gradInput) {
        String op = mode.op() + "_backward";
        checkImage(op, "grad_output", gradOutput);
        if (inputSize == null || inputSize.length != 2) {
            throw new TensorException.BadAttr(op + ": input_size must be [H, W], got "
                    + (inputSize == null ? "null" : Arrays.toString(inputSize)));
        }
        long h = inputSize[0];
        long w = inputSize[1];
        if (h < 1 || w < 1) {
            throw new TensorException.BadAttr(op + ": input_size must be >= 1, got " + Arrays.toString(inputSize));
        }
        checkSpatial(op, "input_size", h, w);
        Axis[] ax = axes(op, h, w, resize, mode);
        long[] g = gradOutput.shape();
        if (g[2] != ax[0].out() || g[3] != ax[1].out()) {
            throw new TensorException.Shape(op + ": grad_output shape " + Arrays.toString(g) + " does not match the output size ["
                    + ax[0].out() + ", " + ax[1].out() + "] of input_size " + Arrays.toString(inputSize) + " with " + resize);
        }
        long[] ishape = {g[0], g[1], h, w};
        checkOut(gradOutput, gradInput, ishape);
        return run(gradOutput, gradInput, ishape, (dy, dx) -> {
            long nc = g[0] * g[1];
            if (nc == 0) {
                return;
            }
            KernelBackend kb = Kernels.of(dy);
            if (kb == null) {
                double[] given = resize.recomputeScaleFactor() ? null : resize.scaleFactor();
                if (mode.bilinear()) {
                    ResampleRef.upsampleBilinear2dBackward(dy, dx, given, mode == Mode.BILINEAR_ALIGN);
                } else {
                    ResampleRef.upsampleNearest2dBackward(dy, dx, given, mode == Mode.NEAREST_EXACT);
                }
                return;
            }
            long items = h * w * ((nc + BACKWARD_PLANES - 1) / BACKWARD_PLANES);
            KernelArgs a = KernelArgs.get().ptr(dy).ptr(dx).i64(nc).i64(h).i64(w).i64(g[2]).i64(g[3])
                    .f64(ax[0].scale()).f64(ax[1].scale()).i32(mode.code);
            kb.launch(op.replace("_backward", "") + "_bwd_" + dy.dtype().suffix(),
                    LaunchConfig.gridStride(items, BLOCK, 1, kb.properties(), Kernels.WAVES), a);
        });
    }

    /** Planes per backward work item (JK_UP_BWD_PLANES in resample.cu). */
    static final int BACKWARD_PLANES = 4;
}
