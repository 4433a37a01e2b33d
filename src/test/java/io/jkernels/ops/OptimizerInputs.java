package io.jkernels.ops;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Seeded Adam inputs for the optimizer tests, as cpu f32 tensors: param and grad N(0, 1),
 * exp_avg 0.3 N(0, 1), exp_avg_sq (0.5 N(0, 1))^2 + U(0, 1e-4) and max_exp_avg_sq = max(exp_avg_sq
 * + U(-0.05, 0.15), 0): the state a few steps of such gradients leave (the golden generator draws
 * the same kinds). With such values the update is a few lr, and a float32 step is within a few
 * float32 roundings of |param| + |update| of the float64 reference: well inside OPS.md's
 * rtol 1e-5 / atol 1e-6 (a float32 step of values in the thousands, or of a param cancelled by a
 * large update, could exceed atol 1e-6 by rounding alone).
 */
final class OptimizerInputs implements AutoCloseable {
    final Tensor param;
    final Tensor grad;
    final Tensor expAvg;
    final Tensor expAvgSq;
    final Tensor maxExpAvgSq;

    OptimizerInputs(long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        param = Tensor.empty(DType.F32, Device.cpu(), shape);
        grad = Tensor.empty(DType.F32, Device.cpu(), shape);
        expAvg = Tensor.empty(DType.F32, Device.cpu(), shape);
        expAvgSq = Tensor.empty(DType.F32, Device.cpu(), shape);
        maxExpAvgSq = Tensor.empty(DType.F32, Device.cpu(), shape);
        for (long i = 0; i < param.numel(); i++) {
            param.setDouble(i, r.nextGaussian());
            grad.setDouble(i, r.nextGaussian());
            expAvg.setDouble(i, 0.3 * r.nextGaussian());
            double h = 0.5 * r.nextGaussian();
            double v = (float) (h * h + 1e-4 * r.nextDouble());
            expAvgSq.setDouble(i, v);
            maxExpAvgSq.setDouble(i, Math.max(v + 0.2 * r.nextDouble() - 0.05, 0));
        }
    }

    /** The five tensors in order param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq. */
    Tensor[] all() {
        return new Tensor[] {param, grad, expAvg, expAvgSq, maxExpAvgSq};
    }

    @Override
    public void close() {
        for (Tensor t : all()) {
            t.close();
        }
    }
}
