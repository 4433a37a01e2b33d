package io.jkernels.testing;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.SplittableRandom;

/** Seeded test inputs: scaled normal samples with special values sprinkled in. */
public final class Inputs {
    private Inputs() {
    }

    /**
     * A cpu tensor of {@code scale * N(0, 1)} samples, rounded to {@code dtype}, where about one
     * element in {@code 1 / specialRate} is replaced by one of {@code specials} (and the first
     * elements are the specials in order, so small tensors hold them too).
     */
    public static Tensor mixed(long seed, DType dtype, double scale, double specialRate, double[] specials,
            long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.empty(dtype, Device.cpu(), shape);
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            double v = scale * r.nextGaussian();
            if (specials.length > 0 && (i < specials.length || r.nextDouble() < specialRate)) {
                v = specials[i < specials.length ? (int) i : r.nextInt(specials.length)];
            }
            t.setDouble(i, v);
        }
        return t;
    }

    /** A cpu copy of {@code t} (any device) with every element rounded to {@code dtype}. */
    public static Tensor convert(Tensor t, DType dtype) {
        Tensor out = Tensor.empty(dtype, Device.cpu(), t.shape());
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            out.setDouble(i, v[i]);
        }
        return out;
    }
}
