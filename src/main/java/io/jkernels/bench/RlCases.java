package io.jkernels.bench;

import io.jkernels.check.AllClose;
import io.jkernels.ops.Returns;
import io.jkernels.ops.Td;
import io.jkernels.ops.Td.Reduction;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The bench cases of the rl family (OPS.md "Reinforcement learning"), f32 tables and returns: the
 * machinery of the entries that {@code io.jkernels.table.families.RlTable} and
 * {@code RlReturnsTable} define (names, sizes and tolerances are there). Each run is the op's
 * in-place / {@code out} form with a reused {@link Td.Workspace} (nothing allocated per call),
 * with OPS.md's default gamma, alpha, lmbda and reduction "sum"; the tabular updates move the
 * table a little on every run, which changes neither their cost nor their validity, and wait for
 * the device's index check once per call (see {@link Td}). Bytes = the fewest the op must move:
 * every input read once, every output written once, a table read and written once. The check runs
 * the op once from a copy of the inputs and compares with the cpu reference, every element.
 */
public final class RlCases {
    private static final long ACTIONS = 18;

    private RlCases() {
    }

    /** The trajectory ops (time-major (T, B) inputs). */
    public enum Trajectory { DISCOUNTED_RETURN, GAE, TD_LAMBDA_RETURN }

    /**
     * q_learning_update ({@code q}: a (S, 18) table) or td0_update (a (S) table) of B transitions
     * with uniform states and actions, standard normal rewards and 5% dones.
     */
    public static BenchCase tabular(Device device, long b, long s, boolean q, double tol, long seed) {
        return tabularCase(device, b, s, q, tol, seed);
    }

    /** dqn_target of B transitions over 18 actions (standard normal next_q and rewards, 5% dones). */
    public static BenchCase dqn(Device device, long b, double tol, long seed) {
        return dqnCase(device, b, tol, seed);
    }

    /** A trajectory op over (steps, cols) standard normal inputs with episode ends at rate 1/500. */
    public static BenchCase trajectory(Device device, Trajectory op, long steps, long cols, double tol, long seed) {
        return trajectoryCase(device, seed, op, steps, cols, tol);
    }

    // ---- a prepared case -----------------------------------------------------------------------------

    /** Runs the op on device tensors; the same on cpu copies gives the reference. */
    @FunctionalInterface
    private interface Call {
        void run(Map<String, Tensor> t, Td.Workspace ws);
    }

    private static final class Case implements BenchCase {
        private final Device device;
        private final String size;
        private final long bytes;
        private final Map<String, Tensor> tensors;
        private final List<String> outputs;
        private final Call call;
        private final Td.Workspace ws;
        private final double tol;

        Case(Device device, String size, long bytes, Map<String, Tensor> cpu, List<String> outputs, Call call,
             double tol) {
            this.device = device;
            this.tol = tol;
            this.size = size;
            this.bytes = bytes;
            this.outputs = outputs;
            this.call = call;
            this.tensors = new LinkedHashMap<>();
            this.ws = new Td.Workspace(device);
            try {
                for (Map.Entry<String, Tensor> e : cpu.entrySet()) {
                    tensors.put(e.getKey(), e.getValue().to(device));
                }
            } catch (RuntimeException | Error x) {
                close();
                throw x;
            } finally {
                cpu.values().forEach(Tensor::close);
            }
        }

        @Override
        public String size() {
            return size;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public void run() {
            call.run(tensors, ws);
        }

        @Override
        public Verdict check() {
            Map<String, Tensor> host = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                    host.put(e.getKey(), e.getValue().to(Device.cpu()));
                }
                for (String o : outputs) {
                    if (!o.equals("q") && !o.equals("values")) {
                        tensors.get(o).fill(Double.NaN);
                    }
                }
                run();
                device.synchronize();
                call.run(host, null);
                double maxAbs = 0;
                long checked = 0;
                for (String o : outputs) {
                    AllClose.Result r = AllClose.compare(tensors.get(o), host.get(o), tol, tol);
                    maxAbs = Math.max(maxAbs, r.maxAbs());
                    checked += host.get(o).numel();
                    if (!r.passed()) {
                        return new Verdict(false, maxAbs, checked, o + ": " + r.message());
                    }
                }
                return new Verdict(true, maxAbs, checked, null);
            } finally {
                host.values().forEach(Tensor::close);
            }
        }

