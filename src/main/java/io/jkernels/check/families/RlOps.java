package io.jkernels.check.families;

import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpDef.InputKind;
import io.jkernels.check.OpFamily;
import io.jkernels.check.OpRegistry;
import io.jkernels.ops.Returns;
import io.jkernels.ops.Td;
import io.jkernels.ops.Td.Reduction;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The rl ops of OPS.md "Reinforcement learning" (td0_update, q_learning_update, sarsa_update,
 * expected_sarsa_update, linear_td_update, running_mean_update, dqn_target, discounted_return, gae,
 * td_lambda_return) for the conformance runner and the demo. The tabular updates work in place:
 * their output is the updated table (a new handle on the input). Default tolerance of every op:
 * rtol = atol = 1e-5 (OPS.md).
 */
public final class RlOps implements OpFamily {
    private static final double TOL = 1e-5;

    public static final AttrSpec GAMMA = AttrSpec.real("gamma", Td.GAMMA).between(0, 1);
    public static final AttrSpec ALPHA = AttrSpec.real("alpha", Td.ALPHA).atLeast(0)
            .where(v -> !Double.isInfinite((Double) v), "finite");
    public static final AttrSpec REDUCTION = AttrSpec.string("reduction", "sum", "sum", "mean");
    public static final AttrSpec EPSILON = AttrSpec.real("epsilon", Td.EPSILON).between(0, 1);
    public static final AttrSpec LMBDA = AttrSpec.real("lmbda", Td.LMBDA).between(0, 1);
    public static final AttrSpec DOUBLE = AttrSpec.bool("double", false);

