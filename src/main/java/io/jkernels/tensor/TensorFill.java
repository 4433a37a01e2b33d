package io.jkernels.tensor;

import java.lang.ref.Reference;

/**
 * Every element of a tensor set to one value: converted to the bits of one element by
 * {@link Shapes#bitPattern} (which decides what a value is in a dtype, or refuses it; see NOTE
 * [exact fills] there), then one backend fill over contiguous memory, or a fill of a contiguous
 * temporary copied into a strided view. The bodies of {@link Tensor#fill(double)} and
 * {@link Tensor#fill(long)}; {@link Tensor#full} fills a new tensor with {@link #fillBits}.
 */
final class TensorFill {
    private TensorFill() {
    }

    /** The value checked against the dtype (after the handle), so a refused value writes nothing. */
    static Tensor fill(Tensor t, double value) {
        t.check();
        return fillBits(t, Shapes.bitPattern(t.dtype, value));
    }

    /** The value checked against the dtype (after the handle), so a refused value writes nothing. */
    static Tensor fill(Tensor t, long value) {
        t.check();
        return fillBits(t, Shapes.bitPattern(t.dtype, value));
    }

    /** Sets every element of {@code t} to the low bytes of {@code pattern}; returns {@code t}. */
    static Tensor fillBits(Tensor t, long pattern) {
        t.check();
        if (t.numel == 0) {
            return t;
        }
        if (t.isContiguous()) {
            t.storage.backend.fill(t.storage.memory, t.offset * t.dtype.bytes(), t.numel, t.dtype.bytes(), pattern);
            Reference.reachabilityFence(t);
        } else {
            try (Tensor c = Tensor.empty(t.dtype, t.device(), t.shape)) {
                fillBits(c, pattern);
                t.copyFrom(c);
            }
        }
        return t;
    }
}
