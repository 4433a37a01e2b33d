package io.jkernels.ref;

import io.jkernels.tensor.Tensor;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pure-Java references of the tabular and linear TD updates and the DQN target (OPS.md
 * "Reinforcement learning"), in float64: the ground truth the kernels are checked against. Tensors
 * are cpu tensors of any strides; tables are updated in place (each entry rounded once to f32).
 *
 * <p>Synchronous updates: every TD error is computed from the table as it was before the call,
 * then the updates are applied; transitions on one entry are summed in transition order
 * ({@code mean}: the sum divided by their number). Every index is checked before anything is
 * written: one out of range is an {@link IndexOutOfBoundsException} and the table is unchanged. A
 * done transition does not read its next value (a select: NaN or Inf there does not reach the
 * result). Maxima over actions follow torch.max / torch.argmax: the first NaN wins, else the first
 * maximal element.
 */
public final class TdRef {
    private TdRef() {
    }

    // ---- scalar pieces -------------------------------------------------------------------------

    /** torch.argmax of {@code q[off .. off + a)}: the first NaN, else the first maximal element. */
    public static int argmax(Tensor q, long off, int a) {
        int g = 0;
        double best = q.getDouble(off);
        for (int k = 1; k < a && !Double.isNaN(best); k++) {
            double v = q.getDouble(off + k);
            if (Double.isNaN(v) || v > best) {
                best = v;
                g = k;
            }
        }
        return g;
    }

    /** sum_a pi(a) q[a], pi = epsilon / A + (1 - epsilon) on the first argmax, as written. */
    public static double expectedQ(Tensor q, long off, int a, double epsilon) {
        int g = argmax(q, off, a);
        double s = 0;
        for (int k = 0; k < a; k++) {
            double p = epsilon / a + (k == g ? 1 - epsilon : 0);
            s += p * q.getDouble(off + k);
        }
        return s;
    }

    /** r + gamma (done ? 0 : next) - cur, the done case a select. */
    public static double tdError(double r, double gamma, boolean done, double next, double cur) {
        return r + gamma * (done ? 0.0 : next) - cur;
    }

    // ---- tabular updates -----------------------------------------------------------------------

    /** Which value a transition bootstraps from. */
    private enum Kind { TD0, Q_LEARNING, SARSA, EXPECTED_SARSA }

    /** values (S): V[s] += alpha * (r + gamma (1-d) V[s'] - V[s]). */
    public static void td0Update(Tensor values, Tensor states, Tensor rewards, Tensor nextStates, Tensor dones,
            double gamma, double alpha, boolean mean) {
        tabular(Kind.TD0, values, states, null, rewards, nextStates, null, dones, gamma, alpha, 0, mean);
    }

