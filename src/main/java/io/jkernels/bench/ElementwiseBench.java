package io.jkernels.bench;

import io.jkernels.check.AllClose;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Bench entries of elementwise ops: {@code k} inputs and {@code m} outputs of {@code n} elements
 * each, so the op must move {@code (k + m) * n * sizeof(dtype)} bytes. Inputs are standard normal
 * samples; the check poisons the outputs with NaN, runs the op once and compares with the cpu
 * reference: every element up to {@link #FULL_CHECK} elements, above that a head, a tail and
 * {@link #WINDOWS} windows spread over the tensor (a full float64 reference over 2^28 elements
 * would take longer than the timing).
 */
public final class ElementwiseBench {
    /** Tensors up to this many elements are checked completely. */
    public static final long FULL_CHECK = 1L << 22;
    /** Windows checked on larger tensors (plus the last window, at the tail). */
    public static final int WINDOWS = 64;
    /** Elements per window (not a power of two, so windows start at every alignment). */
    public static final long WINDOW = 4099;

    private ElementwiseBench() {
    }

    /** The element count of an op at each scale. */
    public record Sizes(long gpu, long host, long tiny) {
        public long at(Scale s) {
            return s.pick(gpu, host, tiny);
        }
    }

    /** Unary and binary elementwise ops, copy: 2^28 elements on a GPU (issue #5). */
    public static final Sizes ELEMENTWISE = new Sizes(1L << 28, 1L << 20, 4099);
    /** Gated activations (swiglu...): gate and up 2^27 elements each on a GPU. */
    public static final Sizes GATED = new Sizes(1L << 27, 1L << 19, 4099);

    /** {@code |actual - expected| <= atol + rtol * |expected|} per element (OPS.md). */
    public record Tolerance(double rtol, double atol) {
        /** Exact: the kernel and the reference round the same value once. */
        public static final Tolerance EXACT = new Tolerance(0, 0);
    }

    /** Runs an op (or its reference) from its inputs into its outputs. */
    @FunctionalInterface
    public interface Call {
        void run(Tensor[] inputs, Tensor[] outputs);
    }

    /**
     * An entry named {@code <op>_<dtype>}.
     *
     * @param op        the op name as OPS.md and PyTorch name it ({@code relu_backward})
     * @param call      the op writing into the given outputs (its {@code out} form)
     * @param reference the cpu reference writing into cpu outputs
     */
    public static BenchEntry entry(String family, String op, DType dtype, int inputs, int outputs, Sizes sizes,
                                   Tolerance tol, Call call, Call reference) {
        String name = op + "_" + dtype.suffix();
        return new BenchEntry(name, family, dtype.suffix(),
                (device, scale, seed) -> new Case(device, dtype, sizes.at(scale), inputs, outputs, tol, call, reference, seed));
    }

    /** "2^28" for a power of two, else the number. */
    public static String count(long n) {
        return n > 0 && Long.bitCount(n) == 1 ? "2^" + Long.numberOfTrailingZeros(n) : Long.toString(n);
    }

    /**
     * Standard normal samples on {@code device}. Above {@link #FULL_CHECK} elements a block of
     * 2^20 samples is drawn on the host and tiled by device copies (drawing 2^28 on the host takes
     * seconds per tensor).
     */
    public static Tensor randn(long seed, DType dtype, Device device, long n) {
        if (n <= FULL_CHECK) {
            return Tensor.randn(seed, dtype, device, n);
        }
        long block = 1L << 20;
        Tensor out = Tensor.empty(dtype, device, n);
        try (Tensor b = Tensor.randn(seed, dtype, device, block)) {
            for (long off = 0; off < n; off += block) {
                long len = Math.min(block, n - off);
                try (Tensor dst = out.narrow(0, off, len); Tensor src = b.narrow(0, 0, len)) {
                    dst.copyFrom(src);
                }
            }
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** The [start, start + length) windows the check compares. */
    static List<long[]> windows(long n) {
        List<long[]> w = new ArrayList<>();
        if (n <= FULL_CHECK) {
            w.add(new long[] {0, n});
            return w;
        }
        long step = (n - WINDOW) / WINDOWS;
        for (int i = 0; i < WINDOWS; i++) {
            w.add(new long[] {i * step, WINDOW});
        }
        w.add(new long[] {n - WINDOW, WINDOW});
        return w;
    }

    private static final class Case implements BenchCase {
        private final Device device;
        private final DType dtype;
        private final long n;
        private final Tolerance tol;
        private final Call call;
        private final Call reference;
        private final Tensor[] in;
        private final Tensor[] out;

        Case(Device device, DType dtype, long n, int inputs, int outputs, Tolerance tol, Call call, Call reference,
             long seed) {
            this.device = device;
            this.dtype = dtype;
            this.n = n;
            this.tol = tol;
            this.call = call;
            this.reference = reference;
            in = new Tensor[inputs];
            out = new Tensor[outputs];
            try {
                for (int i = 0; i < inputs; i++) {
                    in[i] = randn(seed + i, dtype, device, n);
                }
                for (int i = 0; i < outputs; i++) {
                    out[i] = Tensor.empty(dtype, device, n);
                }
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        @Override
        public String size() {
            return "n=" + count(n);
        }

        @Override
        public long bytes() {
            return (long) (in.length + out.length) * n * dtype.bytes();
        }

        @Override
        public void run() {
            call.run(in, out);
        }

        @Override
        public Verdict check() {
            for (Tensor o : out) {
                o.fill(Double.NaN);
            }
            run();
            device.synchronize();
            double maxAbs = 0;
            long checked = 0;
            for (long[] w : windows(n)) {
                Tensor[] hostIn = new Tensor[in.length];
                Tensor[] expected = new Tensor[out.length];
                try {
                    for (int i = 0; i < in.length; i++) {
                        try (Tensor v = in[i].narrow(0, w[0], w[1])) {
                            hostIn[i] = v.to(Device.cpu());
                        }
                    }
                    for (int i = 0; i < out.length; i++) {
                        expected[i] = Tensor.empty(dtype, Device.cpu(), w[1]);
                    }
                    reference.run(hostIn, expected);
                    for (int i = 0; i < out.length; i++) {
                        AllClose.Result r;
                        try (Tensor v = out[i].narrow(0, w[0], w[1])) {
                            r = AllClose.compare(v, expected[i], tol.rtol(), tol.atol());
                        }
                        checked += w[1];
                        maxAbs = Math.max(maxAbs, r.maxAbs());
                        if (!r.passed()) {
                            long at = w[0] + r.worstIndex();
                            String which = out.length > 1 ? "output " + i + ": " : "";
                            return new Verdict(false, maxAbs, checked, which + r.failures() + " of " + w[1]
                                    + " elements from " + w[0] + " out of tolerance (rtol " + tol.rtol() + ", atol "
                                    + tol.atol() + "): at " + at + " got " + r.actual() + ", expected " + r.expected());
                        }
                    }
                } finally {
                    closeAll(hostIn);
                    closeAll(expected);
                }
            }
            return new Verdict(true, maxAbs, checked, null);
        }

        @Override
        public void close() {
            closeAll(in);
            closeAll(out);
        }
    }

    static void closeAll(Tensor[] ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }
}
