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
 * Bench entries of the rl family (OPS.md "Reinforcement learning"), f32 tables and returns. GPU
 * sizes (the issue's): q_learning_update and td0_update B = 2^20 transitions on S = 2^16 states (x
 * A = 18 actions), dqn_target B = 2^20 x 18, the trajectory ops (T, B) = (2048, 4096) and gae over
 * one long column (T = 2^20, B = 1). Each run is the op's in-place / {@code out} form with a
 * reused {@link Td.Workspace} (nothing allocated per call); the tabular updates move the table a
 * little on every run, which changes neither their cost nor their validity, and wait for the
 * device's index check once per call (see {@link Td}). Bytes = the fewest the op must move: every
 * input read once, every output written once, a table read and written once.
 * The check runs the op once from a copy of the inputs and compares with the cpu reference
 * (rtol = atol = 1e-5), every element.
 */
public final class RlBench implements BenchFamily {
    private static final double TOL = 1e-5;
    private static final long ACTIONS = 18;

    @Override
    public String name() {
        return "rl";
    }

    /** (gpu, host, tiny) of one dimension. */
    private record Dim(long gpu, long host, long tiny) {
        long at(Scale s) {
            return s.pick(gpu, host, tiny);
        }
    }

    private static final Dim BATCH = new Dim(1L << 20, 1L << 16, 4099);
    private static final Dim STATES = new Dim(1L << 16, 1L << 12, 257);
    private static final Dim STEPS = new Dim(2048, 256, 33);
    private static final Dim COLUMNS = new Dim(4096, 512, 40);
    private static final Dim LONG_STEPS = new Dim(1L << 20, 1L << 17, 5000);

    @Override
    public List<BenchEntry> entries() {
        List<BenchEntry> e = new ArrayList<>();
        e.add(entry("q_learning_update_f32", (d, s, seed) -> tabular(d, s, seed, true)));
        e.add(entry("td0_update_f32", (d, s, seed) -> tabular(d, s, seed, false)));
        e.add(entry("dqn_target_f32", RlBench::dqn));
        e.add(entry("gae_f32", (d, s, seed) -> trajectory(d, seed, "gae", STEPS.at(s), COLUMNS.at(s))));
        e.add(entry("gae_long_f32", (d, s, seed) -> trajectory(d, seed, "gae", LONG_STEPS.at(s), 1)));
        e.add(entry("discounted_return_f32",
                (d, s, seed) -> trajectory(d, seed, "discounted_return", STEPS.at(s), COLUMNS.at(s))));
        e.add(entry("td_lambda_return_f32",
                (d, s, seed) -> trajectory(d, seed, "td_lambda_return", STEPS.at(s), COLUMNS.at(s))));
        return e;
    }

    private BenchEntry entry(String name, BenchEntry.Factory f) {
        return new BenchEntry(name, name(), "f32", f);
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

        Case(Device device, String size, long bytes, Map<String, Tensor> cpu, List<String> outputs, Call call) {
            this.device = device;
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
                    AllClose.Result r = AllClose.compare(tensors.get(o), host.get(o), TOL, TOL);
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

    private static BenchCase tabular(Device device, Scale scale, long seed, boolean q) {
        SplittableRandom g = new SplittableRandom(seed);
        long b = BATCH.at(scale);
        long s = STATES.at(scale);
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
        return new Case(device, "B=" + ElementwiseBench.count(b) + " S=" + ElementwiseBench.count(s) + (q ? " A=" + a : ""),
                bytes, t, List.of("q"), call);
    }

    private static BenchCase dqn(Device device, Scale scale, long seed) {
        SplittableRandom g = new SplittableRandom(seed);
        long b = BATCH.at(scale);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("next_q", Tensor.randn(seed, DType.F32, Device.cpu(), b, ACTIONS));
        t.put("rewards", Tensor.randn(seed + 1, DType.F32, Device.cpu(), b));
        t.put("dones", mask(g, b, 0.05));
        t.put("target", Tensor.zeros(DType.F32, Device.cpu(), b));
        return new Case(device, "B=" + ElementwiseBench.count(b) + " A=" + ACTIONS, b * (ACTIONS * 4 + 4 + 1 + 4), t,
                List.of("target"), (x, ws) -> Td.dqnTarget(x.get("next_q"), x.get("rewards"), x.get("dones"), null,
                        Td.GAMMA, x.get("target")));
    }

    private static BenchCase trajectory(Device device, long seed, String op, long steps, long cols) {
        SplittableRandom g = new SplittableRandom(seed);
        long n = steps * cols;
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("rewards", normal(seed, n, steps, cols));
        t.put("dones", mask(g, n, 0.002, steps, cols));
        long bytes;
        Call call;
        List<String> outs;
        switch (op) {
            case "gae" -> {
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
            case "discounted_return" -> {
                t.put("bootstrap", Tensor.randn(seed + 3, DType.F32, Device.cpu(), cols));
                t.put("returns", Tensor.zeros(DType.F32, Device.cpu(), steps, cols));
                bytes = n * (4 + 1 + 4) + cols * 4;
                outs = List.of("returns");
                call = (x, ws) -> Returns.discountedReturn(x.get("rewards"), x.get("dones"), x.get("bootstrap"), Td.GAMMA,
                        x.get("returns"), ws);
            }
            default -> {
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
                outs, call);
    }
}
