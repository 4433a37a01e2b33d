package io.jkernels.ops;

import static io.jkernels.ops.AdamLaunch.checkParam;
import static io.jkernels.ops.AdamLaunch.checkState;
import static io.jkernels.ops.AdamLaunch.checkStep;
import static io.jkernels.ops.AdamLaunch.kernel;
import static io.jkernels.ops.AdamLaunch.scalars;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.ref.OptimizersRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One step of Adam and AdamW (OPS.md "Optimizers"; torch.optim.Adam / AdamW, PyTorch names and
 * defaults), in place on f32 tensors: the functional steps {@link #adamwStep} and {@link #adamStep}
 * over one parameter tensor and its state, and the stateful optimizers {@link AdamW} and
 * {@link Adam} (built on {@link AdamOptimizer}), which keep the state of every parameter and update
 * a whole parameter list in one kernel launch. Kernels: kernels/optimizers.cu, math in
 * kernels/math/optimizers.h; reference: {@link OptimizersRef}.
 *
 * <p>With {@code step} the step count including this step (1 on the first step):
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
 * <p>Arguments: {@code param}, {@code expAvg}, {@code expAvgSq} (and {@code maxExpAvgSq} when
 * amsgrad; it must be null otherwise) are written in place: f32, contiguous, same shape and
 * device. {@code grad} has the same shape, dtype and device, any strides (a non-contiguous grad
 * is read through a contiguous copy). Everything is checked before anything is written: lr < 0,
 * eps < 0, a beta outside [0, 1), weight_decay < 0 (or any of them NaN) or step < 1 is a
 * {@link TensorException.BadAttr}; a shape, dtype, device or layout error is a
 * {@link TensorException}; a closed tensor an {@link IllegalStateException}. The tensors must not
 * overlap one another (as in torch; not checked).
 *
 * <p>The kernel computes in float32 with the step's scalars computed once on the host in double
 * (kernels/math/optimizers.h, NOTE [Adam scalars on the host]); the cpu device runs the float64
 * reference.
 *
 * <p>This class holds the API and the functional steps' body; the checks and launch pieces both
 * kinds of step use are {@link AdamLaunch}'s, the stateful optimizers' state and multi-tensor step
 * {@link AdamState}'s.
 */
public final class Optimizers {
    /** torch.optim default learning rate. */
    public static final double LR = 1e-3;
    /** torch.optim default betas. */
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    /** torch.optim default eps. */
    public static final double EPS = 1e-8;
    /** torch.optim.AdamW default weight_decay. */
    public static final double ADAMW_WEIGHT_DECAY = 1e-2;
    /** torch.optim.Adam default weight_decay. */
    public static final double ADAM_WEIGHT_DECAY = 0.0;

    /** Elements per chunk of the multi-tensor kernel (a multiple of 4: see kernels/optimizers.cu). */
    static final long CHUNK = 8192;
    /** Threads per block of the optimizer kernels. */
    static final int BLOCK = Kernels.ELEMENTWISE_BLOCK;
    /** int64 words per row of the multi-tensor table (JK_ADAM_ROW in kernels/optimizers.cu). */
    static final int ROW = 8;

    private Optimizers() {
    }

    /**
     * The hyper-parameters of Adam / AdamW (everything but the step count), validated on
     * construction: lr >= 0, eps >= 0, betas in [0, 1), weight_decay >= 0, none NaN.
     */
    public record Hyper(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
            boolean maximize) {
        public Hyper {
            if (!(lr >= 0)) {
                throw new TensorException.BadAttr("lr must be >= 0, got " + lr);
            }
            if (!(eps >= 0)) {
                throw new TensorException.BadAttr("eps must be >= 0, got " + eps);
            }
            if (!(beta1 >= 0 && beta1 < 1)) {
                throw new TensorException.BadAttr("beta1 must be in [0, 1), got " + beta1);
            }
            if (!(beta2 >= 0 && beta2 < 1)) {
                throw new TensorException.BadAttr("beta2 must be in [0, 1), got " + beta2);
            }
            if (!(weightDecay >= 0)) {
                throw new TensorException.BadAttr("weight_decay must be >= 0, got " + weightDecay);
            }
        }

        /** torch.optim.AdamW's defaults (weight_decay 1e-2). */
        public static Hyper adamwDefaults() {
            return new Hyper(LR, BETA1, BETA2, EPS, ADAMW_WEIGHT_DECAY, false, false);
        }

        /** torch.optim.Adam's defaults (weight_decay 0). */
        public static Hyper adamDefaults() {
            return new Hyper(LR, BETA1, BETA2, EPS, ADAM_WEIGHT_DECAY, false, false);
        }
    }

    /** A parameter tensor and its gradient, for {@link AdamOptimizer#step(List)}. */
    public record ParamGrad(Tensor param, Tensor grad) {
        public ParamGrad {
            Objects.requireNonNull(param, "param");
            Objects.requireNonNull(grad, "grad");
        }
    }

    // ---- functional steps ------------------------------------------------------------------------

    /**
     * One AdamW step (torch.optim.AdamW, decoupled weight decay) in place on param, expAvg,
     * expAvgSq and, when amsgrad, maxExpAvgSq (null otherwise). {@code step} counts this step (>= 1).
     */
    public static void adamwStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
            double lr, double beta1, double beta2, double eps, double weightDecay, long step, boolean amsgrad,
            boolean maximize) {
        adamwStep(param, grad, expAvg, expAvgSq, maxExpAvgSq,
                new Hyper(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize), step);
    }

    /** One AdamW step with the given hyper-parameters. */
    public static void adamwStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
            Hyper hyper, long step) {
        stepOne(true, param, grad, expAvg, expAvgSq, maxExpAvgSq, hyper, step);
    }

    /**
     * One Adam step (torch.optim.Adam, weight decay added to the gradient) in place on param,
     * expAvg, expAvgSq and, when amsgrad, maxExpAvgSq (null otherwise). {@code step} counts this
     * step (>= 1).
     */
    public static void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
            double lr, double beta1, double beta2, double eps, double weightDecay, long step, boolean amsgrad,
            boolean maximize) {
        adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq,
                new Hyper(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize), step);
    }

    /** One Adam step with the given hyper-parameters. */
    public static void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
            Hyper hyper, long step) {
        stepOne(false, param, grad, expAvg, expAvgSq, maxExpAvgSq, hyper, step);
    }

    private static void stepOne(boolean decoupled, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq,
            Tensor maxExpAvgSq, Hyper h, long step) {
        Objects.requireNonNull(h, "hyper");
        checkStep(step);
        checkParam(param, grad);
        checkState("exp_avg", param, expAvg);
        checkState("exp_avg_sq", param, expAvgSq);
        if (h.amsgrad()) {
            if (maxExpAvgSq == null) {
                throw new TensorException("amsgrad needs max_exp_avg_sq, got null");
            }
            checkState("max_exp_avg_sq", param, maxExpAvgSq);
        } else if (maxExpAvgSq != null) {
            throw new TensorException("max_exp_avg_sq is given but amsgrad is false");
        }
        long n = param.numel();
        if (n == 0) {
            return;
        }
        KernelBackend kb = Kernels.of(param);
        if (kb == null) {
            OptimizersRef.step(param, grad, expAvg, expAvgSq, maxExpAvgSq, h.lr(), h.beta1(), h.beta2(), h.eps(),
                    h.weightDecay(), step, h.amsgrad(), h.maximize(), decoupled);
            return;
        }
        try (Tensor g = grad.contiguous()) {
            KernelArgs a = KernelArgs.get().ptr(param).ptr(g).ptr(expAvg).ptr(expAvgSq)
                    .ptr(h.amsgrad() ? maxExpAvgSq.dataAddress() : 0L).i64(n);
            scalars(a, h, step, decoupled);
            kb.launch(kernel(decoupled, h.amsgrad(), false), Kernels.elementwise(kb, n, 4), a);
            java.lang.ref.Reference.reachabilityFence(param);
            java.lang.ref.Reference.reachabilityFence(expAvg);
            java.lang.ref.Reference.reachabilityFence(expAvgSq);
            java.lang.ref.Reference.reachabilityFence(maxExpAvgSq);
        }
    }

    // ---- the stateful optimizers -----------------------------------------------------------------

    /**
     * The state and the multi-tensor step shared by {@link AdamW} and {@link Adam}: per parameter
     * tensor (by identity) its exp_avg, exp_avg_sq, max_exp_avg_sq (amsgrad) and step count,
     * created as zeros on its first step (as torch.optim); {@link #step(List)} updates every
     * (param, grad) pair given, with one kernel launch per device and step count (usually one in
     * all) over a device table of the tensors (kernels/optimizers.cu, NOTE [Adam multi-tensor
     * table]). The table is kept on the device and uploaded again only when the tensors of the list
     * change, so keep param and grad tensors from step to step (write gradients into the same
     * buffers) to launch without any host transfer. Not thread-safe. Close it to free the state.
     * (This class checks the arguments; the state and the launches are {@link AdamState}'s.)
     */
    public abstract static sealed class AdamOptimizer implements AutoCloseable permits AdamW, Adam {
        private final Hyper hyper;
        private final AdamState store;
        private boolean closed;

        AdamOptimizer(Hyper hyper, boolean decoupled) {
            this.hyper = Objects.requireNonNull(hyper, "hyper");
            this.store = new AdamState(hyper, decoupled);
        }

        /**
         * A view of one parameter's state: the optimizer's own tensors (do not close them; they
         * are valid until {@link #zeroState()} or {@link #close()}) and the number of steps taken.
         */
        public record State(Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, long step) {
        }

        /** The hyper-parameters. */
        public Hyper hyper() {
            return hyper;
        }

        /** One step of one parameter. */
        public void step(Tensor param, Tensor grad) {
            step(List.of(new ParamGrad(param, grad)));
        }

        /**
         * One step of every pair: each param (f32, contiguous) is updated in place from its grad
         * (same shape, dtype and device, any strides) and its state. Everything is checked before
         * anything is written; a param may appear once.
         */
        public void step(List<ParamGrad> pairs) {
            checkOpen();
            Map<Tensor, Boolean> seen = new IdentityHashMap<>();
            for (ParamGrad pg : pairs) {
                checkParam(pg.param(), pg.grad());
                if (seen.put(pg.param(), Boolean.TRUE) != null) {
                    throw new TensorException("param " + pg.param() + " appears twice in one step");
                }
            }
            store.step(pairs);
        }

        /** The state of {@code param}, or null before its first step. */
        public State state(Tensor param) {
            checkOpen();
            return store.state(param);
        }

        /**
         * Sets the state of {@code param} (restoring a checkpoint, or a torch optimizer's state):
         * copies of expAvg, expAvgSq and, when amsgrad, maxExpAvgSq (null otherwise), each shaped
         * like param, and the number of steps already taken ({@code >= 0}).
         */
        public void loadState(Tensor param, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, long step) {
            checkOpen();
            Checks.open("param", param);
            if (param.dtype() != DType.F32) {
                throw new TensorException.DTypeMismatch("param must be f32, got " + param.dtype());
            }
            if (step < 0) {
                throw new TensorException.BadAttr("step must be >= 0 (steps already taken), got " + step);
            }
            Checks.like("param", param, "exp_avg", expAvg);
            Checks.like("param", param, "exp_avg_sq", expAvgSq);
            if (hyper.amsgrad()) {
                if (maxExpAvgSq == null) {
                    throw new TensorException("amsgrad needs max_exp_avg_sq, got null");
                }
                Checks.like("param", param, "max_exp_avg_sq", maxExpAvgSq);
            } else if (maxExpAvgSq != null) {
                throw new TensorException("max_exp_avg_sq is given but amsgrad is false");
            }
            store.load(param, expAvg, expAvgSq, maxExpAvgSq, step);
        }

        /** Forgets every parameter's state (as a fresh optimizer) and frees it. */
        public void zeroState() {
            checkOpen();
            store.clear();
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException(getClass().getSimpleName() + " is closed");
            }
        }

        /** Frees the state; the optimizer cannot be used afterwards. */
        @Override
        public void close() {
            if (!closed) {
                zeroState();
                closed = true;
            }
        }
    }

    /**
     * A builder of {@link AdamW} or {@link Adam} with torch.optim's defaults (lr 1e-3, betas
     * (0.9, 0.999), eps 1e-8, weight_decay 1e-2 for AdamW and 0 for Adam, amsgrad and maximize
     * false); {@link #build()} validates.
     */
    public static final class Builder<O extends AdamOptimizer> {
        private final Function<Hyper, O> make;
        private double lr = LR;
        private double beta1 = BETA1;
        private double beta2 = BETA2;
        private double eps = EPS;
        private double weightDecay;
        private boolean amsgrad;
        private boolean maximize;

        Builder(double weightDecay, Function<Hyper, O> make) {
            this.weightDecay = weightDecay;
            this.make = make;
        }

        public Builder<O> lr(double v) {
            lr = v;
            return this;
        }

        public Builder<O> betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder<O> eps(double v) {
            eps = v;
            return this;
        }

        public Builder<O> weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder<O> amsgrad(boolean v) {
            amsgrad = v;
            return this;
        }

        public Builder<O> maximize(boolean v) {
            maximize = v;
            return this;
        }

        /** The optimizer; {@link TensorException.BadAttr} for a value outside its domain. */
        public O build() {
            return make.apply(new Hyper(lr, beta1, beta2, eps, weightDecay, amsgrad, maximize));
        }
    }
}
