package io.jkernels.ops;

/**
 * The AdamW optimizer (torch.optim.AdamW: Adam with decoupled weight decay; OPS.md "Optimizers",
 * {@code adamw}): keeps the state of every parameter and updates a whole parameter list in one
 * kernel launch (see {@link Optimizers.AdamOptimizer}).
 *
 * <pre>{@code
 * try (AdamW opt = AdamW.builder().lr(3e-4).weightDecay(0.1).build()) {
 *     for (...) {
 *         ... compute the gradients ...
 *         opt.step(List.of(new ParamGrad(w1, g1), new ParamGrad(w2, g2)));
 *     }
 * }
 * }</pre>
 *
 * Defaults as torch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2, amsgrad false,
 * maximize false.
 */
public final class AdamW extends Optimizers.AdamOptimizer {

    private AdamW(Optimizers.Hyper hyper) {
        super(hyper, true);
    }

    /** AdamW with the given hyper-parameters. */
    public static AdamW of(Optimizers.Hyper hyper) {
        return new AdamW(hyper);
    }

    /** A builder with torch.optim.AdamW's defaults. */
    public static Optimizers.Builder<AdamW> builder() {
        return new Optimizers.Builder<>(Optimizers.ADAMW_WEIGHT_DECAY, AdamW::new);
    }
}
