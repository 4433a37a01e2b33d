package io.jkernels.ops;

import static io.jkernels.ops.TdChecks.alpha;
import static io.jkernels.ops.TdChecks.check1d;
import static io.jkernels.ops.TdChecks.device;
import static io.jkernels.ops.TdChecks.dtype;
import static io.jkernels.ops.TdChecks.mask;
import static io.jkernels.ops.TdChecks.shape;
import static io.jkernels.ops.TdChecks.table;
import static io.jkernels.ops.TdChecks.unit;
import static io.jkernels.ops.TdChecks.workspace;
import static io.jkernels.ops.TdTabular.addr;
import static io.jkernels.ops.TdTabular.contiguous;
import static io.jkernels.ops.TdTabular.tabular;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.ops.TdTabular.Op;
import io.jkernels.ref.TdRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Tabular and linear TD updates and the DQN target (OPS.md "Reinforcement learning"): td0_update,
 * q_learning_update, sarsa_update, expected_sarsa_update, running_mean_update, linear_td_update and
 * dqn_target. Kernels: kernels/rl.cu, math in kernels/math/rl.h; reference: {@link TdRef}.
 *
 * <p>The updates work in place on the table ({@code values} (S), {@code q} (S, A), {@code weights}
 * (F), {@code mean} and {@code counts} (S)), which must be contiguous, and return it. Tables,
 * rewards, samples and features are f32; {@code dones} bool; index inputs int64 or int32 (widened);
 * {@code counts} int64. Updates are synchronous: every TD error comes from the table as it was
 * before the call; transitions on one entry are combined by {@link Reduction#SUM} (the entry moves
 * by alpha times the sum of their TD errors) or {@link Reduction#MEAN} (alpha times their mean;
 * linear_td: the sum divided by B). The result is deterministic: the same bits on every run (see
 * NOTE [Deterministic collisions] in kernels/math/rl.h). A done transition does not read its next
 * value. B = 0 changes nothing.
 *
 * <p>Errors leave every tensor as it was: a wrong shape, dtype or device is a
 * {@link TensorException}; gamma or epsilon outside [0, 1] or a negative alpha is
 * {@link TensorException.BadAttr}; an index outside the table is an
 * {@link IndexOutOfBoundsException}. On emu and cuda the index check runs on the device, before any
 * write; the call then waits for the device to report it (one small device-to-host copy per call).
 *
 * <p>A {@link Workspace} holds the device scratch of these ops and of {@link Returns}; pass one to
 * reuse it across calls (no allocation per call), or null for a temporary one.
 *
 * <p>This class holds the API, the bodies of linear_td_update and dqn_target, and the workspace;
 * the argument checks are {@link TdChecks}', the tabular updates' shared body (validation,
 * reference or kernels, the index check) is {@link TdTabular}'s.
 */
public final class Td {
    /** OPS.md defaults. */
    public static final double GAMMA = 0.99;
    public static final double ALPHA = 0.1;
    public static final double EPSILON = 0.1;
    public static final double LMBDA = 0.95;

    private Td() {
    }

    /** How the TD errors of transitions on one entry are combined. */
    public enum Reduction {
        SUM, MEAN;

