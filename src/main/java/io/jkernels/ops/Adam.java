package io.jkernels.ops;

/**
 * The Adam optimizer (torch.optim.Adam: weight decay as an L2 term added to the gradient; OPS.md
 * "Optimizers", {@code adam}): keeps the state of every parameter and updates a whole parameter
 * list in one kernel launch (see {@link Optimizers.AdamOptimizer}).
 *
 * <pre>{@code
 * try (Adam opt = Adam.builder().lr(3e-4).build()) {
 *     for (...) {
 *         ... compute the gradients ...
 *         opt.step(List.of(new ParamGrad(w1, g1), new ParamGrad(w2, g2)));
 *     }
 * }
 * }</pre>
 *
 * Defaults as torch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false,
 * maximize false.
 */
public final class Adam extends Optimizers.AdamOptimizer {

    private Adam(Optimizers.Hyper hyper) {
        super(hyper, false);
    }

    /** Adam with the given hyper-parameters. */
    public static Adam of(Optimizers.Hyper hyper) {
        return new Adam(hyper);
    }

    /** A builder with torch.optim.Adam's defaults. */
    public static Optimizers.Builder<Adam> builder() {
        return new Optimizers.Builder<>(Optimizers.ADAM_WEIGHT_DECAY, Adam::new);
    }
}
