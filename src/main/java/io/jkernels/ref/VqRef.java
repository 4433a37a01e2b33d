package io.jkernels.ref;

import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;

/**
 * Pure-Java references of the vector-quantisation ops (OPS.md "Vector quantisation (VQ-VAE)"), in
 * float64: the ground truth the kernels (kernels/vq.cu, kernels/vq_ema.cu) are checked against.
 *
 * <p>{@code nearest}: {@code d_k = sum_j (x_j - c_kj)^2} in float64 (index order) on the float32
 * values, the argmin in torch.argmin's order (the first NaN wins; else the smallest value, the
 * lowest index on a tie), {@code quantized = codebook[index]} and {@code distance = d_index}
 * rounded once to float32.
 *
 * <p>{@code emaUpdate}: the OPS.md formulas in float64 (counts and sums over the rows in index
 * order), each output rounded once to float32. Rows are the leading dimensions of {@code input}
 * flattened; tensors may have any strides (cpu).
 */
public final class VqRef {
    private VqRef() {
    }

    /** Whether (a, ka) comes before (b, kb) in torch.argmin's order: the first NaN, else the smallest, lowest index. */
    public static boolean before(double a, long ka, double b, long kb) {
        boolean na = Double.isNaN(a);
        boolean nb = Double.isNaN(b);
        if (na || nb) {
            return na && (!nb || ka < kb);
        }
        return a < b || (a == b && ka < kb);
    }

    /** Squared L2 distance of row {@code xr} of x and row {@code cr} of c (both row-major, width d), in float64. */
    public static double distance(double[] x, long xr, double[] c, long cr, int d) {
        double s = 0;
        int xo = (int) (xr * d);
        int co = (int) (cr * d);
        for (int j = 0; j < d; j++) {
            double t = x[xo + j] - c[co + j];
            s += t * t;
        }
        return s;
    }

    /** The argmin over the codes of row {@code r} (codebook k x d). */
    public static int nearestRow(double[] x, int r, double[] cb, int k, int d) {
        int best = 0;
        double bv = distance(x, r, cb, 0, d);
        for (int c = 1; c < k; c++) {
            double v = distance(x, r, cb, c, d);
            if (before(v, c, bv, best)) {
                bv = v;
                best = c;
            }
        }
        return best;
    }

    /**
     * vq_nearest on cpu tensors: input (..., D), codebook (K, D), K >= 1; writes indices (...)
     * int64, quantized (..., D) and distance (...) (float outputs rounded once).
     */
    public static void nearest(Tensor input, Tensor codebook, Tensor indices, Tensor quantized, Tensor distance) {
        int d = (int) codebook.size(1);
        int k = (int) codebook.size(0);
        if (k < 1) {
            throw new TensorException.Shape("codebook has no codes (K = 0)");
        }
        double[] x = input.toDoubleArray();
        double[] cb = codebook.toDoubleArray();
        int n = d == 0 ? (int) indices.numel() : x.length / d;
        for (int r = 0; r < n; r++) {
            int best = nearestRow(x, r, cb, k, d);
            indices.setLong(r, best);
            distance.setDouble(r, distance(x, r, cb, best, d));
            for (int j = 0; j < d; j++) {
                quantized.setDouble((long) r * d + j, cb[best * d + j]);
            }
        }
    }

    /**
     * vq_ema_update on cpu tensors, in place on {@code clusterSize} (K) and {@code embedSum} (K, D),
     * and {@code codebook} (K, D) written. Throws before writing anything when an index is outside
     * [0, K) ({@link IndexOutOfBoundsException}) or when total = 0 ({@link TensorException}).
     */
    public static void emaUpdate(Tensor input, Tensor indices, Tensor clusterSize, Tensor embedSum, double decay,
            double eps, Tensor codebook) {
        int k = (int) clusterSize.numel();
        int d = (int) embedSum.size(1);
        long[] idx = indices.toLongArray();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || idx[i] >= k) {
                throw new IndexOutOfBoundsException("indices[" + i + "] = " + idx[i] + " is outside [0, " + k + ")");
            }
        }
        double[] x = input.toDoubleArray();
        double[] count = new double[k];
        double[] sum = new double[k * d];
        for (int r = 0; r < idx.length; r++) {
            int c = (int) idx[r];
            count[c] += 1;
            for (int j = 0; j < d; j++) {
                sum[c * d + j] += x[r * d + j];
            }
        }
        double[] cs = clusterSize.toDoubleArray();
        double[] es = embedSum.toDoubleArray();
        double total = 0;
        for (int c = 0; c < k; c++) {
            cs[c] = decay * cs[c] + (1 - decay) * count[c];
            total += cs[c];
        }
        if (total == 0) {
            throw new TensorException("vq_ema_update: total cluster size is 0 after the update (decay " + decay
                    + "), the smoothed sizes would be 0");
        }
        for (int c = 0; c < k; c++) {
            double smoothed = (cs[c] + eps) / (total + k * eps) * total;
            clusterSize.setDouble(c, cs[c]);
            for (int j = 0; j < d; j++) {
                double e = decay * es[c * d + j] + (1 - decay) * sum[c * d + j];
                embedSum.setDouble((long) c * d + j, e);
                codebook.setDouble((long) c * d + j, e / smoothed);
            }
        }
    }
}
