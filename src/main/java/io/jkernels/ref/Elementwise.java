package io.jkernels.ref;

import io.jkernels.tensor.Tensor;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Loops of the elementwise references over cpu tensors of equal element count (row-major flat
 * order, any strides): each element read as a double, the function evaluated in double, the
 * result rounded once to the output's dtype.
 */
public final class Elementwise {
    private Elementwise() {
    }

    public static void map(Tensor in, Tensor out, DoubleUnaryOperator f) {
        for (long i = 0, n = out.numel(); i < n; i++) {
            out.setDouble(i, f.applyAsDouble(in.getDouble(i)));
        }
    }

    public static void map(Tensor a, Tensor b, Tensor out, DoubleBinaryOperator f) {
        for (long i = 0, n = out.numel(); i < n; i++) {
            out.setDouble(i, f.applyAsDouble(a.getDouble(i), b.getDouble(i)));
        }
    }

    /** Ternary map, e.g. the backward of a gated op for one of its outputs. */
    public static void map(Tensor a, Tensor b, Tensor c, Tensor out, Ternary f) {
        for (long i = 0, n = out.numel(); i < n; i++) {
            out.setDouble(i, f.apply(a.getDouble(i), b.getDouble(i), c.getDouble(i)));
        }
    }

    /** A function of three doubles. */
    @FunctionalInterface
    public interface Ternary {
        double apply(double a, double b, double c);
    }
}
