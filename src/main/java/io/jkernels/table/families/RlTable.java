package io.jkernels.table.families;

import static io.jkernels.table.BadCalls.with;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.ElementwiseBench.Sizes;
import io.jkernels.bench.RlCases;
import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpDef.InputKind;
import io.jkernels.ops.Td;
import io.jkernels.ops.Td.Reduction;
import io.jkernels.table.BadCalls;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpEntry.ErrorSample;
import io.jkernels.table.OpFamily;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The rl ops of OPS.md "Reinforcement learning": one definition per op. This file holds the
 * tabular updates (td0_update, q_learning_update, sarsa_update, expected_sarsa_update,
 * linear_td_update, running_mean_update) and dqn_target; the trajectory ops (discounted_return,
 * gae, td_lambda_return) are in {@link RlReturnsTable}. The tabular updates work in place: their
 * output is the updated table (a new handle on the input). The public API is {@link Td} and
 * {@code Returns}, the references {@code TdRef} and {@code ReturnsRef}, the kernels kernels/rl.cu
 * and kernels/rl_returns.cu over kernels/math/rl.h, the golden cases tools/golden/gen_rl.py; the
 * bench cases are {@link RlCases}.
 */
public final class RlTable implements OpFamily {
    static final String FAMILY = "rl";

    /** OPS.md: every op of the section, in the conformance cases and the bench checks alike. */
    static final double TOL = 1e-5;

    static final AttrSpec GAMMA = AttrSpec.real("gamma", Td.GAMMA).between(0, 1);
    static final AttrSpec ALPHA = AttrSpec.real("alpha", Td.ALPHA).atLeast(0)
            .where(v -> !Double.isInfinite((Double) v), "finite");
    static final AttrSpec REDUCTION = AttrSpec.string("reduction", "sum", "sum", "mean");
    static final AttrSpec EPSILON = AttrSpec.real("epsilon", Td.EPSILON).between(0, 1);
    static final AttrSpec LMBDA = AttrSpec.real("lmbda", Td.LMBDA).between(0, 1);
    static final AttrSpec DOUBLE = AttrSpec.bool("double", false);

    /** Bench sizes (the on a GPU): B transitions on S states. */
    static final Sizes BATCH = new Sizes(1L << 20, 1L << 16, 4099);
    static final Sizes STATES = new Sizes(1L << 16, 1L << 12, 257);

