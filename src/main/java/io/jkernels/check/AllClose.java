package io.jkernels.check;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.Arrays;

/**
 * The element comparison of OPS.md "Conformance case format".
 *
 * <p>Floating point, per element: {@code |actual - expected| <= atol + rtol * |expected|}; a NaN
 * must meet a NaN at the same place and an infinity the same infinity; -0.0 meets 0.0. When either
 * side is an integer or bool tensor the comparison is exact (and both must be integer or bool).
 * Tensors may be on any device (they are copied to cpu) and of any strides; elements are read one
 * at a time, so no extra arrays are built.
 *
 * <p>Statistics: {@code maxAbs} is the largest {@code |actual - expected|} (infinite where a
 * NaN or infinity is not matched), {@code maxRel} the largest {@code |actual - expected| / |expected|}
 * over elements whose expected value is finite and non-zero, and the worst element the first one
 * with the largest ratio {@code |actual - expected| / (atol + rtol * |expected|)} (an unmatched NaN
 * or infinity, or any difference under a zero tolerance, has ratio +Inf).
 */
public final class AllClose {
    private AllClose() {
    }

    /**
     * The outcome of one comparison.
     *
     * @param passed     every element within tolerance and the shapes equal
     * @param maxAbs     largest absolute error (0 for no elements)
     * @param maxRel     largest relative error over elements with finite non-zero expected value
     * @param worstIndex row-major flat index of the worst element, or -1 when there is none
     * @param worstRatio its error over its tolerance (> 1 fails)
     * @param actual     the worst element's actual value (NaN when there is none)
     * @param expected   the worst element's expected value (NaN when there is none)
     * @param failures   number of elements out of tolerance
     * @param shape      the compared shape (the expected one)
     * @param message    null on a pass, else what went wrong
     */
    public record Result(boolean passed, double maxAbs, double maxRel, long worstIndex, double worstRatio,
                         double actual, double expected, long failures, long[] shape, String message) {

        /** The worst element's index in the shape, e.g. {@code [1, 2]}, or "-" when there is none. */
        public String worstIndexString() {
            return worstIndex < 0 ? "-" : Arrays.toString(unravel(worstIndex, shape));
        }
    }

    /** Compares with {@code |a - e| <= atol + rtol |e|} (see the class comment). */
    public static Result compare(Tensor actual, Tensor expected, double rtol, double atol) {
        long[] es = expected.shape();
        if (!Arrays.equals(actual.shape(), es)) {
            return new Result(false, Double.NaN, Double.NaN, -1, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN,
                    0, es, "shape " + Arrays.toString(actual.shape()) + " does not match expected shape "
                    + Arrays.toString(es));
        }
        boolean intA = !actual.dtype().isFloating();
        boolean intE = !expected.dtype().isFloating();
        if (intA != intE) {
            return new Result(false, Double.NaN, Double.NaN, -1, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN,
                    0, es, "dtype " + actual.dtype() + " does not match expected dtype " + expected.dtype()
                    + " (an integer or bool output is compared exactly with an integer or bool expectation)");
        }
        try (Tensor a = onCpu(actual); Tensor e = onCpu(expected)) {
            return intE ? exact(a, e, es) : close(a, e, rtol, atol, es);
        }
    }

    private static Tensor onCpu(Tensor t) {
        try (Tensor c = t.to(Device.cpu())) {
            return c.contiguous();
        }
    }

    private static Result close(Tensor a, Tensor e, double rtol, double atol, long[] shape) {
        long n = e.numel();
        double maxAbs = 0;
        double maxRel = 0;
        long worst = -1;
        double worstRatio = -1;
        long failures = 0;
        for (long i = 0; i < n; i++) {
            double x = a.getDouble(i);
            double y = e.getDouble(i);
            double diff;
            double ratio;
            boolean failed;
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                failed = Double.isNaN(x) ? !Double.isNaN(y) : x != y;
                diff = failed ? Double.POSITIVE_INFINITY : 0;
                ratio = diff;
            } else {
                diff = Math.abs(x - y);
                double tol = atol + rtol * Math.abs(y);
                failed = diff > tol;
                ratio = diff == 0 ? 0 : (tol > 0 ? diff / tol : Double.POSITIVE_INFINITY);
            }
            if (failed) {
                failures++;
            }
            maxAbs = Math.max(maxAbs, diff);
            if (y != 0 && Double.isFinite(y)) {
                maxRel = Math.max(maxRel, diff / Math.abs(y));
            }
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        return result(a, e, maxAbs, maxRel, worst, worstRatio, failures, shape, rtol, atol);
    }

    private static Result exact(Tensor a, Tensor e, long[] shape) {
        long n = e.numel();
        double maxAbs = 0;
        double maxRel = 0;
        long worst = -1;
        double worstDiff = -1;
        long failures = 0;
        for (long i = 0; i < n; i++) {
            long x = a.getLong(i);
            long y = e.getLong(i);
            double diff = Math.abs((double) x - (double) y);
            if (x != y) {
                failures++;
                if (diff == 0) {
                    diff = Math.ulp((double) y); // distinct longs beyond 2^53
                }
            }
            maxAbs = Math.max(maxAbs, diff);
            if (y != 0) {
                maxRel = Math.max(maxRel, diff / Math.abs((double) y));
            }
            if (diff > worstDiff) {
                worstDiff = diff;
                worst = i;
            }
        }
        double ratio = worstDiff > 0 ? Double.POSITIVE_INFINITY : 0;
        return result(a, e, maxAbs, maxRel, worst, worst < 0 ? -1 : ratio, failures, shape, 0, 0);
    }

    private static Result result(Tensor a, Tensor e, double maxAbs, double maxRel, long worst, double worstRatio,
                                 long failures, long[] shape, double rtol, double atol) {
        double av = worst < 0 ? Double.NaN : a.getDouble(worst);
        double ev = worst < 0 ? Double.NaN : e.getDouble(worst);
        String message = null;
        if (failures > 0) {
            DType dt = e.dtype();
            String tol = dt.isFloating() ? " (tolerance atol " + atol + " + rtol " + rtol + " * |expected|)" : " (exact)";
            message = failures + " of " + e.numel() + " elements differ" + tol + "; worst at "
                    + Arrays.toString(unravel(worst, shape)) + ": actual " + format(a, worst) + ", expected "
                    + format(e, worst);
        }
        return new Result(failures == 0, maxAbs, maxRel, worst, Math.max(worstRatio, 0), av, ev, failures, shape,
                message);
    }

    private static String format(Tensor t, long i) {
        return t.dtype().isFloating() ? Double.toString(t.getDouble(i)) : Long.toString(t.getLong(i));
    }

    /** The multi-index of row-major flat index {@code flat} in {@code shape}. */
    public static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        long rem = flat;
        for (int k = shape.length - 1; k >= 0; k--) {
            if (shape[k] > 0) {
                idx[k] = rem % shape[k];
                rem /= shape[k];
            }
        }
        return idx;
    }
}