    @Override
    public void register(OpRegistry r) {
        r.register(tabular("td0_update", "values", false).body((in, a) -> out("values",
                Td.td0Update(in.get("values"), in.get("states"), in.get("rewards"), in.get("next_states"), in.get("dones"),
                        a.getDouble("gamma"), a.getDouble("alpha"), reduction(a)))).build());
        r.register(tabular("q_learning_update", "q", true).body((in, a) -> out("q",
                Td.qLearningUpdate(in.get("q"), in.get("states"), in.get("actions"), in.get("rewards"),
                        in.get("next_states"), in.get("dones"), a.getDouble("gamma"), a.getDouble("alpha"), reduction(a))))
                .build());
        r.register(tabular("sarsa_update", "q", true).input("next_actions", InputKind.INDEX).body((in, a) -> out("q",
                Td.sarsaUpdate(in.get("q"), in.get("states"), in.get("actions"), in.get("rewards"), in.get("next_states"),
                        in.get("next_actions"), in.get("dones"), a.getDouble("gamma"), a.getDouble("alpha"), reduction(a))))
                .build());
        r.register(tabular("expected_sarsa_update", "q", true).attr(EPSILON).body((in, a) -> out("q",
                Td.expectedSarsaUpdate(in.get("q"), in.get("states"), in.get("actions"), in.get("rewards"),
                        in.get("next_states"), in.get("dones"), a.getDouble("gamma"), a.getDouble("alpha"),
                        a.getDouble("epsilon"), reduction(a))))
                .build());
        r.register(OpDef.builder("linear_td_update").input("weights").input("features").input("rewards")
                .input("next_features").input("dones", InputKind.MASK).attrs(GAMMA, ALPHA, REDUCTION).outputs("weights")
                .tolerance(TOL, TOL)
                .body((in, a) -> out("weights", Td.linearTdUpdate(in.get("weights"), in.get("features"), in.get("rewards"),
                        in.get("next_features"), in.get("dones"), a.getDouble("gamma"), a.getDouble("alpha"),
                        reduction(a))))
                .build());
        r.register(OpDef.builder("running_mean_update").input("mean").input("counts", InputKind.COUNT)
                .input("states", InputKind.INDEX).input("samples").outputs("mean", "counts").tolerance(TOL, TOL)
                .body((in, a) -> {
                    Td.runningMeanUpdate(in.get("mean"), in.get("counts"), in.get("states"), in.get("samples"));
                    Map<String, Tensor> m = new LinkedHashMap<>();
                    m.put("mean", in.get("mean").alias());
                    m.put("counts", in.get("counts").alias());
                    return m;
                })
                .build());
        r.register(OpDef.builder("dqn_target").input("next_q").input("rewards").input("dones", InputKind.MASK)
                .optionalInput("next_q_online", InputKind.FLOAT).attrs(GAMMA, DOUBLE).outputs("target")
                .tolerance(TOL, TOL)
                .body((in, a) -> {
                    Tensor online = in.get("next_q_online");
                    if (a.getBool("double") != (online != null)) {
                        throw new TensorException(a.getBool("double")
                                ? "dqn_target with double=true needs the input next_q_online"
                                : "dqn_target takes next_q_online only with double=true");
                    }
                    return Map.of("target", Td.dqnTarget(in.get("next_q"), in.get("rewards"), in.get("dones"), online,
                            a.getDouble("gamma"), null));
                })
                .build());
        r.register(OpDef.builder("discounted_return").input("rewards").input("dones", InputKind.MASK)
                .optionalInput("bootstrap", InputKind.FLOAT).attr(GAMMA).outputs("returns").tolerance(TOL, TOL)
                .body((in, a) -> Map.of("returns", Returns.discountedReturn(in.get("rewards"), in.get("dones"),
                        in.get("bootstrap"), a.getDouble("gamma"))))
                .build());
        r.register(OpDef.builder("gae").inputs("rewards", "values", "next_values").input("dones", InputKind.MASK)
                .input("terminated", InputKind.MASK).attrs(GAMMA, LMBDA).outputs("advantages", "value_targets")
                .tolerance(TOL, TOL)
                .body((in, a) -> {
                    Returns.Gae g = Returns.gae(in.get("rewards"), in.get("values"), in.get("next_values"), in.get("dones"),
                            in.get("terminated"), a.getDouble("gamma"), a.getDouble("lmbda"));
                    Map<String, Tensor> m = new LinkedHashMap<>();
                    m.put("advantages", g.advantages());
                    m.put("value_targets", g.valueTargets());
                    return m;
                })
                .build());
        r.register(OpDef.builder("td_lambda_return").inputs("rewards", "next_values").input("dones", InputKind.MASK)
                .input("terminated", InputKind.MASK).attrs(GAMMA, LMBDA).outputs("returns").tolerance(TOL, TOL)
                .body((in, a) -> Map.of("returns", Returns.tdLambdaReturn(in.get("rewards"), in.get("next_values"),
                        in.get("dones"), in.get("terminated"), a.getDouble("gamma"), a.getDouble("lmbda"))))
                .build());

        r.demo(new DemoCase("q_learning_update", Map.of(), RlOps::qLearningDemo));
        r.demo(new DemoCase("q_learning_update", Map.of("reduction", "mean"), RlOps::qLearningDemo));
        r.demo(new DemoCase("dqn_target", Map.of(), RlOps::dqnDemo));
        r.demo(new DemoCase("gae", Map.of(), RlOps::gaeDemo));
        r.demo(new DemoCase("discounted_return", Map.of(), RlOps::gaeDemo));
        r.demo(new DemoCase("td_lambda_return", Map.of(), RlOps::gaeDemo));
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

    // ---- demo inputs -------------------------------------------------------------------------------

    private static final long DEMO_ACTIONS = 18;

    private static Tensor indices(SplittableRandom r, long n, long bound) {
        long[] v = new long[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextLong(bound);
        }
        return Tensor.of(v);
    }

    private static Tensor dones(SplittableRandom r, long n, double p) {
        boolean[] v = new boolean[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() < p;
        }
        return Tensor.of(v);
    }

    /** B = n transitions on a table of n / 16 states x 18 actions (collisions on most entries). */
    static Map<String, Tensor> qLearningDemo(OpDef op, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long s = Math.max(1, n / 16);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("q", Tensor.randn(seed, DType.F32, Device.cpu(), s, DEMO_ACTIONS));
        m.put("states", indices(r, n, s));
        m.put("actions", indices(r, n, DEMO_ACTIONS));
        m.put("rewards", Tensor.randn(seed + 1, DType.F32, Device.cpu(), n));
        m.put("next_states", indices(r, n, s));
        m.put("dones", dones(r, n, 0.05));
        return m;
    }

    static Map<String, Tensor> dqnDemo(OpDef op, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long b = Math.max(1, n / DEMO_ACTIONS);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("next_q", Tensor.randn(seed, DType.F32, Device.cpu(), b, DEMO_ACTIONS));
        m.put("rewards", Tensor.randn(seed + 1, DType.F32, Device.cpu(), b));
        m.put("dones", dones(r, b, 0.05));
        return m;
    }

    /** (T, B) = (n / 64, 64) trajectories with episode ends at rate 1/100. */
    static Map<String, Tensor> gaeDemo(OpDef op, long n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long b = 64;
        long t = Math.max(1, n / b);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("rewards", Tensor.randn(seed, DType.F32, Device.cpu(), t, b));
        if (op.input("values") != null) {
            m.put("values", Tensor.randn(seed + 1, DType.F32, Device.cpu(), t, b));
        }
        if (op.input("next_values") != null) {
            m.put("next_values", Tensor.randn(seed + 2, DType.F32, Device.cpu(), t, b));
        }
        try (Tensor d = dones(r, t * b, 0.01); Tensor term = dones(r, t * b, 0.005)) {
            m.put("dones", d.reshape(t, b));
            if (op.input("terminated") != null) {
                m.put("terminated", term.reshape(t, b));
            }
        }
        return m;
    }
}