    private static final String TABULAR = "rtol = atol = 1e-5 (OPS.md, for the whole section): every TD error is a "
            + "double and the transitions on one entry are summed exactly on a fixed-point grid (NOTE [Deterministic "
            + "collisions], kernels/math/rl.h: relative 2^-41 for 2^20 values on one entry), so the only error "
            + "against float64 is the final rounding of the table to float32";
    private static final String LINEAR = "rtol = atol = 1e-5 (OPS.md, for the whole section): the TD errors and the "
            + "sums over the transitions are doubles (NOTE [RL accumulate in double], kernels/math/rl.h), so the "
            + "only error against float64 is the final rounding of the weights to float32";
    private static final String DQN = "rtol = atol = 1e-5 (OPS.md, for the whole section): the max over actions "
            + "selects (NaN as torch.max) and r + gamma (1-d) max is taken in double, rounded once to float32";
    private static final String SAME_COST_AS = "costs what q_learning_update costs";

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public List<OpEntry> ops() {
        List<OpEntry> ops = new ArrayList<>();
        ops.add(op(tabular("td0_update", "values", false).body((in, a) -> out("values",
                        Td.td0Update(in.get("values"), in.get("states"), in.get("rewards"), in.get("next_states"),
                                in.get("dones"), a.getDouble("gamma"), a.getDouble("alpha"), reduction(a)))).build(),
                "v.index_add_(0, s, r + gamma * v[s2].masked_fill(d, 0) - v[s], alpha=alpha) (reduction 'sum')",
                TABULAR, List.of(bench("td0_update_f32", (d, s, seed) ->
                        RlCases.tabular(d, BATCH.at(s), STATES.at(s), false, TOL, seed))), null,
                List.of(), RlTable::tabularInputs, List.of(
                        BadCalls.reshaped("rewards one shorter than states", "rewards", BadCalls.axis(0, -1), Map.of()),
                        BadCalls.retyped("dones", DType.F32, Map.of()),
                        BadCalls.reshaped("values as an (S, 1) table", "values", BadCalls::unsqueezed, Map.of()),
                        BadCalls.attrs("gamma 1.5 (outside [0, 1])", "gamma", Map.of("gamma", 1.5)))));
        ops.add(op(tabular("q_learning_update", "q", true).body((in, a) -> out("q",
                        Td.qLearningUpdate(in.get("q"), in.get("states"), in.get("actions"), in.get("rewards"),
                                in.get("next_states"), in.get("dones"), a.getDouble("gamma"), a.getDouble("alpha"),
                                reduction(a)))).build(),
                "q.view(-1).index_add_(0, s * A + a, r + gamma * q[s2].amax(1).masked_fill(d, 0) - q[s, a], "
                        + "alpha=alpha) (reduction 'sum')",
                TABULAR, List.of(bench("q_learning_update_f32", (d, s, seed) ->
                        RlCases.tabular(d, BATCH.at(s), STATES.at(s), true, TOL, seed))), null,
                List.of(new DemoCase("q_learning_update", Map.of(), RlTable::tabularInputs),
                        new DemoCase("q_learning_update", Map.of("reduction", "mean"), RlTable::tabularInputs)),
                RlTable::tabularInputs, List.of(
                        BadCalls.reshaped("actions one longer than states", "actions", BadCalls.axis(0, 1), Map.of()),
                        BadCalls.retyped("rewards", DType.I32, Map.of()),
                        BadCalls.reshaped("q with no actions (S, 0)", "q", s -> new long[] {s[0], 0}, Map.of()),
                        BadCalls.attrs("reduction 'max' (sum or mean)", "reduction", Map.of("reduction", "max")))));
        ops.add(op(tabular("sarsa_update", "q", true).input("next_actions", InputKind.INDEX).body((in, a) -> out("q",
                        Td.sarsaUpdate(in.get("q"), in.get("states"), in.get("actions"), in.get("rewards"),
                                in.get("next_states"), in.get("next_actions"), in.get("dones"), a.getDouble("gamma"),
                                a.getDouble("alpha"), reduction(a)))).build(),
                "q.view(-1).index_add_(0, s * A + a, r + gamma * q[s2, a2].masked_fill(d, 0) - q[s, a], "
                        + "alpha=alpha) (reduction 'sum')",
                TABULAR, List.of(), SAME_COST_AS + ": one more index read per transition", List.of(),
                RlTable::tabularInputs, List.of(
                        BadCalls.reshaped("next_actions one shorter than states", "next_actions",
                                BadCalls.axis(0, -1), Map.of()),
                        BadCalls.retyped("next_actions", DType.BOOL, Map.of()),
                        BadCalls.attrs("alpha -0.1 (must be >= 0)", "alpha", Map.of("alpha", -0.1)))));
        ops.add(op(tabular("expected_sarsa_update", "q", true).attr(EPSILON).body((in, a) -> out("q",
                        Td.expectedSarsaUpdate(in.get("q"), in.get("states"), in.get("actions"), in.get("rewards"),
                                in.get("next_states"), in.get("dones"), a.getDouble("gamma"), a.getDouble("alpha"),
                                a.getDouble("epsilon"), reduction(a)))).build(),
                "as q_learning_update, with epsilon / A * q[s2].sum(1) + (1 - epsilon) * q[s2].amax(1) for the max",
                TABULAR, List.of(), SAME_COST_AS + " plus a pass over the row", List.of(),
                RlTable::tabularInputs, List.of(
                        BadCalls.attrs("epsilon 1.5 (outside [0, 1])", "epsilon", Map.of("epsilon", 1.5)),
                        BadCalls.reshaped("next_states one shorter than states", "next_states",
                                BadCalls.axis(0, -1), Map.of()),
                        BadCalls.reshaped("q of 1 dim (S A)", "q", BadCalls::flat, Map.of()))));
        ops.add(op(OpDef.builder("linear_td_update").input("weights").input("features").input("rewards")
                        .input("next_features").input("dones", InputKind.MASK).attrs(GAMMA, ALPHA, REDUCTION)
                        .outputs("weights").tolerance(TOL, TOL)
                        .body((in, a) -> out("weights", Td.linearTdUpdate(in.get("weights"), in.get("features"),
                                in.get("rewards"), in.get("next_features"), in.get("dones"), a.getDouble("gamma"),
                                a.getDouble("alpha"), reduction(a))))
                        .build(),
                "w.add_(alpha * ((r + gamma * (phi2 @ w).masked_fill(d, 0) - phi @ w) @ phi)) (reduction 'sum')",
                LINEAR, List.of(), "small by nature (one weight vector); timed by the launch-overhead rows", List.of(),
                RlTable::linearInputs, List.of(
                        BadCalls.reshaped("features one column wider than weights", "features", BadCalls.axis(1, 1),
                                Map.of()),
                        BadCalls.reshaped("next_features one row short", "next_features", BadCalls.axis(0, -1),
                                Map.of()),
                        BadCalls.retyped("rewards", DType.I32, Map.of()),
                        BadCalls.attrs("gamma -0.5 (outside [0, 1])", "gamma", Map.of("gamma", -0.5)))));
        ops.add(op(OpDef.builder("running_mean_update").input("mean").input("counts", InputKind.COUNT)
                        .input("states", InputKind.INDEX).input("samples").outputs("mean", "counts").tolerance(TOL, TOL)
                        .body((in, a) -> {
                            Td.runningMeanUpdate(in.get("mean"), in.get("counts"), in.get("states"), in.get("samples"));
                            Map<String, Tensor> m = new LinkedHashMap<>();
                            m.put("mean", in.get("mean").alias());
                            m.put("counts", in.get("counts").alias());
                            return m;
                        })
                        .build(),
                "mean = (mean * counts + zeros(S).index_add_(0, s, x)) / (counts + torch.bincount(s, minlength=S)) "
                        + "on the visited states", TABULAR, List.of(),
                "small by nature; timed by the launch-overhead rows", List.of(), RlTable::runningMeanInputs, List.of(
                        BadCalls.retyped("counts", DType.I32, Map.of()),
                        BadCalls.reshaped("samples one shorter than states", "samples", BadCalls.axis(0, -1), Map.of()),
                        BadCalls.reshaped("counts one shorter than mean", "counts", BadCalls.axis(0, -1), Map.of()),
                        BadCalls.retyped("mean", DType.I32, Map.of()),
                        BadCalls.attrs("an attr (it takes none)", "gamma", Map.of("gamma", 0.9)))));
        ops.add(op(OpDef.builder("dqn_target").input("next_q").input("rewards").input("dones", InputKind.MASK)
                        .optionalInput("next_q_online", InputKind.FLOAT).attrs(GAMMA, DOUBLE).outputs("target")
                        .tolerance(TOL, TOL)
                        .body((in, a) -> {
                            Tensor online = in.get("next_q_online");
                            if (a.getBool("double") != (online != null)) {
                                throw new TensorException(a.getBool("double")
                                        ? "dqn_target with double=true needs the input next_q_online"
                                        : "dqn_target takes next_q_online only with double=true");
                            }
                            return Map.of("target", Td.dqnTarget(in.get("next_q"), in.get("rewards"), in.get("dones"),
                                    online, a.getDouble("gamma"), null));
                        })
                        .build(),
                "r + gamma * next_q.amax(1).masked_fill(d, 0) (double: next_q.gather(1, "
                        + "next_q_online.argmax(1, keepdim=True)) for the max)",
                DQN, List.of(bench("dqn_target_f32", (d, s, seed) -> RlCases.dqn(d, BATCH.at(s), TOL, seed))), null,
                List.of(new DemoCase("dqn_target", Map.of(), RlTable::dqnInputs)), RlTable::dqnInputs, List.of(
                        BadCalls.reshaped("next_q of 1 dim (B A)", "next_q", BadCalls::flat, Map.of()),
                        BadCalls.reshaped("rewards one longer than next_q's rows", "rewards", BadCalls.axis(0, 1),
                                Map.of()),
                        BadCalls.added("next_q_online of one action fewer than next_q (double)", "next_q_online",
                                DType.F32, m -> new long[] {m.get("next_q").size(0), m.get("next_q").size(1) - 1},
                                with(Map.of(), "double", true)),
                        BadCalls.reshaped("next_q with no actions (B, 0)", "next_q", s -> new long[] {s[0], 0},
                                Map.of()))));
        ops.addAll(RlReturnsTable.ops());
        return ops;
    }

