package io.jkernels.bench;

import io.jkernels.check.AllClose;
import io.jkernels.ops.Resample;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * The bench case of the resample family ({@link Resample}, OPS.md "Resampling"), the machinery of
 * the entries that {@code io.jkernels.table.families.ResampleTable} defines (names, shapes, calls
 * and tolerances are there): one f32 op from a standard normal input into a given output, run in
 * its out form. Each is memory-bound: bytes = input read once + output written once. The check
 * poisons the output, runs once and compares three batch elements (first, middle, last) with the
 * float64 reference (a reference over all of 2^27 outputs would take longer than the timing).
 */
public final class ResampleCases {
    private ResampleCases() {
    }

    /** One op from an input (on any device) into a given output. */
    @FunctionalInterface
    public interface Op {
        void run(Tensor input, Tensor output);
    }

    /**
     * The op {@code call} from a standard normal f32 input of {@code inShape} into an output of
     * {@code outShape(inShape)}, checked within rtol / atol.
     */
    public static BenchCase of(Device device, long[] inShape, UnaryOperator<long[]> outShape, double rtol,
                               double atol, Op call, long seed) {
        return new Case(device, inShape, outShape, rtol, atol, call, seed);
    }

    private static final class Case implements BenchCase {
        private final Device device;
        private final double rtol;
        private final double atol;
        private final Op call;
        private final Tensor in;
        private final Tensor out;

        Case(Device device, long[] inShape, UnaryOperator<long[]> outShape, double rtol, double atol, Op call,
             long seed) {
            this.device = device;
            this.rtol = rtol;
            this.atol = atol;
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
                    AllClose.Result r = AllClose.compare(ho, expected, rtol, atol);
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
