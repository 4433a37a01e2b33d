package io.jkernels.tensor;

import java.util.Arrays;

/** Shape and stride arithmetic (64-bit) shared by tensors and ops. */
public final class Shapes {
    private Shapes() {
    }

    /** Product of the sizes (1 for a scalar shape). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** Validates sizes (none negative, product fits a long) and returns the element count. */
    public static long checkShape(String name, long[] shape) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new TensorException.Shape(name + " " + Arrays.toString(shape) + " has a negative size");
            }
            try {
                n = Math.multiplyExact(n, s);
            } catch (ArithmeticException e) {
                throw new TensorException.Shape(name + " " + Arrays.toString(shape) + " has more than Long.MAX_VALUE elements");
            }
        }
        return n;
    }

    /** Row-major strides of a contiguous tensor of that shape. */
    public static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /** Whether {@code strides} lay {@code shape} out row-major without gaps (size-1 dims ignored). */
    public static boolean isContiguous(long[] shape, long[] strides) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 0) {
                return true;
            }
            if (shape[i] != 1) {
                if (strides[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }

    /** Resolves one -1 entry of a requested shape so the element count is {@code numel}. */
    public static long[] inferShape(long[] requested, long numel) {
        long[] s = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new TensorException.Shape("only one dimension can be -1 in " + Arrays.toString(requested));
                }
                infer = i;
            } else if (s[i] < 0) {
                throw new TensorException.Shape("invalid size " + s[i] + " in " + Arrays.toString(requested));
            } else {
                try {
                    known = Math.multiplyExact(known, s[i]);
                } catch (ArithmeticException e) {
                    throw new TensorException.Shape("shape " + Arrays.toString(requested) + " has more than Long.MAX_VALUE elements");
                }
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new TensorException.Shape("shape " + Arrays.toString(requested) + " is invalid for " + numel + " elements");
            }
            s[infer] = numel / known;
        } else if (known != numel) {
            throw new TensorException.Shape("shape " + Arrays.toString(requested) + " is invalid for " + numel + " elements");
        }
        return s;
    }

    /** The bits of {@code value} rounded to {@code dtype}, in the low bytes (for fills). */
    public static long bitPattern(DType dtype, double value) {
        return switch (dtype) {
            case F32 -> Float.floatToRawIntBits((float) value) & 0xffffffffL;
            case F64 -> Double.doubleToRawLongBits(value);
            case BF16 -> DType.floatToBf16((float) value) & 0xffffL;
            case F16 -> DType.floatToF16((float) value) & 0xffffL;
            case I64 -> (long) value;
            case I32 -> ((int) value) & 0xffffffffL;
            case BOOL -> value != 0 ? 1 : 0;
        };
    }

    /** "[2, 3]" */
    public static String str(long[] shape) {
        return Arrays.toString(shape);
    }
}