    /** q (S, A): Q[s, a] += alpha * (r + gamma (1-d) max_a' Q[s', a'] - Q[s, a]). */
    public static void qLearningUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor dones, double gamma, double alpha, boolean mean) {
        tabular(Kind.Q_LEARNING, q, states, actions, rewards, nextStates, null, dones, gamma, alpha, 0, mean);
    }

    /** q (S, A): Q[s, a] += alpha * (r + gamma (1-d) Q[s', a'] - Q[s, a]). */
    public static void sarsaUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor nextActions, Tensor dones, double gamma, double alpha, boolean mean) {
        tabular(Kind.SARSA, q, states, actions, rewards, nextStates, nextActions, dones, gamma, alpha, 0, mean);
    }

    /** q (S, A): Q[s, a] += alpha * (r + gamma (1-d) sum_a' pi(a'|s') Q[s', a'] - Q[s, a]). */
    public static void expectedSarsaUpdate(Tensor q, Tensor states, Tensor actions, Tensor rewards, Tensor nextStates,
            Tensor dones, double gamma, double alpha, double epsilon, boolean mean) {
        tabular(Kind.EXPECTED_SARSA, q, states, actions, rewards, nextStates, null, dones, gamma, alpha, epsilon,
                mean);
    }

    private static void tabular(Kind kind, Tensor table, Tensor states, Tensor actions, Tensor rewards,
            Tensor nextStates, Tensor nextActions, Tensor dones, double gamma, double alpha, double epsilon,
            boolean mean) {
        long s = table.size(0);
        int a = table.dim() == 2 ? (int) table.size(1) : 1;
        long b = states.numel();
        check("states", states, s);
        check("next_states", nextStates, s);
        if (actions != null) {
            check("actions", actions, a);
        }
        if (nextActions != null) {
            check("next_actions", nextActions, a);
        }
        long[] keys = new long[(int) b];
        double[] deltas = new double[(int) b];
        for (int i = 0; i < b; i++) {
            long st = states.getLong(i);
            long key = st * a + (actions == null ? 0 : actions.getLong(i));
            boolean done = dones.getDouble(i) != 0;
            double next = 0;
            if (!done) {
                long row = nextStates.getLong(i) * a;
                next = switch (kind) {
                    case TD0 -> table.getDouble(row);
                    case Q_LEARNING -> table.getDouble(row + argmax(table, row, a));
                    case SARSA -> table.getDouble(row + nextActions.getLong(i));
                    case EXPECTED_SARSA -> expectedQ(table, row, a, epsilon);
                };
            }
            keys[i] = key;
            deltas[i] = tdError(rewards.getDouble(i), gamma, done, next, table.getDouble(key));
        }
        for (Map.Entry<Long, double[]> e : sums(keys, deltas).entrySet()) {
            double[] sn = e.getValue();
            double step = mean ? sn[0] / sn[1] : sn[0];
            long k = e.getKey();
            table.setDouble(k, table.getDouble(k) + alpha * step);
        }
    }

    /** Per entry, in transition order: {sum, count}. */
    private static TreeMap<Long, double[]> sums(long[] keys, double[] values) {
        TreeMap<Long, double[]> m = new TreeMap<>();
        for (int i = 0; i < keys.length; i++) {
            double[] sn = m.computeIfAbsent(keys[i], k -> new double[2]);
            sn[0] += values[i];
            sn[1] += 1;
        }
        return m;
    }

    /** Every index in [0, n), else IndexOutOfBoundsException naming the first one out of range. */
    private static void check(String name, Tensor idx, long n) {
        for (long i = 0, b = idx.numel(); i < b; i++) {
            long v = idx.getLong(i);
            if (v < 0 || v >= n) {
                throw new IndexOutOfBoundsException(name + "[" + i + "] = " + v + " is out of range [0, " + n + ")");
            }
        }
    }

    /**
     * mean (S), counts (S) int64: per state, mean = (mean * count + sum of its samples) / (count +
     * their number), count += their number.
     */
    public static void runningMeanUpdate(Tensor mean, Tensor counts, Tensor states, Tensor samples) {
        check("states", states, mean.numel());
        long b = states.numel();
        long[] keys = new long[(int) b];
        double[] v = new double[(int) b];
        for (int i = 0; i < b; i++) {
            keys[i] = states.getLong(i);
            v[i] = samples.getDouble(i);
        }
        for (Map.Entry<Long, double[]> e : sums(keys, v).entrySet()) {
            long k = e.getKey();
            long c = counts.getLong(k);
            long n = (long) e.getValue()[1];
            mean.setDouble(k, (mean.getDouble(k) * c + e.getValue()[0]) / (double) (c + n));
            counts.setLong(k, c + n);
        }
    }

    /**
     * weights (F), features and next_features (B, F): delta_i = r + gamma (1-d) w.phi'_i - w.phi_i
     * (all with the weights before the call), w += alpha * sum_i delta_i phi_i ({@code mean}: / B).
     */
    public static void linearTdUpdate(Tensor weights, Tensor features, Tensor rewards, Tensor nextFeatures,
            Tensor dones, double gamma, double alpha, boolean mean) {
        int f = (int) weights.numel();
        int b = (int) rewards.numel();
        double[] w = new double[f];
        for (int k = 0; k < f; k++) {
            w[k] = weights.getDouble(k);
        }
        double[] delta = new double[b];
        for (int i = 0; i < b; i++) {
            boolean done = dones.getDouble(i) != 0;
            double cur = 0;
            double next = 0;
            for (int k = 0; k < f; k++) {
                cur += w[k] * features.getDouble((long) i * f + k);
                if (!done) {
                    next += w[k] * nextFeatures.getDouble((long) i * f + k);
                }
            }
            delta[i] = tdError(rewards.getDouble(i), gamma, done, next, cur);
        }
        for (int k = 0; k < f; k++) {
            double s = 0;
            for (int i = 0; i < b; i++) {
                s += delta[i] * features.getDouble((long) i * f + k);
            }
            if (mean) {
                s /= b;
            }
            weights.setDouble(k, w[k] + alpha * s);
        }
    }

    /**
     * target[i] = r + gamma (1-d) next_q[i, g]: g = argmax of next_q_online's row (double DQN; online
     * not null) or of next_q's row (the max, NaN first). Writes {@code out} (B).
     */
    public static void dqnTarget(Tensor nextQ, Tensor rewards, Tensor dones, Tensor nextQOnline, double gamma,
            Tensor out) {
        long b = rewards.numel();
        int a = (int) nextQ.size(1);
        for (long i = 0; i < b; i++) {
            boolean done = dones.getDouble(i) != 0;
            double next = 0;
            if (!done) {
                int g = argmax(nextQOnline != null ? nextQOnline : nextQ, i * a, a);
                next = nextQ.getDouble(i * a + g);
            }
            out.setDouble(i, rewards.getDouble(i) + gamma * next);
        }
    }
}
