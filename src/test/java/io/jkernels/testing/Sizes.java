package io.jkernels.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Sizes that break kernels (as CUB's tests): 0, 1, tiny primes, one below/at/above a vector, warp
 * and block boundary (15/16/17, 31, 127/128/129), a size past several blocks (4097) and a large
 * one, plus odd multi-dimensional shapes. Shared by the tests of every op family.
 */
public final class Sizes {
    private Sizes() {
    }

    /** The full sweep of element counts. */
    public static final long[] SWEEP = {0, 1, 2, 3, 15, 16, 17, 31, 127, 128, 129, 1023, 4097, 100000};

    /** A shorter sweep for expensive cases: empty, single, tiny, odd, block-crossing, large. */
    public static final long[] SHORT = {0, 1, 3, 17, 129, 4097, 100000};

    /** Odd shapes of rank > 1 (none of them a multiple of a vector or block). */
    public static final long[][] ODD_SHAPES = {{7, 13, 5}, {3, 1, 11}, {2, 0, 3}};

    /** Each size as a 1-D shape, followed by {@link #ODD_SHAPES}. */
    public static List<long[]> shapes(long... sizes) {
        List<long[]> out = new ArrayList<>();
        for (long n : sizes) {
            out.add(new long[] {n});
        }
        for (long[] s : ODD_SHAPES) {
            out.add(s.clone());
        }
        return out;
    }
}
