package io.jkernels.ref;

import io.jkernels.tensor.Tensor;

/**
 * Pure-Java float64 references of one Adam / AdamW step (OPS.md "Optimizers"; torch.optim.Adam
 * and AdamW, {@code _single_tensor_adam[w]} in PyTorch 1.13): the ground truth the kernels are
 * checked against. With {@code step} the step count including this step:
 *
 * <pre>
 * g     = maximize ? -grad : grad
 * Adam:  g = g + weight_decay * param              (when weight_decay != 0)
 * AdamW: param = param * (1 - lr * weight_decay)
 * m     = beta1 * m + (1 - beta1) * g
 * v     = beta2 * v + (1 - beta2) * g * g
 * vmax  = max(vmax, v)                               (amsgrad, NaN-propagating; vmax replaces v below)
 * denom = sqrt(v) / sqrt(1 - beta2^step) + eps       (eps after the bias correction, as torch)
 * param = param - (lr / (1 - beta1^step)) * m / denom
 * </pre>
 *
 * Every value is read as a double, the step runs in double and each state is rounded once on
 * store to its tensor's dtype. The tensor form works in place on cpu tensors of any strides and
 * does not validate (the op class does).
 */
public final class OptimizersRef {
    private OptimizersRef() {
    }

    /**
     * One element: {@code s = {param, m, v, vmax}} updated in place from {@code grad} ({@code
     * s[3]} untouched without amsgrad). {@code decoupled}: AdamW, else Adam.
     */
    public static void step(double[] s, double grad, double lr, double beta1, double beta2, double eps,
            double weightDecay, long step, boolean amsgrad, boolean maximize, boolean decoupled) {
        double p = s[0];
        double g = maximize ? -grad : grad;
        if (decoupled) {
            p = p * (1 - lr * weightDecay);
        } else if (weightDecay != 0) {
            g = g + weightDecay * p;
        }
        double m = beta1 * s[1] + (1 - beta1) * g;
        double v = beta2 * s[2] + (1 - beta2) * g * g;
        double second = v;
        if (amsgrad) {
            double vmax = Double.isNaN(s[3]) || Double.isNaN(v) ? Double.NaN : Math.max(s[3], v);
            s[3] = vmax;
            second = vmax;
        }
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double denom = Math.sqrt(second) / Math.sqrt(biasCorrection2) + eps;
        s[0] = p - (lr / biasCorrection1) * (m / denom);
        s[1] = m;
        s[2] = v;
    }

    /**
     * One step over whole tensors, in place: param, exp_avg, exp_avg_sq (and max_exp_avg_sq when
     * amsgrad; may be null otherwise), all cpu tensors of the same shape.
     */
    public static void step(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, double lr,
            double beta1, double beta2, double eps, double weightDecay, long step, boolean amsgrad, boolean maximize,
            boolean decoupled) {
        long n = param.numel();
        double[] s = new double[4];
        for (long i = 0; i < n; i++) {
            s[0] = param.getDouble(i);
            s[1] = expAvg.getDouble(i);
            s[2] = expAvgSq.getDouble(i);
            s[3] = amsgrad ? maxExpAvgSq.getDouble(i) : 0;
            step(s, grad.getDouble(i), lr, beta1, beta2, eps, weightDecay, step, amsgrad, maximize, decoupled);
            param.setDouble(i, s[0]);
            expAvg.setDouble(i, s[1]);
            expAvgSq.setDouble(i, s[2]);
            if (amsgrad) {
                maxExpAvgSq.setDouble(i, s[3]);
            }
        }
    }

    /** torch.optim.AdamW's step ({@link #step} with decoupled weight decay). */
    public static void adamw(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, double lr,
            double beta1, double beta2, double eps, double weightDecay, long step, boolean amsgrad, boolean maximize) {
        step(param, grad, expAvg, expAvgSq, maxExpAvgSq, lr, beta1, beta2, eps, weightDecay, step, amsgrad, maximize,
                true);
    }

    /** torch.optim.Adam's step ({@link #step} with L2 weight decay on the gradient). */
    public static void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, double lr,
            double beta1, double beta2, double eps, double weightDecay, long step, boolean amsgrad, boolean maximize) {
        step(param, grad, expAvg, expAvgSq, maxExpAvgSq, lr, beta1, beta2, eps, weightDecay, step, amsgrad, maximize,
                false);
    }
}
