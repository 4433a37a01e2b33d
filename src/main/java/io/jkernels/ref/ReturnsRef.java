package io.jkernels.ref;

import io.jkernels.tensor.Tensor;

/**
 * Pure-Java references of the trajectory ops (OPS.md "Reinforcement learning", trajectory ops), in
 * float64, one column at a time, step by step backwards exactly as OPS.md writes them. Inputs are
 * cpu tensors (T, B), time-major, any strides; outputs are written rounded once to f32.
 *
 * <p>The (1 - done) and (1 - terminated) factors are selects: at a done step the value of the
 * following step is not read, and at a terminated step next_values is not read (a terminal state's
 * value is 0), so a NaN or Inf there does not reach the result.
 */
public final class ReturnsRef {
    private ReturnsRef() {
    }

    private static boolean flag(Tensor t, long k) {
        return t.getDouble(k) != 0;
    }

    /** G[t] = r[t] + gamma * (done[t] ? 0 : G[t+1]), G[T] = bootstrap[b] (or 0 when null). */
    public static void discountedReturn(Tensor rewards, Tensor dones, Tensor bootstrap, double gamma, Tensor out) {
        long tt = rewards.size(0);
        long bb = rewards.size(1);
        for (long b = 0; b < bb; b++) {
            double g = bootstrap == null ? 0.0 : bootstrap.getDouble(b);
            for (long t = tt - 1; t >= 0; t--) {
                long k = t * bb + b;
                g = rewards.getDouble(k) + gamma * (flag(dones, k) ? 0.0 : g);
                out.setDouble(k, g);
            }
        }
    }

    /**
     * delta[t] = r + gamma (1 - terminated) next_values - values; A[t] = delta + gamma lmbda (1 -
     * done) A[t+1], A[T] = 0; value_targets = A + values.
     */
    public static void gae(Tensor rewards, Tensor values, Tensor nextValues, Tensor dones, Tensor terminated,
            double gamma, double lmbda, Tensor advantages, Tensor valueTargets) {
        long tt = rewards.size(0);
        long bb = rewards.size(1);
        for (long b = 0; b < bb; b++) {
            double adv = 0.0;
            for (long t = tt - 1; t >= 0; t--) {
                long k = t * bb + b;
                double v = values.getDouble(k);
                double nv = flag(terminated, k) ? 0.0 : nextValues.getDouble(k);
                double delta = rewards.getDouble(k) + gamma * nv - v;
                adv = delta + (flag(dones, k) ? 0.0 : gamma * lmbda * adv);
                advantages.setDouble(k, adv);
                valueTargets.setDouble(k, adv + v);
            }
        }
    }

    /**
     * nv[t] = (1 - terminated) next_values; G[t] = r + gamma nv at t = T-1 or a done step, else
     * r + gamma ((1 - lmbda) nv + lmbda G[t+1]).
     */
    public static void tdLambdaReturn(Tensor rewards, Tensor nextValues, Tensor dones, Tensor terminated, double gamma,
            double lmbda, Tensor out) {
        long tt = rewards.size(0);
        long bb = rewards.size(1);
        for (long b = 0; b < bb; b++) {
            double g = 0.0;
            for (long t = tt - 1; t >= 0; t--) {
                long k = t * bb + b;
                double nv = flag(terminated, k) ? 0.0 : nextValues.getDouble(k);
                double r = rewards.getDouble(k);
                g = t == tt - 1 || flag(dones, k) ? r + gamma * nv : r + gamma * ((1 - lmbda) * nv + lmbda * g);
                out.setDouble(k, g);
            }
        }
    }
}