    static OpEntry op(OpDef def, String torch, String why, List<BenchEntry> bench, String benchExemption,
                      List<DemoCase> demos, DemoCase.InputMaker sample, List<ErrorSample> errors) {
        return new OpEntry(FAMILY, def, torch, new OpEntry.Tolerance(why, false), bench, demos, sample, errors,
                benchExemption, null);
    }

    static BenchEntry bench(String name, BenchEntry.Factory f) {
        return new BenchEntry(name, FAMILY, "f32", f);
    }

    /** A tabular op: table, states, (actions), rewards, next_states, dones; gamma, alpha, reduction. */
    private static OpDef.Builder tabular(String op, String table, boolean actions) {
        OpDef.Builder b = OpDef.builder(op).input(table).input("states", InputKind.INDEX);
        if (actions) {
            b.input("actions", InputKind.INDEX);
        }
        return b.input("rewards").input("next_states", InputKind.INDEX).input("dones", InputKind.MASK)
                .attrs(GAMMA, ALPHA, REDUCTION).outputs(table).tolerance(TOL, TOL);
    }

    private static Reduction reduction(Attrs a) {
        return Reduction.parse(a.getString("reduction"));
    }

    /** The updated table as the op's output: a new handle the runner closes. */
    private static Map<String, Tensor> out(String name, Tensor table) {
        return Map.of(name, table.alias());
    }