        @Override
        public void close() {
            tensors.values().forEach(Tensor::close);
            ws.close();
        }
    }

    // ---- inputs --------------------------------------------------------------------------------------

    private static Tensor indices(SplittableRandom g, long n, long bound) {
        long[] v = new long[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = g.nextLong(bound);
        }
        return Tensor.of(v);
    }

    private static Tensor mask(SplittableRandom g, long n, double p, long... shape) {
        boolean[] v = new boolean[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = g.nextDouble() < p;
        }
        return Tensor.of(v, shape.length == 0 ? new long[] {n} : shape);
    }

    /** Standard normal (steps, cols) on cpu. */
    private static Tensor normal(long seed, long n, long steps, long cols) {
        try (Tensor flat = ElementwiseBench.randn(seed, DType.F32, Device.cpu(), n)) {
            return flat.view(steps, cols);
        }
    }

    private static BenchCase tabularCase(Device device, long b, long s, boolean q, double tol, long seed) {
        SplittableRandom g = new SplittableRandom(seed);
        long a = q ? ACTIONS : 1;
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("q", q ? Tensor.randn(seed, DType.F32, Device.cpu(), s, a) : Tensor.randn(seed, DType.F32, Device.cpu(), s));
        t.put("states", indices(g, b, s));
        t.put("actions", indices(g, b, a));
        t.put("rewards", Tensor.randn(seed + 1, DType.F32, Device.cpu(), b));
        t.put("next_states", indices(g, b, s));
        t.put("dones", mask(g, b, 0.05));
        long bytes = b * ((q ? 8 : 0) + 8 + 4 + 8 + 1) + 2 * s * a * 4;
        Call call = q
                ? (x, ws) -> Td.qLearningUpdate(x.get("q"), x.get("states"), x.get("actions"), x.get("rewards"),
                        x.get("next_states"), x.get("dones"), Td.GAMMA, Td.ALPHA, Reduction.SUM, ws)
                : (x, ws) -> Td.td0Update(x.get("q"), x.get("states"), x.get("rewards"), x.get("next_states"),
                        x.get("dones"), Td.GAMMA, Td.ALPHA, Reduction.SUM, ws);
        return new Case(device, "B=" + ElementwiseBench.count(b) + " S=" + ElementwiseBench.count(s)
                + (q ? " A=" + a : ""), bytes, t, List.of("q"), call, tol);
    }

    private static BenchCase dqnCase(Device device, long b, double tol, long seed) {
        SplittableRandom g = new SplittableRandom(seed);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("next_q", Tensor.randn(seed, DType.F32, Device.cpu(), b, ACTIONS));
        t.put("rewards", Tensor.randn(seed + 1, DType.F32, Device.cpu(), b));
        t.put("dones", mask(g, b, 0.05));
        t.put("target", Tensor.zeros(DType.F32, Device.cpu(), b));
        return new Case(device, "B=" + ElementwiseBench.count(b) + " A=" + ACTIONS, b * (ACTIONS * 4 + 4 + 1 + 4), t,
                List.of("target"), (x, ws) -> Td.dqnTarget(x.get("next_q"), x.get("rewards"), x.get("dones"), null,
                        Td.GAMMA, x.get("target")), tol);
    }

    private static BenchCase trajectoryCase(Device device, long seed, Trajectory op, long steps, long cols,
                                            double tol) {
        SplittableRandom g = new SplittableRandom(seed);
        long n = steps * cols;
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("rewards", normal(seed, n, steps, cols));
        t.put("dones", mask(g, n, 0.002, steps, cols));
        long bytes;
        Call call;
        List<String> outs;
        switch (op) {
            case GAE -> {
                t.put("values", normal(seed + 1, n, steps, cols));
                t.put("next_values", normal(seed + 2, n, steps, cols));
                t.put("terminated", mask(g, n, 0.001, steps, cols));
                t.put("advantages", Tensor.zeros(DType.F32, Device.cpu(), steps, cols));
                t.put("value_targets", Tensor.zeros(DType.F32, Device.cpu(), steps, cols));
                bytes = n * (4 + 4 + 4 + 1 + 1 + 4 + 4);
                outs = List.of("advantages", "value_targets");
                call = (x, ws) -> Returns.gae(x.get("rewards"), x.get("values"), x.get("next_values"), x.get("dones"),
                        x.get("terminated"), Td.GAMMA, Td.LMBDA, x.get("advantages"), x.get("value_targets"), ws);
            }
            case DISCOUNTED_RETURN -> {
                t.put("bootstrap", Tensor.randn(seed + 3, DType.F32, Device.cpu(), cols));
                t.put("returns", Tensor.zeros(DType.F32, Device.cpu(), steps, cols));
                bytes = n * (4 + 1 + 4) + cols * 4;
                outs = List.of("returns");
                call = (x, ws) -> Returns.discountedReturn(x.get("rewards"), x.get("dones"), x.get("bootstrap"), Td.GAMMA,
                        x.get("returns"), ws);
            }
            default -> { // TD_LAMBDA_RETURN
                t.put("next_values", normal(seed + 2, n, steps, cols));
                t.put("terminated", mask(g, n, 0.001, steps, cols));
                t.put("returns", Tensor.zeros(DType.F32, Device.cpu(), steps, cols));
                bytes = n * (4 + 4 + 1 + 1 + 4);
                outs = List.of("returns");
                call = (x, ws) -> Returns.tdLambdaReturn(x.get("rewards"), x.get("next_values"), x.get("dones"),
                        x.get("terminated"), Td.GAMMA, Td.LMBDA, x.get("returns"), ws);
            }
        }
        return new Case(device, "T=" + ElementwiseBench.count(steps) + " B=" + ElementwiseBench.count(cols), bytes, t,
                outs, call, tol);
    }
}
