package io.jkernels.bench;

import io.jkernels.check.AllClose;
import io.jkernels.ops.AdamW;
import io.jkernels.ops.Optimizers;
import io.jkernels.ops.Optimizers.Hyper;
import io.jkernels.ops.Optimizers.ParamGrad;
import io.jkernels.ref.OptimizersRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The bench cases of the optimizers (OPS.md "Optimizers"), the machinery of the entries that
 * {@code io.jkernels.table.families.OptimizersTable} defines (names, sizes, hyper-parameters and
 * tolerances are there): one in-place step over one f32 tensor ({@link #oneTensor}: the
 * one-tensor kernels of {@link Optimizers}) and one {@link AdamW} step over a parameter list
 * ({@link #paramList}: one multi-tensor launch). Bytes are the fewest the step must move: param,
 * grad, exp_avg, exp_avg_sq read and param, exp_avg, exp_avg_sq written, 28 bytes per element (36
 * with amsgrad: max_exp_avg_sq read and written). Each call steps the state on (the step count
 * grows with the calls; the work is the same). The check snapshots windows of every tensor
 * (ElementwiseBench.windows), runs one step and compares the windows with the float64 reference
 * on the snapshots within the given tolerance.
 */
public final class OptimizerCases {
    /** The step count of the first call (its state is set as if 9 steps had been taken). */
    public static final long FIRST_STEP = 10;

    private OptimizerCases() {
    }

    /** One functional step ({@code decoupled}: AdamW, else Adam) over one tensor of n elements. */
    public static BenchCase oneTensor(Device device, long n, Hyper hyper, boolean decoupled, double rtol, double atol,
                                      long seed) {
        return new OneCase(device, n, hyper, decoupled, rtol, atol, seed);
    }

    /** One {@link AdamW} step over parameters of these shapes (one multi-tensor launch). */
    public static BenchCase paramList(Device device, List<long[]> shapes, Hyper hyper, double rtol, double atol,
                                      long seed) {
        return new ListCase(device, shapes, hyper, rtol, atol, seed);
    }

    /**
     * GPT-2's parameter shapes for a vocabulary, context, width and depth (the MLP is 4x wide):
     * wte vocab x d, wpe context x d; per layer ln_1 w/b, c_attn w d x 3d b 3d, attn c_proj w d x d
     * b d, ln_2 w/b, c_fc w d x 4d b 4d, mlp c_proj w 4d x d b d; ln_f w/b.
     */
    public static List<long[]> gpt2(long vocab, long context, long d, int layers) {
        List<long[]> s = new ArrayList<>();
        s.add(new long[] {vocab, d});
        s.add(new long[] {context, d});
        for (int l = 0; l < layers; l++) {
            s.add(new long[] {d});                 // ln_1 weight
            s.add(new long[] {d});                 // ln_1 bias
            s.add(new long[] {d, 3 * d});          // attn.c_attn weight
            s.add(new long[] {3 * d});             // attn.c_attn bias
            s.add(new long[] {d, d});              // attn.c_proj weight
            s.add(new long[] {d});                 // attn.c_proj bias
            s.add(new long[] {d});                 // ln_2 weight
            s.add(new long[] {d});                 // ln_2 bias
            s.add(new long[] {d, 4 * d});          // mlp.c_fc weight
            s.add(new long[] {4 * d});             // mlp.c_fc bias
            s.add(new long[] {4 * d, d});          // mlp.c_proj weight
            s.add(new long[] {d});                 // mlp.c_proj bias
        }
        s.add(new long[] {d});                     // ln_f weight
        s.add(new long[] {d});                     // ln_f bias
        return s;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Uniform [0, scale) samples on the device (tiled above ElementwiseBench.FULL_CHECK, as its randn). */
    private static Tensor uniform(long seed, Device device, long n, double scale) {
        Tensor out = Tensor.empty(DType.F32, device, n);
        try {
            long block = Math.min(n, 1L << 20);
            try (Tensor host = Tensor.rand(seed, DType.F32, Device.cpu(), block)) {
                for (long i = 0; i < block; i++) {
                    host.setDouble(i, scale * host.getDouble(i));
                }
                try (Tensor b = host.to(device)) {
                    for (long off = 0; off < n; off += block) {
                        long len = Math.min(block, n - off);
                        try (Tensor dst = out.narrow(0, off, len); Tensor src = b.narrow(0, 0, len)) {
                            dst.copyFrom(src);
                        }
                    }
                }
            }
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /**
     * One parameter's tensors (flat views): param and grad N(0, 1), exp_avg 0.1 N(0, 1),
     * exp_avg_sq U(0, 0.01), max_exp_avg_sq U(0, 0.02) (null without amsgrad).
     */
    private static Tensor[] tensors(Device device, long n, boolean amsgrad, long seed) {
        Tensor[] t = new Tensor[5];
        try {
            t[0] = ElementwiseBench.randn(seed, DType.F32, device, n);
            t[1] = ElementwiseBench.randn(seed + 1, DType.F32, device, n);
            t[2] = uniform(seed + 2, device, n, 0.1);
            t[3] = uniform(seed + 3, device, n, 0.01);
            t[4] = amsgrad ? uniform(seed + 4, device, n, 0.02) : null;
            return t;
        } catch (RuntimeException | Error e) {
            ElementwiseBench.closeAll(t);
            throw e;
        }
    }

    /**
     * Snapshots of windows of one parameter's tensors taken before a step, compared with the
     * reference step on them after it.
     */
    private static final class Snapshot implements AutoCloseable {
        private final List<long[]> windows;
        private final List<Tensor[]> host = new ArrayList<>();
        private final double rtol;
        private final double atol;

        /** {@code t}: param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq (or null), flat. */
        Snapshot(Tensor[] t, double rtol, double atol) {
            this.rtol = rtol;
            this.atol = atol;
            windows = ElementwiseBench.windows(t[0].numel());
            for (long[] w : windows) {
                Tensor[] h = new Tensor[5];
                host.add(h);
                for (int k = 0; k < 5; k++) {
                    if (t[k] != null) {
                        try (Tensor v = t[k].narrow(0, w[0], w[1])) {
                            h[k] = v.to(Device.cpu());
                        }
                    }
                }
            }
        }

        /** Runs the reference on the snapshots and compares the updated windows of {@code t}. */
        BenchCase.Verdict compare(String what, Tensor[] t, Hyper hy, long step, boolean decoupled,
                                  BenchCase.Verdict sofar) {
            double maxAbs = sofar.maxAbs();
            long checked = sofar.checked();
            for (int i = 0; i < windows.size(); i++) {
                long[] w = windows.get(i);
                Tensor[] h = host.get(i);
                OptimizersRef.step(h[0], h[1], h[2], h[3], h[4], hy.lr(), hy.beta1(), hy.beta2(), hy.eps(),
                        hy.weightDecay(), step, hy.amsgrad(), hy.maximize(), decoupled);
                for (int k : new int[] {0, 2, 3, 4}) {
                    if (t[k] == null) {
                        continue;
                    }
                    AllClose.Result r;
                    try (Tensor v = t[k].narrow(0, w[0], w[1])) {
                        r = AllClose.compare(v, h[k], rtol, atol);
                    }
                    maxAbs = Math.max(maxAbs, r.maxAbs());
                    if (!r.passed()) {
                        String[] names = {"param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
                        return new BenchCase.Verdict(false, maxAbs, checked, what + names[k] + ": " + r.failures()
                                + " of " + w[1] + " elements from " + w[0] + " out of tolerance (rtol " + rtol
                                + ", atol " + atol + "): at " + (w[0] + r.worstIndex()) + " got " + r.actual()
                                + ", expected " + r.expected());
                    }
                }
                checked += w[1];
            }
            return new BenchCase.Verdict(true, maxAbs, checked, null);
        }

        @Override
        public void close() {
            host.forEach(ElementwiseBench::closeAll);
        }
    }

    /** The functional step over one tensor of n elements. */
    private static final class OneCase implements BenchCase {
        private final Device device;
        private final long n;
        private final Hyper hyper;
        private final boolean decoupled;
        private final double rtol;
        private final double atol;
        private final Tensor[] t;
        private long step = FIRST_STEP;

        OneCase(Device device, long n, Hyper hyper, boolean decoupled, double rtol, double atol, long seed) {
            this.device = device;
            this.n = n;
            this.hyper = hyper;
            this.decoupled = decoupled;
            this.rtol = rtol;
            this.atol = atol;
            this.t = tensors(device, n, hyper.amsgrad(), seed);
        }

        @Override
        public String size() {
            return "n=" + ElementwiseBench.count(n);
        }

        @Override
        public long bytes() {
            return (hyper.amsgrad() ? 9L : 7L) * 4 * n;
        }

        @Override
        public void run() {
            if (decoupled) {
                Optimizers.adamwStep(t[0], t[1], t[2], t[3], t[4], hyper, step++);
            } else {
                Optimizers.adamStep(t[0], t[1], t[2], t[3], t[4], hyper, step++);
            }
        }

        @Override
        public Verdict check() {
            try (Snapshot s = new Snapshot(t, rtol, atol)) {
                long thisStep = step;
                run();
                device.synchronize();
                return s.compare("", t, hyper, thisStep, decoupled, new Verdict(true, 0, 0, null));
            }
        }

        @Override
        public void close() {
            ElementwiseBench.closeAll(t);
        }
    }

    /** One {@link AdamW} step over a parameter list (one multi-tensor launch). */
    private static final class ListCase implements BenchCase {
        private final Device device;
        private final Hyper hyper;
        private final List<Tensor[]> params = new ArrayList<>();
        private final List<ParamGrad> pairs = new ArrayList<>();
        private final AdamW opt;
        private final long total;
        private final double rtol;
        private final double atol;

        ListCase(Device device, List<long[]> shapes, Hyper hyper, double rtol, double atol, long seed) {
            this.device = device;
            this.hyper = hyper;
            this.rtol = rtol;
            this.atol = atol;
            this.opt = AdamW.of(hyper);
            long sum = 0;
            try {
                for (long[] shape : shapes) {
                    long n = numel(shape);
                    Tensor[] t = tensors(device, n, hyper.amsgrad(), seed + 8L * params.size());
                    params.add(t);
                    opt.loadState(t[0], t[2], t[3], t[4], FIRST_STEP - 1);
                    // the optimizer holds copies: keep views of its own state for the check
                    ElementwiseBench.closeAll(new Tensor[] {t[2], t[3], t[4]});
                    Optimizers.AdamOptimizer.State st = opt.state(t[0]);
                    t[2] = st.expAvg().alias();
                    t[3] = st.expAvgSq().alias();
                    t[4] = st.maxExpAvgSq() == null ? null : st.maxExpAvgSq().alias();
                    pairs.add(new ParamGrad(t[0], t[1]));
                    sum += n;
                }
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
            total = sum;
        }

        @Override
        public String size() {
            return params.size() + " tensors, n=" + total;
        }

        @Override
        public long bytes() {
            return (hyper.amsgrad() ? 9L : 7L) * 4 * total;
        }

        @Override
        public void run() {
            opt.step(pairs);
        }

        @Override
        public Verdict check() {
            List<Snapshot> snaps = new ArrayList<>();
            try {
                for (Tensor[] t : params) {
                    snaps.add(new Snapshot(t, rtol, atol));
                }
                long thisStep = opt.state(params.get(0)[0]).step() + 1;
                run();
                device.synchronize();
                Verdict v = new Verdict(true, 0, 0, null);
                for (int i = 0; i < params.size() && v.passed(); i++) {
                    v = snaps.get(i).compare("tensor " + i + " ", params.get(i), hyper, thisStep, true, v);
                }
                return v;
            } finally {
                snaps.forEach(Snapshot::close);
            }
        }

        @Override
        public void close() {
            params.forEach(ElementwiseBench::closeAll);
            opt.close();
        }
    }
}
