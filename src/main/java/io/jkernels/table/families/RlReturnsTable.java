package io.jkernels.table.families;

import static io.jkernels.table.families.RlTable.GAMMA;
import static io.jkernels.table.families.RlTable.LMBDA;
import static io.jkernels.table.families.RlTable.TOL;
import static io.jkernels.table.families.RlTable.bench;
import static io.jkernels.table.families.RlTable.dones;
import static io.jkernels.table.families.RlTable.op;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.ElementwiseBench.Sizes;
import io.jkernels.bench.RlCases;
import io.jkernels.bench.RlCases.Trajectory;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpDef.InputKind;
import io.jkernels.ops.Returns;
import io.jkernels.table.BadCalls;
import io.jkernels.table.OpEntry;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The trajectory ops of OPS.md "Reinforcement learning" (discounted_return, gae,
 * td_lambda_return: time-major (T, B) inputs, every column an independent stream), one definition
 * per op; part of the rl family, listed by {@link RlTable} after its tabular updates. The public
 * API is {@link Returns}, the reference {@code ReturnsRef}, the kernels kernels/rl_returns.cu.
 */
final class RlReturnsTable {
    /** Bench sizes (the on a GPU): (T, B) = (2048, 4096), and gae over one column of 2^20 steps. */
    static final Sizes STEPS = new Sizes(2048, 256, 33);
    static final Sizes COLUMNS = new Sizes(4096, 512, 40);
    static final Sizes LONG_STEPS = new Sizes(1L << 20, 1L << 17, 5000);

    private static final String WHY = "rtol = atol = 1e-5 (OPS.md, for the whole section): a column is a linear "
            + "recurrence over up to 2^20 steps, whose float32 carry would drift by ~sqrt(T) 2^-24 |A| per step, "
            + "past it: the carry is a double (NOTE [RL accumulate in double], kernels/math/rl.h), so the only error "
            + "against float64 is the final rounding to float32";

    private RlReturnsTable() {
    }

    static List<OpEntry> ops() {
        return List.of(
                op(OpDef.builder("discounted_return").input("rewards").input("dones", InputKind.MASK)
                                .optionalInput("bootstrap", InputKind.FLOAT).attr(GAMMA).outputs("returns")
                                .tolerance(TOL, TOL)
                                .body((in, a) -> Map.of("returns", Returns.discountedReturn(in.get("rewards"),
                                        in.get("dones"), in.get("bootstrap"), a.getDouble("gamma"))))
                                .build(),
                        "a loop over t from T - 1: G = r[t] + gamma * G.masked_fill(dones[t], 0), G = bootstrap (or 0) "
                                + "after the last step",
                        WHY, List.of(trajectory("discounted_return_f32", Trajectory.DISCOUNTED_RETURN, STEPS, COLUMNS)),
                        null, List.of(new DemoCase("discounted_return", Map.of(), RlReturnsTable::trajectoryInputs)),
                        RlReturnsTable::trajectoryInputs, List.of(
                                BadCalls.reshaped("rewards of 1 dim (T B)", "rewards", BadCalls::flat, Map.of()),
                                BadCalls.reshaped("dones one step short", "dones", BadCalls.axis(0, -1), Map.of()),
                                BadCalls.added("bootstrap of B + 1 values", "bootstrap", DType.F32,
                                        m -> new long[] {m.get("rewards").size(1) + 1}, Map.of()),
                                BadCalls.attrs("gamma 2 (outside [0, 1])", "gamma", Map.of("gamma", 2.0)))),
                op(OpDef.builder("gae").inputs("rewards", "values", "next_values").input("dones", InputKind.MASK)
                                .input("terminated", InputKind.MASK).attrs(GAMMA, LMBDA)
                                .outputs("advantages", "value_targets").tolerance(TOL, TOL)
                                .body((in, a) -> {
                                    Returns.Gae g = Returns.gae(in.get("rewards"), in.get("values"),
                                            in.get("next_values"), in.get("dones"), in.get("terminated"),
                                            a.getDouble("gamma"), a.getDouble("lmbda"));
                                    Map<String, Tensor> m = new LinkedHashMap<>();
                                    m.put("advantages", g.advantages());
                                    m.put("value_targets", g.valueTargets());
                                    return m;
                                })
                                .build(),
                        "torchrl.objectives.value.functional.generalized_advantage_estimate (TorchRL)", WHY,
                        List.of(trajectory("gae_f32", Trajectory.GAE, STEPS, COLUMNS),
                                trajectory("gae_long_f32", Trajectory.GAE, LONG_STEPS, new Sizes(1, 1, 1))),
                        null, List.of(new DemoCase("gae", Map.of(), RlReturnsTable::trajectoryInputs)),
                        RlReturnsTable::trajectoryInputs, List.of(
                                BadCalls.retyped("values", DType.I32, Map.of()),
                                BadCalls.reshaped("terminated one column short", "terminated", BadCalls.axis(1, -1),
                                        Map.of()),
                                BadCalls.attrs("lmbda 1.5 (outside [0, 1])", "lmbda", Map.of("lmbda", 1.5)))),
                op(OpDef.builder("td_lambda_return").inputs("rewards", "next_values").input("dones", InputKind.MASK)
                                .input("terminated", InputKind.MASK).attrs(GAMMA, LMBDA).outputs("returns")
                                .tolerance(TOL, TOL)
                                .body((in, a) -> Map.of("returns", Returns.tdLambdaReturn(in.get("rewards"),
                                        in.get("next_values"), in.get("dones"), in.get("terminated"),
                                        a.getDouble("gamma"), a.getDouble("lmbda"))))
                                .build(),
                        "torchrl.objectives.value.functional.td_lambda_return_estimate (TorchRL)", WHY,
                        List.of(trajectory("td_lambda_return_f32", Trajectory.TD_LAMBDA_RETURN, STEPS, COLUMNS)),
                        null, List.of(new DemoCase("td_lambda_return", Map.of(), RlReturnsTable::trajectoryInputs)),
                        RlReturnsTable::trajectoryInputs, List.of(
                                BadCalls.reshaped("next_values one step short", "next_values", BadCalls.axis(0, -1),
                                        Map.of()),
                                BadCalls.retyped("terminated", DType.F32, Map.of()),
                                BadCalls.attrs("lmbda -0.5 (outside [0, 1])", "lmbda", Map.of("lmbda", -0.5)))));
    }

    /** A trajectory entry of (steps, cols) at each scale. */
    private static BenchEntry trajectory(String name, Trajectory op, Sizes steps, Sizes cols) {
        return bench(name, (d, s, seed) -> RlCases.trajectory(d, op, steps.at(s), cols.at(s), TOL, seed));
    }

    /**
     * (T, B) = (n / 64, 64) trajectories with episode ends at rate 1/100 (terminal at 1/200), with
     * the inputs the op declares (bootstrap, optional, left out).
     */
    static Map<String, Tensor> trajectoryInputs(OpDef op, long n, long seed) {
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