        /** "sum" or "mean". */
        public static Reduction parse(String name) {
            if (name == null) {
                throw new TensorException.BadAttr("reduction must be \"sum\" or \"mean\", got null");
            }
            return switch (name) {
                case "sum" -> SUM;
                case "mean" -> MEAN;
                default -> throw new TensorException.BadAttr("reduction must be \"sum\" or \"mean\", got \"" + name + "\"");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Device scratch of the RL ops on one device, grown on demand: a region over the table entries
     * that is all zero between calls (kernels/rl.cu re-zeroes what they touch), a per-call region
     * and an error word. Not thread-safe: one call at a time. On cpu it holds nothing.
     */
    public static final class Workspace implements AutoCloseable {
        private final Device device;
        private Tensor entries;
        private long entryCapacity;
        private Tensor work;
        private Tensor err;

        public Workspace(Device device) {
            this.device = java.util.Objects.requireNonNull(device, "device");
        }

        public Device device() {
            return device;
        }

        /** Base address of zeroed scratch for {@code k} entries: acc i64[k], then exp, cnt, own, flags i32[k]. */
        long entries(long k) {
            if (entries == null || entryCapacity < k) {
                close(entries);
                entries = null;
                long cap = Math.max(k, entryCapacity + entryCapacity / 2);
                entries = Tensor.zeros(DType.I64, device, 3 * cap);
                entryCapacity = cap;
            }
            return entries.dataAddress();
        }

        /** Base address of at least {@code words} 8-byte words (contents undefined). */
        long work(long words) {
            if (work == null || work.numel() < words) {
                long grown = work == null ? 0 : work.numel() * 3 / 2;
                close(work);
                work = null;
                work = Tensor.empty(DType.I64, device, Math.max(words, grown));
            }
            return work.dataAddress();
        }

        /** The error word, reset to all ones (no index out of range). */
        Tensor err() {
            if (err == null) {
                err = Tensor.empty(DType.I64, device, 1);
            }
            return err.fill(-1);
        }

        private static void close(Tensor t) {
            if (t != null) {
                t.close();
            }
        }

        @Override
        public void close() {
            close(entries);
            close(work);
            close(err);
            entries = null;
            work = null;
            err = null;
        }
    }

    // ---- tabular updates -----------------------------------------------------------------------

    /** values (S) += alpha * (r + gamma (1-d) V[s'] - V[s]) per transition; returns values. */
    public static Tensor td0Update(Tensor values, Tensor states, Tensor rewards, Tensor nextStates, Tensor dones,
            double gamma, double alpha, Reduction reduction, Workspace ws) {
        table("values", values, DType.F32, 1);
        tabular(Op.TD0, values, null, states, null, rewards, nextStates, null, dones, gamma, alpha, 0, reduction, ws);
        return values;
    }

    /** {@link #td0Update(Tensor, Tensor, Tensor, Tensor, Tensor, double, double, Reduction, Workspace)} with a temporary workspace. */
    public static Tensor td0Update(Tensor values, Tensor states, Tensor rewards, Tensor nextStates, Tensor dones,
            double gamma, double alpha, Reduction reduction) {
        return td0Update(values, states, rewards, nextStates, dones, gamma, alpha, reduction, null);
    }

    /** q (S, A): Q[s, a] += alpha * (r + gamma (1-d) max_a' Q[s', a'] - Q[s, a]); returns q. */
    public static Tensor qLearningUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor dones, double gamma, double alpha, Reduction reduction, Workspace ws) {
        qTable(q, true);
        tabular(Op.Q_LEARNING, q, null, states, actions, rewards, nextStates, null, dones, gamma, alpha, 0, reduction,
                ws);
        return q;
    }

    public static Tensor qLearningUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor dones, double gamma, double alpha, Reduction reduction) {
        return qLearningUpdate(q, states, actions, rewards, nextStates, dones, gamma, alpha, reduction, null);
    }

    /** q (S, A): Q[s, a] += alpha * (r + gamma (1-d) Q[s', a'] - Q[s, a]); returns q. */
    public static Tensor sarsaUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor nextActions, Tensor dones, double gamma, double alpha, Reduction reduction, Workspace ws) {
        qTable(q, false);
        tabular(Op.SARSA, q, null, states, actions, rewards, nextStates, nextActions, dones, gamma, alpha, 0, reduction,
                ws);
        return q;
    }

