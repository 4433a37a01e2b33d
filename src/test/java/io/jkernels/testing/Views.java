package io.jkernels.testing;

import io.jkernels.tensor.Tensor;

/**
 * Layouts that take a kernel off its fast path, each holding the same values as a given tensor:
 * a view starting one element past a 16-byte boundary (misaligned) and a strided view
 * (non-contiguous). The returned tensor is a view; closing it releases the backing memory.
 */
public final class Views {
    private Views() {
    }

    /** A contiguous view at element offset {@code offset} of a larger allocation on {@code src}'s device. */
    public static Tensor offsetCopy(Tensor src, long offset) {
        try (Tensor flat = Tensor.empty(src.dtype(), src.device(), src.numel() + offset);
                Tensor part = flat.narrow(0, offset, src.numel())) {
            Tensor v = part.view(src.shape());
            try (Tensor c = src.contiguous()) {
                v.copyFrom(c);
            }
            return v;
        }
    }

    /** {@link #offsetCopy} at offset 1: misaligned for every dtype of 2 bytes or more. */
    public static Tensor misaligned(Tensor src) {
        return offsetCopy(src, 1);
    }

    /** A non-contiguous view (every other element of a buffer twice as large) holding src's values. */
    public static Tensor strided(Tensor src) {
        long[] s = src.shape();
        long[] big = java.util.Arrays.copyOf(s, s.length + 1);
        big[s.length] = 2;
        try (Tensor b = Tensor.zeros(src.dtype(), src.device(), big)) {
            Tensor v = b.select(s.length, 1);
            v.copyFrom(src);
            return v;
        }
    }
}
