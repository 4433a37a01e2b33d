package io.jkernels.bench;

import io.jkernels.check.AllClose;
import io.jkernels.ops.Resample;
import io.jkernels.ops.Resample.NearestMode;
import io.jkernels.ops.Resample.Resize;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Bench entries of the resampling family ({@link Resample}, OPS.md "Resampling"), f32, at the
 * issue's GPU sizes: pixel_shuffle r = 2 of (8, 256, 128, 128), pixel_unshuffle r = 2 of its
 * result (8, 64, 256, 256), and upsample x2 (8, 64, 256, 256) -> (512, 512), nearest and bilinear,
 * forward and backward. Each is memory-bound: bytes = input read once + output written once.
 * Each entry runs the op's out form; the check poisons the output, runs once and compares three
 * planes (first, middle, last) with the float64 reference within OPS.md's tolerance (a reference
 * over all of 2^27 outputs would take longer than the timing).
 */
public final class ResampleBench implements BenchFamily {
    /** Batch, channels and spatial size of the upsample input at each scale. */
    private static long[] upsampleShape(Scale s) {
        return switch (s) {
            case GPU -> new long[] {8, 64, 256, 256};
            case HOST -> new long[] {2, 8, 64, 64};
            case TINY -> new long[] {1, 3, 9, 7};
        };
    }

    /** The pixel_shuffle input at each scale. */
    private static long[] shuffleShape(Scale s) {
        return switch (s) {
            case GPU -> new long[] {8, 256, 128, 128};
            case HOST -> new long[] {2, 32, 32, 32};
            case TINY -> new long[] {1, 8, 5, 6};
        };
    }

    @Override
    public String name() {
        return "resampling";
    }

    /** One op from an input (on any device) into a given output. */
    @FunctionalInterface
    interface Op {
        void run(Tensor input, Tensor output);
    }

    @Override
    public List<BenchEntry> entries() {
        List<BenchEntry> e = new ArrayList<>();
        e.add(entry("pixel_shuffle", s -> shuffleShape(s), x -> Resample.pixelShape(x, 2, false), 0,
                (x, y) -> Resample.pixelShuffle(x, 2, y)));
        e.add(entry("pixel_unshuffle", s -> Resample.pixelShape(shuffleShape(s), 2, false),
                x -> Resample.pixelShape(x, 2, true), 0, (x, y) -> Resample.pixelUnshuffle(x, 2, y)));
        Resize two = Resize.scale(2);
        e.add(entry("upsample_nearest2d", ResampleBench::upsampleShape, ResampleBench::upsampled, 1e-5,
                (x, y) -> Resample.upsampleNearest2d(x, two, NearestMode.NEAREST, y)));
        e.add(entry("upsample_nearest2d_backward", s -> upsampled(upsampleShape(s)), ResampleBench::downsampled, 1e-5,
                (g, gx) -> Resample.upsampleNearest2dBackward(g, spatial(gx), two, NearestMode.NEAREST, gx)));
        e.add(entry("upsample_bilinear2d", ResampleBench::upsampleShape, ResampleBench::upsampled, 1e-4,
                (x, y) -> Resample.upsampleBilinear2d(x, two, false, y)));
        e.add(entry("upsample_bilinear2d_backward", s -> upsampled(upsampleShape(s)), ResampleBench::downsampled, 1e-4,
                (g, gx) -> Resample.upsampleBilinear2dBackward(g, spatial(gx), two, false, gx)));
        return e;
    }

    private static long[] upsampled(long[] s) {
        return new long[] {s[0], s[1], 2 * s[2], 2 * s[3]};
    }

    private static long[] downsampled(long[] s) {
        return new long[] {s[0], s[1], s[2] / 2, s[3] / 2};
    }

    private static long[] spatial(Tensor t) {
        return new long[] {t.shape()[2], t.shape()[3]};
    }

    private BenchEntry entry(String op, java.util.function.Function<Scale, long[]> inShape,
                             java.util.function.UnaryOperator<long[]> outShape, double tol, Op call) {
        return new BenchEntry(op + "_f32", name(), "f32",
                (device, scale, seed) -> new Case(device, inShape.apply(scale), outShape, tol, call, seed));
    }

    private static final class Case implements BenchCase {
        private final Device device;
        private final double tol;
        private final Op call;
        private final Tensor in;
        private final Tensor out;

        Case(Device device, long[] inShape, java.util.function.UnaryOperator<long[]> outShape, double tol, Op call,
             long seed) {
            this.device = device;
            this.tol = tol;
            this.call = call;
            long n = 1;
            for (long d : inShape) {
                n *= d;
            }
            Tensor flat = ElementwiseBench.randn(seed, DType.F32, device, n);
            try {
                in = flat.view(inShape);
            } finally {
                flat.close();
            }
            Tensor o;
            try {
                o = Tensor.empty(DType.F32, device, outShape.apply(inShape));
            } catch (RuntimeException | Error e) {
                in.close();
                throw e;
            }
            out = o;
        }

        @Override
        public String size() {
            return Arrays.toString(in.shape()) + "->" + Arrays.toString(out.shape());
        }

        @Override
        public long bytes() {
            return (in.numel() + out.numel()) * DType.F32.bytes();
        }

        @Override
        public void run() {
            call.run(in, out);
        }

        @Override
        public Verdict check() {
            out.fill(Double.NaN);
            run();
            device.synchronize();
            long batch = in.shape()[0];
            double maxAbs = 0;
            long checked = 0;
            for (long b : new long[] {0, batch / 2, batch - 1}) {
                // one batch element of input and output: the ops never mix batch elements
                try (Tensor xi = in.narrow(0, b, 1); Tensor hx = xi.to(Device.cpu());
                        Tensor oi = out.narrow(0, b, 1); Tensor ho = oi.to(Device.cpu());
                        Tensor expected = Tensor.empty(DType.F32, Device.cpu(), ho.shape())) {
                    call.run(hx, expected);
                    AllClose.Result r = AllClose.compare(ho, expected, tol, tol == 0 ? 0 : tol == 1e-5 ? 1e-6 : tol);
                    checked += ho.numel();
                    maxAbs = Math.max(maxAbs, r.maxAbs());
                    if (!r.passed()) {
                        return new Verdict(false, maxAbs, checked, "batch element " + b + ": " + r.message());
                    }
                }
            }
            return new Verdict(true, maxAbs, checked, null);
        }

        @Override
        public void close() {
            in.close();
            out.close();
        }
    }
}
