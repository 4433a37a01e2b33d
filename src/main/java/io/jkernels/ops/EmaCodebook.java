package io.jkernels.ops;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;

/**
 * A VQ-VAE codebook trained by exponential moving averages (VQ-VAE-2; Sonnet's
 * {@code VectorQuantizerEMA}; OPS.md {@code vq_ema_update}): it holds the codebook (K, D), the EMA
 * cluster sizes (K) and the EMA code sums (K, D), all f32 on one device.
 *
 * <pre>{@code
 * try (EmaCodebook vq = EmaCodebook.random(seed, 512, 64, Device.cuda());
 *      VectorQuantizer.Nearest q = vq.quantize(z)) {   // z (..., 64)
 *     vq.update(z, q.indices());                       // training step
 * }
 * }</pre>
 *
 * <p>The state starts as PyTorch's VQ-VAE-2 does: cluster sizes 0, code sums = the codebook
 * (so the first update gives (1 - decay) counts; with no rows at all that total is 0, an error).
 * Not thread-safe; close it to free the three tensors.
 */
public final class EmaCodebook implements AutoCloseable {
    private final Tensor codebook;
    private final Tensor clusterSize;
    private final Tensor embedSum;
    private final double decay;
    private final double eps;

    /** A codebook starting at a copy of {@code initial} (K, D), f32, with the given decay and eps. */
    public EmaCodebook(Tensor initial, double decay, double eps) {
        Checks.open("initial", initial);
        if (initial.dtype() != DType.F32 || initial.dim() != 2) {
            throw new TensorException.DTypeMismatch("initial codebook must be f32 of shape (K, D), got " + initial);
        }
        if (!(decay >= 0 && decay <= 1)) {
            throw new TensorException.BadAttr("decay must be in [0, 1], got " + decay);
        }
        if (!(eps > 0)) {
            throw new TensorException.BadAttr("eps must be > 0, got " + eps);
        }
        this.decay = decay;
        this.eps = eps;
        Tensor c = null;
        Tensor s = null;
        try {
            c = initial.copy();
            s = Tensor.zeros(DType.F32, initial.device(), initial.size(0));
            this.embedSum = initial.copy();
        } catch (RuntimeException | Error e) {
            if (c != null) {
                c.close();
            }
            if (s != null) {
                s.close();
            }
            throw e;
        }
        this.codebook = c;
        this.clusterSize = s;
    }

    /** A copy of {@code initial} with the defaults decay {@value VectorQuantizer#DECAY}, eps {@value VectorQuantizer#EPS}. */
    public EmaCodebook(Tensor initial) {
        this(initial, VectorQuantizer.DECAY, VectorQuantizer.EPS);
    }

    /** K standard-normal codes of dimension D on {@code device} (VQ-VAE-2's initialisation), default decay and eps. */
    public static EmaCodebook random(long seed, long k, long d, Device device) {
        try (Tensor init = Tensor.randn(seed, DType.F32, device, k, d)) {
            return new EmaCodebook(init);
        }
    }

    /** The nearest code of every row of {@code x} (..., D): {@link VectorQuantizer#nearest}. */
    public VectorQuantizer.Nearest quantize(Tensor x) {
        return VectorQuantizer.nearest(x, codebook);
    }

    /**
     * One EMA step with the rows {@code x} (..., D) assigned to {@code indices} (...): updates the
     * cluster sizes, code sums and codebook in place ({@link VectorQuantizer#emaUpdate}); on an
     * error nothing changes.
     */
    public void update(Tensor x, Tensor indices) {
        VectorQuantizer.emaUpdate(x, indices, clusterSize, embedSum, decay, eps, codebook);
    }

    /** Quantizes {@code x} and updates the codebook with the result (a training step); returns the quantization. */
    public VectorQuantizer.Nearest step(Tensor x) {
        VectorQuantizer.Nearest q = quantize(x);
        try {
            update(x, q.indices());
            return q;
        } catch (RuntimeException | Error e) {
            q.close();
            throw e;
        }
    }

    /** The codebook (K, D) (a view of the state: do not close it; it changes with each update). */
    public Tensor codebook() {
        return codebook;
    }

    /** The EMA cluster sizes (K) (the state itself, as {@link #codebook()}). */
    public Tensor clusterSize() {
        return clusterSize;
    }

    /** The EMA code sums (K, D) (the state itself, as {@link #codebook()}). */
    public Tensor embedSum() {
        return embedSum;
    }

    public double decay() {
        return decay;
    }

    public double eps() {
        return eps;
    }

    @Override
    public void close() {
        codebook.close();
        clusterSize.close();
        embedSum.close();
    }
}
