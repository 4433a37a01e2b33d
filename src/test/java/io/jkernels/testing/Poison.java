package io.jkernels.testing;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;

/**
 * NaN-poisoned outputs: a kernel that skips an element leaves a NaN there, which a NaN-aware
 * comparison ({@link Compare}) reports unless the expected value is NaN too.
 */
public final class Poison {
    private Poison() {
    }

    /** A contiguous tensor of NaN (for {@code out=} arguments). */
    public static Tensor nan(DType dtype, Device device, long... shape) {
        return Tensor.full(Double.NaN, dtype, device, shape);
    }

    /** Fills {@code t} with NaN and returns it. */
    public static Tensor fill(Tensor t) {
        return t.fill(Double.NaN);
    }
}
