package io.jkernels.ops;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.ref.ReturnsRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trajectory ops (OPS.md "Reinforcement learning", trajectory ops): discounted_return (Monte Carlo
 * with an optional bootstrap), gae (advantages and value targets) and td_lambda_return. Inputs are
 * time-major (T, B), every column an independent stream; rewards, values, next_values and
 * bootstrap f32, dones and terminated bool. Kernels: kernels/rl_returns.cu (NOTE [Trajectory recurrences]
 * in kernels/math/rl.h); reference: {@link ReturnsRef}.
 *
 * <pre>
 * discounted_return: G[t] = r[t] + gamma * (done[t] ? 0 : G[t+1]),  G[T] = bootstrap (or 0)
 * gae:    delta[t] = r[t] + gamma * (1 - terminated[t]) * next_values[t] - values[t]
 *         A[t] = delta[t] + gamma * lmbda * (1 - done[t]) * A[t+1],   A[T] = 0
 *         value_targets = A + values
 * td_lambda_return:  nv[t] = (1 - terminated[t]) * next_values[t]
 *         G[t] = r[t] + gamma * nv[t]                                   if t = T-1 or done[t]
 *         G[t] = r[t] + gamma * ((1 - lmbda) * nv[t] + lmbda * G[t+1])  otherwise
 * </pre>
 *
 * The (1 - done) and (1 - terminated) factors are selects: the value they multiply is not read, so
 * a NaN or Inf there does not reach the result. Carries are float64; results are rounded once to
 * f32. Deterministic. Non-contiguous inputs are copied; outputs ({@code out} forms) must be
 * contiguous. Errors (shape, dtype, device, gamma or lmbda outside [0, 1]) are
 * {@link TensorException}s and leave every tensor as it was.
 *
 * <p>GPU design: a column is split into tiles (256 threads x 16 steps per thread); a column of one
 * tile is a single launch; longer columns add a tile-map pass and a per-column scan of the tile
 * maps (three launches). A {@link Td.Workspace} may be passed to reuse the tile scratch.
 */
public final class Returns {
    /** Steps per thread and threads per block of the trajectory kernels (kernels/rl_returns.cu). */
    static final int ITEMS = 16;
    static final int BLOCK = 256;

    private Returns() {
    }

    /** The two outputs of {@link #gae}: close both (or this). */
    public record Gae(Tensor advantages, Tensor valueTargets) implements AutoCloseable {
        @Override
        public void close() {
            advantages.close();
            valueTargets.close();
        }
    }

    // ---- public API --------------------------------------------------------------------------------

    /** Monte Carlo returns with an optional bootstrap (B) value after the last step; out may be null. */
    public static Tensor discountedReturn(Tensor rewards, Tensor dones, Tensor bootstrap, double gamma, Tensor out,
            Td.Workspace ws) {
        long[] tb = rewardsShape(rewards);
        like(rewards, "dones", dones, DType.BOOL);
        if (bootstrap != null) {
            TdChecks.dtype("bootstrap", bootstrap, DType.F32);
            TdChecks.device("rewards", rewards, "bootstrap", bootstrap);
            TdChecks.shape("bootstrap", bootstrap, tb[1]);
        }
        TdChecks.unit("gamma", gamma);
        checkOut("out", rewards, out);
        Tensor[] r = run(0, "discounted_return", new Tensor[] {rewards, null, null, dones, null, bootstrap},
                new Tensor[] {out}, gamma, 0, ws);
        return r[0];
    }

    public static Tensor discountedReturn(Tensor rewards, Tensor dones, Tensor bootstrap, double gamma) {
        return discountedReturn(rewards, dones, bootstrap, gamma, null, null);
    }