    public static Tensor sarsaUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor nextActions, Tensor dones, double gamma, double alpha, Reduction reduction) {
        return sarsaUpdate(q, states, actions, rewards, nextStates, nextActions, dones, gamma, alpha, reduction, null);
    }

    /**
     * q (S, A): Q[s, a] += alpha * (r + gamma (1-d) sum_a' pi(a'|s') Q[s', a'] - Q[s, a]), pi
     * epsilon-greedy (epsilon / A, plus 1 - epsilon on the first argmax); returns q.
     */
    public static Tensor expectedSarsaUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor dones, double gamma, double alpha, double epsilon, Reduction reduction, Workspace ws) {
        qTable(q, true);
        unit("epsilon", epsilon);
        tabular(Op.EXPECTED_SARSA, q, null, states, actions, rewards, nextStates, null, dones, gamma, alpha, epsilon,
                reduction, ws);
        return q;
    }

    public static Tensor expectedSarsaUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor dones, double gamma, double alpha, double epsilon, Reduction reduction) {
        return expectedSarsaUpdate(q, states, actions, rewards, nextStates, dones, gamma, alpha, epsilon, reduction,
                null);
    }

    /**
     * mean (S), counts (S) int64: mean[s] = (mean[s] * counts[s] + sum of its samples) / (counts[s] +
     * their number) and counts[s] += their number (Robbins-Monro 1/k); returns mean.
     */
    public static Tensor runningMeanUpdate(Tensor mean, Tensor counts, Tensor states, Tensor samples, Workspace ws) {
        table("mean", mean, DType.F32, 1);
        table("counts", counts, DType.I64, 1);
        device("mean", mean, "counts", counts);
        shape("counts", counts, mean.shape());
        tabular(Op.RUNNING_MEAN, mean, counts, states, null, samples, null, null, null, 0, 0, 0, Reduction.SUM, ws);
        return mean;
    }

    public static Tensor runningMeanUpdate(Tensor mean, Tensor counts, Tensor states, Tensor samples) {
        return runningMeanUpdate(mean, counts, states, samples, null);
    }

    private static void qTable(Tensor q, boolean needsActions) {
        table("q", q, DType.F32, 2);
        if (needsActions && q.size(1) == 0) {
            throw new TensorException.Shape("q has no actions (shape " + Arrays.toString(q.shape())
                    + "): the max over actions needs A >= 1");
        }
    }

    // ---- linear TD -------------------------------------------------------------------------------

    /**
     * weights (F) += alpha * sum_i delta_i phi_i ({@link Reduction#MEAN}: divided by B), delta_i = r +
     * gamma (1-d) w.phi'_i - w.phi_i with the weights before the call; features and next_features
     * (B, F); returns weights.
     */
    public static Tensor linearTdUpdate(Tensor weights, Tensor features, Tensor rewards, Tensor nextFeatures,
            Tensor dones, double gamma, double alpha, Reduction reduction, Workspace ws) {
        table("weights", weights, DType.F32, 1);
        long f = weights.numel();
        dtype("features", features, DType.F32);
        device("weights", weights, "features", features);
        if (features.dim() != 2 || features.size(1) != f) {
            throw new TensorException.Shape("features shape " + Arrays.toString(features.shape()) + " must be (B, " + f + ")");
        }
        long b = features.size(0);
        dtype("next_features", nextFeatures, DType.F32);
        device("weights", weights, "next_features", nextFeatures);
        shape("next_features", nextFeatures, b, f);
        dtype("rewards", rewards, DType.F32);
        check1d(weights, "rewards", rewards, b);
        mask("dones", dones);
        check1d(weights, "dones", dones, b);
        unit("gamma", gamma);
        alpha(alpha);
        java.util.Objects.requireNonNull(reduction, "reduction");
        workspace("weights", weights, ws);
        if (b == 0 || f == 0) {
            return weights;
        }
        KernelBackend kb = Kernels.of(weights);
        if (kb == null) {
            TdRef.linearTdUpdate(weights, features, rewards, nextFeatures, dones, gamma, alpha,
                    reduction == Reduction.MEAN);
            return weights;
        }
        List<Tensor> temps = new ArrayList<>();
        Workspace own = ws == null ? new Workspace(weights.device()) : null;
        Workspace w = ws == null ? own : ws;
        try {
            Tensor x = contiguous(features, temps);
            Tensor xn = contiguous(nextFeatures, temps);
            Tensor r = contiguous(rewards, temps);
            Tensor d = contiguous(dones, temps);
            int block = Kernels.ELEMENTWISE_BLOCK;
            long fblocks = (f + block - 1) / block;
            long target = Math.max(1, (long) kb.properties().smCount() * 8 / fblocks);
            long chunks = Math.max(1, Math.min(target, (b + 63) / 64));
            long chunk = (b + chunks - 1) / chunks;
            chunks = (b + chunk - 1) / chunk;
            long delta = w.work(b + chunks * f);
            long partial = delta + 8 * b;
            long[] lin = {weights.dataAddress(), x.dataAddress(), r.dataAddress(),
                xn.dataAddress(), d.dataAddress(), b, f, Double.doubleToRawLongBits(gamma)};
            kb.launch("linear_td_update_delta_f32", LaunchConfig.gridStride(b * 32, block, 1, kb.properties(), Kernels.WAVES),
                    KernelArgs.get().struct(lin).ptr(delta));
            kb.launch("linear_td_update_partial_f32", LaunchConfig.of((int) (chunks * fblocks), block),
                    KernelArgs.get().struct(lin).ptr(delta).ptr(partial).i64(chunk).i64(fblocks));
            kb.launch("linear_td_update_apply_f32", Kernels.elementwise(kb, f, 1), KernelArgs.get().ptr(weights)
                    .ptr(partial).i64(chunks).i64(f).i64(b).f64(alpha).i32(reduction == Reduction.MEAN ? 1 : 0));
        } finally {
            for (Tensor t : temps) {
                t.close();
            }
            if (own != null) {
                own.close();
            }
        }
        return weights;
    }

    public static Tensor linearTdUpdate(Tensor weights, Tensor features, Tensor rewards, Tensor nextFeatures,
            Tensor dones, double gamma, double alpha, Reduction reduction) {
        return linearTdUpdate(weights, features, rewards, nextFeatures, dones, gamma, alpha, reduction, null);
    }

    // ---- DQN target ------------------------------------------------------------------------------

    /**
     * target (B) = r + gamma (1-d) max_a next_q[i, a] (next_q_online null) or r + gamma (1-d)
     * next_q[i, argmax_a next_q_online[i, a]] (double DQN). next_q (B, A), A >= 1. Writes {@code out}
     * (B, contiguous f32; null: a new tensor) and returns it.
     */
    public static Tensor dqnTarget(Tensor nextQ, Tensor rewards, Tensor dones, Tensor nextQOnline, double gamma,
            Tensor out) {
        dtype("next_q", nextQ, DType.F32);
        if (nextQ.dim() != 2) {
            throw new TensorException.Shape("next_q must be (B, A), got shape " + Arrays.toString(nextQ.shape()));
        }
        long b = nextQ.size(0);
        long a = nextQ.size(1);
        if (a == 0) {
            throw new TensorException.Shape("next_q has no actions (shape " + Arrays.toString(nextQ.shape())
                    + "): dqn_target needs A >= 1");
        }
        dtype("rewards", rewards, DType.F32);
        check1d(nextQ, "rewards", rewards, b);
        mask("dones", dones);
        check1d(nextQ, "dones", dones, b);
        if (nextQOnline != null) {
            dtype("next_q_online", nextQOnline, DType.F32);
            device("next_q", nextQ, "next_q_online", nextQOnline);
            shape("next_q_online", nextQOnline, b, a);
        }
        unit("gamma", gamma);
        if (out != null) {
            table("out", out, DType.F32, 1);
            check1d(nextQ, "out", out, b);
        }
        Tensor result = out != null ? out : Tensor.empty(DType.F32, nextQ.device(), b);
        List<Tensor> temps = new ArrayList<>();
        try {
            if (b > 0) {
                KernelBackend kb = Kernels.of(nextQ);
                if (kb == null) {
                    TdRef.dqnTarget(nextQ, rewards, dones, nextQOnline, gamma, result);
                } else {
                    Tensor q = contiguous(nextQ, temps);
                    Tensor qo = nextQOnline == null ? null : contiguous(nextQOnline, temps);
                    Tensor r = contiguous(rewards, temps);
                    Tensor d = contiguous(dones, temps);
                    kb.launch("dqn_target_fwd_f32", Kernels.elementwise(kb, b, 1), KernelArgs.get().ptr(q)
                            .ptr(addr(qo)).ptr(r).ptr(d).ptr(result).i64(b).i64(a).f64(gamma));
                }
            }
            return result;
        } catch (RuntimeException | Error e) {
            if (out == null) {
                result.close();
            }
            throw e;
        } finally {
            for (Tensor t : temps) {
                t.close();
            }
        }
    }
}
