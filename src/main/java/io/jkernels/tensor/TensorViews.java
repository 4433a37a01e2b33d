package io.jkernels.tensor;

import java.util.Arrays;

/**
 * The shape, stride and offset arithmetic of views, as in PyTorch: each method validates its
 * arguments against {@code t}, computes the view's layout and returns it as a new handle on the
 * same storage ({@link Tensor#asStrided}); only {@link #reshape} of a non-contiguous tensor copies.
 * The bodies of {@link Tensor#alias}, {@link Tensor#reshape}, {@link Tensor#view(long...)},
 * {@link Tensor#narrow}, {@link Tensor#select}, {@link Tensor#transpose} and {@link Tensor#permute}.
 */
final class TensorViews {
    private TensorViews() {
    }

    /** {@code dim} counted from the end when negative, checked against {@code rank}. */
    static int wrapDim(int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IndexOutOfBoundsException("dim " + dim + " out of range for a tensor of rank " + rank);
        }
        return d;
    }

    static Tensor alias(Tensor t) {
        return t.asStrided(t.shape.clone(), t.strides.clone(), t.offset);
    }

    static Tensor reshape(Tensor t, long[] newShape) {
        t.check();
        long[] s = Shapes.inferShape(newShape, t.numel);
        if (t.isContiguous()) {
            return t.asStrided(s, Shapes.contiguousStrides(s), t.offset);
        }
        try (Tensor c = t.contiguous()) {
            return reshape(c, s);
        }
    }

    static Tensor view(Tensor t, long[] newShape) {
        t.check();
        if (!t.isContiguous()) {
            throw new TensorException.Shape("view of a non-contiguous tensor " + t.describe() + ": use reshape or contiguous()");
        }
        return reshape(t, newShape);
    }

    static Tensor narrow(Tensor t, int dim, long start, long length) {
        t.check();
        int d = wrapDim(dim, t.shape.length);
        if (start < 0 || length < 0 || start > t.shape[d] - length) {
            throw new IndexOutOfBoundsException("narrow(" + dim + ", " + start + ", " + length + ") out of range for size "
                    + t.shape[d]);
        }
        long[] s = t.shape.clone();
        s[d] = length;
        return t.asStrided(s, t.strides.clone(), t.offset + start * t.strides[d]);
    }

    static Tensor select(Tensor t, int dim, long index) {
        t.check();
        long[] shape = t.shape;
        int d = wrapDim(dim, shape.length);
        long i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IndexOutOfBoundsException("index " + index + " out of range for dim " + dim + " of size " + shape[d]);
        }
        long[] s = new long[shape.length - 1];
        long[] st = new long[shape.length - 1];
        for (int k = 0, j = 0; k < shape.length; k++) {
            if (k != d) {
                s[j] = shape[k];
                st[j++] = t.strides[k];
            }
        }
        return t.asStrided(s, st, t.offset + i * t.strides[d]);
    }

    /** The permutation that swaps {@code d0} and {@code d1}, applied by {@link #permute}. */
    static Tensor transpose(Tensor t, int d0, int d1) {
        int rank = t.shape.length;
        int[] perm = new int[rank];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        int a = wrapDim(d0, rank);
        int b = wrapDim(d1, rank);
        perm[a] = b;
        perm[b] = a;
        return permute(t, perm);
    }

    static Tensor permute(Tensor t, int[] order) {
        t.check();
        long[] shape = t.shape;
        if (order.length != shape.length) {
            throw new TensorException.Shape("permute takes " + shape.length + " dims, got " + order.length);
        }
        boolean[] seen = new boolean[order.length];
        long[] s = new long[order.length];
        long[] st = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = wrapDim(order[i], shape.length);
            if (seen[d]) {
                throw new TensorException.Shape("permute repeats dim " + order[i] + ": " + Arrays.toString(order));
            }
            seen[d] = true;
            s[i] = shape[d];
            st[i] = t.strides[d];
        }
        return t.asStrided(s, st, t.offset);
    }
}