    /** Generalized advantage estimation: advantages and value_targets (T, B); outs may be null. */
    public static Gae gae(Tensor rewards, Tensor values, Tensor nextValues, Tensor dones, Tensor terminated,
            double gamma, double lmbda, Tensor advantagesOut, Tensor valueTargetsOut, Td.Workspace ws) {
        rewardsShape(rewards);
        like(rewards, "values", values, DType.F32);
        like(rewards, "next_values", nextValues, DType.F32);
        like(rewards, "dones", dones, DType.BOOL);
        like(rewards, "terminated", terminated, DType.BOOL);
        TdChecks.unit("gamma", gamma);
        TdChecks.unit("lmbda", lmbda);
        checkOut("advantages", rewards, advantagesOut);
        checkOut("value_targets", rewards, valueTargetsOut);
        Tensor[] r = run(1, "gae", new Tensor[] {rewards, values, nextValues, dones, terminated, null},
                new Tensor[] {advantagesOut, valueTargetsOut}, gamma, lmbda, ws);
        return new Gae(r[0], r[1]);
    }

    public static Gae gae(Tensor rewards, Tensor values, Tensor nextValues, Tensor dones, Tensor terminated,
            double gamma, double lmbda) {
        return gae(rewards, values, nextValues, dones, terminated, gamma, lmbda, null, null, null);
    }

    /** TD(lambda) returns (T, B); out may be null. */
    public static Tensor tdLambdaReturn(Tensor rewards, Tensor nextValues, Tensor dones, Tensor terminated, double gamma,
            double lmbda, Tensor out, Td.Workspace ws) {
        rewardsShape(rewards);
        like(rewards, "next_values", nextValues, DType.F32);
        like(rewards, "dones", dones, DType.BOOL);
        like(rewards, "terminated", terminated, DType.BOOL);
        TdChecks.unit("gamma", gamma);
        TdChecks.unit("lmbda", lmbda);
        checkOut("out", rewards, out);
        return run(2, "td_lambda_return", new Tensor[] {rewards, null, nextValues, dones, terminated, null},
                new Tensor[] {out}, gamma, lmbda, ws)[0];
    }

    public static Tensor tdLambdaReturn(Tensor rewards, Tensor nextValues, Tensor dones, Tensor terminated, double gamma,
            double lmbda) {
        return tdLambdaReturn(rewards, nextValues, dones, terminated, gamma, lmbda, null, null);
    }

    // ---- checks ----------------------------------------------------------------------------------

    private static long[] rewardsShape(Tensor rewards) {
        TdChecks.dtype("rewards", rewards, DType.F32);
        if (rewards.dim() != 2) {
            throw new TensorException.Shape("rewards must be time-major (T, B), got shape "
                    + Arrays.toString(rewards.shape()));
        }
        return rewards.shape();
    }

    private static void like(Tensor rewards, String name, Tensor t, DType d) {
        TdChecks.dtype(name, t, d);
        TdChecks.device("rewards", rewards, name, t);
        TdChecks.shape(name, t, rewards.shape());
    }

    private static void checkOut(String name, Tensor rewards, Tensor out) {
        if (out != null) {
            Checks.output("rewards", rewards, name, out);
        }
    }

    // ---- launch ----------------------------------------------------------------------------------

    /** The launch plan of a (T, B) trajectory op. */
    record Plan(int bx, long ntiles, long columnBlocks) {
        static Plan of(long t, long b) {
            int bx = b >= 32 ? 32 : 1;
            long tileSteps = (long) (BLOCK / bx) * ITEMS;
            return new Plan(bx, (t + tileSteps - 1) / tileSteps, (b + bx - 1) / bx);
        }

        long blocks() {
            return ntiles * columnBlocks;
        }
    }

