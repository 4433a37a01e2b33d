package io.jkernels.tensor;

/**
 * A plain model of a strided view over a flat array: the expected shape/strides/offset and values,
 * worked out by hand here, never taken from the code under test.
 */
record Layout(long[] shape, long[] strides, long offset) {
    static Layout contiguous(long... shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(1, shape[i]);
        }
        return new Layout(shape.clone(), st, 0);
    }

    Layout permute(int... order) {
        long[] sh = new long[order.length];
        long[] st = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            sh[i] = shape[order[i]];
            st[i] = strides[order[i]];
        }
        return new Layout(sh, st, offset);
    }

    Layout transpose(int a, int b) {
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i == a ? b : i == b ? a : i;
        }
        return permute(order);
    }

    Layout narrow(int d, long start, long len) {
        long[] sh = shape.clone();
        sh[d] = len;
        return new Layout(sh, strides.clone(), offset + start * strides[d]);
    }

    Layout select(int d, long index) {
        long[] sh = new long[shape.length - 1];
        long[] st = new long[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != d) {
                sh[j] = shape[i];
                st[j++] = strides[i];
            }
        }
        return new Layout(sh, st, offset + index * strides[d]);
    }

    long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** Flat positions of the elements, row-major. */
    int[] positions() {
        int n = (int) numel();
        int[] p = new int[n];
        long[] idx = new long[shape.length];
        for (int i = 0; i < n; i++) {
            long pos = offset;
            for (int k = 0; k < shape.length; k++) {
                pos += idx[k] * strides[k];
            }
            p[i] = (int) pos;
            for (int k = shape.length - 1; k >= 0; k--) {
                if (++idx[k] < shape[k]) {
                    break;
                }
                idx[k] = 0;
            }
        }
        return p;
    }

    double[] gather(double[] flat) {
        int[] p = positions();
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = flat[p[i]];
        }
        return out;
    }
}
