package io.jkernels.ops;

import static io.jkernels.ops.Resample.BLOCK;
import static io.jkernels.ops.Resample.MAX_AXIS;
import static io.jkernels.ops.Resample.MAX_CHUNK;
import static io.jkernels.ops.Resample.pixelShape;
import static io.jkernels.ops.ResamplePlan.axes;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.ops.Resample.Resize;
import io.jkernels.ops.ResamplePlan.Axis;
import io.jkernels.ops.ResamplePlan.Mode;
import io.jkernels.ref.ResampleRef;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * The bodies of {@link Resample}'s ops: every argument checked (image shape and dtype, spatial
 * axes, a given {@code out}), the input made contiguous and the output allocated when none is
 * given, then the reference ({@link ResampleRef}) on cpu or one launch of a kernels/resample.cu
 * kernel: pixel_shuffle / pixel_unshuffle, the upsample forwards (planes per work item from
 * {@link #forwardChunk}) and their gathering backwards.
 */
final class ResampleKernels {
    private ResampleKernels() {
    }

    static Tensor pixel(Tensor input, long r, Tensor out, boolean unshuffle) {
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

    static void checkImage(String op, String name, Tensor t) {
        Checks.floating(name, t);
        long[] s = t.shape();
        if (s.length != 4) {
            throw new TensorException.Shape(op + ": " + name + " must be 4-D (N, C, H, W), got shape " + Arrays.toString(s));
        }
    }

    static void checkSpatial(String op, String what, long h, long w) {
        if (h < 1 || w < 1) {
            throw new TensorException.Shape(op + ": " + what + " height and width must be >= 1, got " + h + " x " + w);
        }
        if (h > MAX_AXIS || w > MAX_AXIS) {
            throw new TensorException.Shape(op + ": " + what + " axis larger than " + MAX_AXIS + ": " + h + " x " + w);
        }
    }

    static void checkOut(Tensor input, Tensor out, long[] shape) {
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
    interface Body {
        void run(Tensor x, Tensor y);
    }

    static Tensor run(Tensor input, Tensor out, long[] shape, Body body) {
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

    static Tensor forward(Tensor input, Resize resize, Mode mode, Tensor out) {
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

    static Tensor backward(Tensor gradOutput, long[] inputSize, Resize resize, Mode mode, Tensor gradInput) {
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