    /**
     * Runs op {@code kind} (0 discounted_return, 1 gae, 2 td_lambda_return) on inputs {r, v, nv,
     * done, term, boot} (null where the op has none) into outs (null entries allocated).
     */
    private static Tensor[] run(int kind, String name, Tensor[] in, Tensor[] outs, double gamma, double lmbda,
            Td.Workspace ws) {
        Tensor rewards = in[0];
        TdChecks.workspace("rewards", rewards, ws);
        String[] outNames = outs.length == 2 ? new String[] {"advantages", "value_targets"} : new String[] {"out"};
        Checks.disjointOutputs(outNames, outs, false,
                new String[] {"rewards", "values", "next_values", "dones", "terminated", "bootstrap"}, in);
        long t = rewards.size(0);
        long b = rewards.size(1);
        Tensor[] result = outs.clone();
        List<Tensor> temps = new ArrayList<>();
        Td.Workspace own = null;
        boolean ok = false;
        try {
            for (int i = 0; i < result.length; i++) {
                if (result[i] == null) {
                    result[i] = Tensor.empty(DType.F32, rewards.device(), t, b);
                }
            }
            if (t > 0 && b > 0) {
                KernelBackend kb = Kernels.of(rewards);
                if (kb == null) {
                    switch (kind) {
                        case 0 -> ReturnsRef.discountedReturn(in[0], in[3], in[5], gamma, result[0]);
                        case 1 -> ReturnsRef.gae(in[0], in[1], in[2], in[3], in[4], gamma, lmbda, result[0], result[1]);
                        default -> ReturnsRef.tdLambdaReturn(in[0], in[2], in[3], in[4], gamma, lmbda, result[0]);
                    }
                } else {
                    Tensor[] c = new Tensor[in.length];
                    for (int i = 0; i < in.length; i++) {
                        c[i] = in[i] == null ? null : TdTabular.contiguous(in[i], temps);
                    }
                    Td.Workspace w = ws;
                    if (w == null) {
                        own = new Td.Workspace(rewards.device());
                        w = own;
                    }
                    launch(kb, name, c, result, t, b, kind == 0 ? gamma : gamma * lmbda, gamma, lmbda, w);
                }
            }
            ok = true;
            return result;
        } finally {
            for (Tensor x : temps) {
                x.close();
            }
            if (own != null) {
                own.close();
            }
            if (!ok) {
                for (int i = 0; i < result.length; i++) {
                    if (outs[i] == null && result[i] != null) {
                        result[i].close();
                    }
                }
            }
        }
    }

    private static long addr(Tensor t) {
        return t == null ? 0 : t.dataAddress();
    }

    private static void launch(KernelBackend kb, String name, Tensor[] c, Tensor[] out, long t, long b, double coef,
            double gamma, double lmbda, Td.Workspace ws) {
        Plan plan = Plan.of(t, b);
        if (plan.blocks() > Integer.MAX_VALUE) {
            throw new TensorException.Shape(name + ": (T, B) = (" + t + ", " + b + ") needs more than 2^31 blocks");
        }
        long[] traj = {addr(c[0]), addr(c[1]), addr(c[2]), addr(c[3]), addr(c[4]), addr(c[5]), addr(out[0]),
            out.length > 1 ? addr(out[1]) : 0, t, b, Double.doubleToRawLongBits(gamma), Double.doubleToRawLongBits(lmbda)};
        String x = "_f32_x" + plan.bx();
        LaunchConfig grid = LaunchConfig.of((int) plan.blocks(), BLOCK);
        long carries = 0;
        if (plan.ntiles() > 1) {
            long n = plan.ntiles() * b;
            long maps = ws.work(3 * n);
            carries = maps + 16 * n;
            kb.launch(name + "_tilemap" + x, grid, KernelArgs.get().struct(traj).ptr(maps).i64(plan.ntiles()));
            kb.launch("rl_tile_carries_f64", LaunchConfig.gridStride(b * 32, BLOCK, 1, kb.properties(), Kernels.WAVES),
                    KernelArgs.get().ptr(maps).ptr(carries).ptr(addr(c[5])).i64(plan.ntiles()).i64(b).f64(coef));
        }
        kb.launch(name + "_fwd" + x, grid, KernelArgs.get().struct(traj).ptr(carries));
    }
}
