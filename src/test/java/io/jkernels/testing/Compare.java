package io.jkernels.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import java.util.Arrays;

/**
 * Element comparisons for tests, NaN-aware (NaN must meet NaN at the same place, Inf the same Inf),
 * with a failure message that names the worst element: allclose as OPS.md defines it, units in
 * the last place of a dtype, and bit equality.
 */
public final class Compare {
    private Compare() {
    }

    /** OPS.md allclose: {@code |a - e| <= atol + rtol |e|} per element, NaN/Inf matched exactly. */
    public static void allClose(String what, Tensor actual, Tensor expected, double rtol, double atol) {
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        sameShape(what, actual, expected);
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < a.length; i++) {
            double r = mismatch(a[i], e[i], rtol, atol);
            if (r > 1 && r > worstRatio) {
                worstRatio = r;
                worst = i;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + a[worst] + ", expected " + e[worst] + " (rtol " + rtol
                    + ", atol " + atol + ", " + count(a, e, rtol, atol) + " of " + a.length + " elements differ)");
        }
    }

    /** Error over tolerance (<= 1 passes; Double.POSITIVE_INFINITY for a NaN or Inf mismatch). */
    public static double mismatch(double a, double e, double rtol, double atol) {
        if (Double.isNaN(e) || Double.isNaN(a)) {
            return Double.isNaN(e) && Double.isNaN(a) ? 0 : Double.POSITIVE_INFINITY;
        }
        if (Double.isInfinite(e) || Double.isInfinite(a)) {
            return a == e ? 0 : Double.POSITIVE_INFINITY;
        }
        double tol = atol + rtol * Math.abs(e);
        double d = Math.abs(a - e);
        return tol == 0 ? (d == 0 ? 0 : Double.POSITIVE_INFINITY) : d / tol;
    }

    private static int count(double[] a, double[] e, double rtol, double atol) {
        int c = 0;
        for (int i = 0; i < a.length; i++) {
            if (mismatch(a[i], e[i], rtol, atol) > 1) {
                c++;
            }
        }
        return c;
    }

    /**
     * Distance in units in the last place of {@code dtype} (f32, bf16, f16) between two values
     * representable in it: the number of representable values between them (+0 and -0 are one
     * value; NaN against NaN is 0, NaN against a number is Long.MAX_VALUE).
     */
    public static long ulps(double a, double b, DType dtype) {
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return Double.isNaN(a) && Double.isNaN(b) ? 0 : Long.MAX_VALUE;
        }
        return Math.abs(ordinal(a, dtype) - ordinal(b, dtype));
    }

    private static long ordinal(double v, DType dtype) {
        int bits = switch (dtype) {
            case F32 -> Float.floatToRawIntBits((float) v);
            case BF16 -> DType.floatToBf16((float) v) & 0xffff;
            case F16 -> DType.floatToF16((float) v) & 0xffff;
            default -> throw new IllegalArgumentException("ulps of " + dtype);
        };
        long signBit = dtype == DType.F32 ? 0x80000000L : 0x8000L;
        long mag = (bits & 0xffffffffL) & (signBit - 1);
        return (bits & 0xffffffffL & signBit) != 0 ? -mag : mag;
    }

    /** Every element within {@code maxUlps} units in the last place of actual's dtype. */
    public static void withinUlps(String what, Tensor actual, Tensor expected, long maxUlps) {
        sameShape(what, actual, expected);
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            long u = ulps(a[i], e[i], actual.dtype());
            if (u > maxUlps) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i] + " (" + u + " ulps of "
                        + actual.dtype() + " apart, at most " + maxUlps + " allowed)");
            }
        }
    }

    /** Identical bytes (determinism, exact ops). */
    public static void bitEqual(String what, Tensor actual, Tensor expected) {
        sameShape(what, actual, expected);
        if (actual.dtype() != expected.dtype()) {
            fail(what + ": dtype " + actual.dtype() + " vs " + expected.dtype());
        }
        byte[] a = actual.toByteArray();
        byte[] e = expected.toByteArray();
        int w = actual.dtype().bytes();
        for (int i = 0; i < a.length; i++) {
            if (a[i] != e[i]) {
                fail(what + ": element " + i / w + " differs in its bits");
            }
        }
    }

    /**
     * The same values: equal bits, except that any NaN matches any NaN (kernels may produce a
     * different NaN payload or sign than a reference); +0 and -0 are told apart.
     */
    public static void sameValues(String what, Tensor actual, Tensor expected) {
        sameShape(what, actual, expected);
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            boolean same = Double.isNaN(a[i]) ? Double.isNaN(e[i])
                    : Double.doubleToRawLongBits(a[i]) == Double.doubleToRawLongBits(e[i]);
            if (!same) {
                fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
            }
        }
    }

    private static void sameShape(String what, Tensor a, Tensor e) {
        if (!Arrays.equals(a.shape(), e.shape())) {
            fail(what + ": shape " + Arrays.toString(a.shape()) + ", expected " + Arrays.toString(e.shape()));
        }
    }
}
