package io.jkernels.ops;

import io.jkernels.backend.KernelArgs;
import io.jkernels.ops.Optimizers.Hyper;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;

/**
 * The checks and launch pieces shared by {@link Optimizers}' functional steps and the multi-tensor
 * step of {@link Optimizers.AdamOptimizer} ({@link AdamState}): the step count, the param and grad,
 * a state tensor, the kernel name and the nine host-computed floats of {@code jk_adam_hyper}
 * (kernels/math/optimizers.h, NOTE [Adam scalars on the host]).
 */
final class AdamLaunch {
    private AdamLaunch() {
    }

    static void checkStep(long step) {
        if (step < 1) {
            throw new TensorException.BadAttr("step must be >= 1 (the step count including this step), got " + step);
        }
    }

    /** param: open, f32, contiguous; grad: like param. */
    static void checkParam(Tensor param, Tensor grad) {
        Checks.open("param", param);
        if (param.dtype() != DType.F32) {
            throw new TensorException.DTypeMismatch("param must be f32, got " + param.dtype());
        }
        if (!param.isContiguous()) {
            throw new TensorException.Shape("param must be contiguous to be updated in place");
        }
        Checks.like("param", param, "grad", grad);
    }

    /** A state tensor: like param and contiguous (updated in place). */
    static void checkState(String name, Tensor param, Tensor state) {
        Checks.output("param", param, name, state);
    }

    /** The kernel name: {@code adam[w][_amsgrad][_multi]_step_f32}. */
    static String kernel(boolean decoupled, boolean amsgrad, boolean multi) {
        return (decoupled ? "adamw" : "adam") + (amsgrad ? "_amsgrad" : "") + (multi ? "_multi" : "") + "_step_f32";
    }

    /**
     * Appends the nine floats of {@code jk_adam_hyper} (kernels/math/optimizers.h) for this step,
     * computed in double and rounded once (NOTE [Adam scalars on the host]).
     */
    static void scalars(KernelArgs a, Hyper h, long step, boolean decoupled) {
        double biasCorrection1 = 1 - Math.pow(h.beta1(), step);
        double biasCorrection2 = 1 - Math.pow(h.beta2(), step);
        double decay = decoupled ? 1 - h.lr() * h.weightDecay() : h.weightDecay();
        a.f32((float) h.beta1()).f32((float) (1 - h.beta1()))
                .f32((float) h.beta2()).f32((float) (1 - h.beta2()))
                .f32((float) h.eps())
                .f32((float) decay)
                .f32(h.maximize() ? -1f : 1f)
                .f32((float) (h.lr() / biasCorrection1))
                .f32((float) Math.sqrt(biasCorrection2));
    }
}