    // ---- demo and sample inputs ----------------------------------------------------------------

    private static final long DEMO_ACTIONS = 18;
    /** Features of the linear_td_update samples. */
    private static final long FEATURES = 16;

    static Tensor indices(SplittableRandom r, long n, long bound) {
        long[] v = new long[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextLong(bound);
        }
        return Tensor.of(v);
    }

    static Tensor dones(SplittableRandom r, long n, double p) {
        boolean[] v = new boolean[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() < p;
        }
        return Tensor.of(v);
    }

    /**
     * B = n transitions on a table of n / 16 states (x 18 actions for a q table: collisions on most
     * entries), with the inputs the op declares: values or q, states, actions, rewards, next_states,
     * next_actions, dones (5% done).
     */
    static Map<String, Tensor> tabularInputs(OpDef op, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long s = Math.max(1, n / 16);
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (op.input("q") != null) {
            m.put("q", Tensor.randn(seed, DType.F32, Device.cpu(), s, DEMO_ACTIONS));
        } else {
            m.put("values", Tensor.randn(seed, DType.F32, Device.cpu(), s));
        }
        m.put("states", indices(r, n, s));
        if (op.input("actions") != null) {
            m.put("actions", indices(r, n, DEMO_ACTIONS));
        }
        m.put("rewards", Tensor.randn(seed + 1, DType.F32, Device.cpu(), n));
        m.put("next_states", indices(r, n, s));
        if (op.input("next_actions") != null) {
            m.put("next_actions", indices(r, n, DEMO_ACTIONS));
        }
        m.put("dones", dones(r, n, 0.05));
        return m;
    }

    /** B = n / 16 transitions of 16 standard normal features. */
    static Map<String, Tensor> linearInputs(OpDef op, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long b = Math.max(1, n / FEATURES);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weights", Tensor.randn(seed, DType.F32, Device.cpu(), FEATURES));
        m.put("features", Tensor.randn(seed + 1, DType.F32, Device.cpu(), b, FEATURES));
        m.put("rewards", Tensor.randn(seed + 2, DType.F32, Device.cpu(), b));
        m.put("next_features", Tensor.randn(seed + 3, DType.F32, Device.cpu(), b, FEATURES));
        m.put("dones", dones(r, b, 0.05));
        return m;
    }

    /** B = n samples on n / 16 states with counts in [0, 10). */
    static Map<String, Tensor> runningMeanInputs(OpDef op, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long s = Math.max(1, n / 16);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("mean", Tensor.randn(seed, DType.F32, Device.cpu(), s));
        m.put("counts", indices(r, s, 10));
        m.put("states", indices(r, n, s));
        m.put("samples", Tensor.randn(seed + 1, DType.F32, Device.cpu(), n));
        return m;
    }

    /** B = n / 18 transitions over 18 actions. */
    static Map<String, Tensor> dqnInputs(OpDef op, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long b = Math.max(1, n / DEMO_ACTIONS);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("next_q", Tensor.randn(seed, DType.F32, Device.cpu(), b, DEMO_ACTIONS));
        m.put("rewards", Tensor.randn(seed + 1, DType.F32, Device.cpu(), b));
        m.put("dones", dones(r, b, 0.05));
        return m;
    }
}
