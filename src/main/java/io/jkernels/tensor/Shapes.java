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

    /*
     * NOTE [exact fills]: a fill value is stored exactly or not at all. A double is rounded to a
     * floating dtype (as every float op rounds) but must be integral and in range for i64/i32, and
     * 0 or 1 for bool: truncating 2.5 or wrapping 2^31 would be silently wrong. A long is stored
     * as is in an integer dtype that holds it (bool: 0 or 1) and in a floating dtype only when the
     * dtype holds it exactly (2^53 + 1 is no f64, 257 no bf16, 65536 no f16): pass a double to
     * round it. PyTorch's fill_ likewise refuses an integer a dtype cannot hold ("value cannot be
     * converted to type int32_t without overflow"); we also refuse the inexact cases it rounds.
     */

    /**
     * The bits of {@code value} in {@code dtype}, in the low bytes (for fills): rounded to a
     * floating dtype (bf16, f16: to nearest even); an integral value in range for i64 and i32;
     * 0 or 1 for bool. See NOTE [exact fills].
     *
     * @throws TensorException.BadAttr naming the value and the dtype, where an integer dtype or
     *         bool cannot hold {@code value} exactly (non-integral, NaN, infinite, out of range)
     */
    public static long bitPattern(DType dtype, double value) {
        return switch (dtype) {
            case F32 -> Float.floatToRawIntBits((float) value) & 0xffffffffL;
            case F64 -> Double.doubleToRawLongBits(value);
            case BF16 -> DType.floatToBf16((float) value) & 0xffffL;
            case F16 -> DType.floatToF16((float) value) & 0xffffL;
            case I64, I32, BOOL -> {
                // in [-2^63, 2^63) and integral (NaN fails both): (long) value is then exact
                if (value >= -0x1p63 && value < 0x1p63 && value == Math.rint(value) && holds(dtype, (long) value)) {
                    yield integerBits(dtype, (long) value);
                }
                throw notHeld(String.valueOf(value), dtype);
            }
        };
    }

    /**
     * The bits of {@code value} in {@code dtype}, in the low bytes (for fills), exactly: as is for
     * i64, i32 (in range) and bool (0 or 1); a floating dtype only when it holds {@code value}
     * exactly. See NOTE [exact fills].
     *
     * @throws TensorException.BadAttr naming the value and the dtype, where {@code dtype} cannot
     *         hold {@code value} exactly
     */
    public static long bitPattern(DType dtype, long value) {
        if (!dtype.isFloating()) {
            if (holds(dtype, value)) {
                return integerBits(dtype, value);
            }
            throw notHeld(String.valueOf(value), dtype);
        }
        double d = value;
        // (long) d saturates at 2^63, so Long.MAX_VALUE would come back unchanged from 2^63
        if (d != 0x1p63 && (long) d == value) {
            long bits = bitPattern(dtype, d);
            if (floatingValue(dtype, bits) == d) {
                return bits;
            }
        }
        throw notHeld(String.valueOf(value), dtype);
    }

    private static boolean holds(DType dtype, long value) {
        return switch (dtype) {
            case I32 -> value == (int) value;
            case BOOL -> value == 0 || value == 1;
            default -> true;
        };
    }

    private static long integerBits(DType dtype, long value) {
        return dtype == DType.I32 ? value & 0xffffffffL : value;
    }

    /** The value of the low bits of a floating dtype, widened to double. */
    private static double floatingValue(DType dtype, long bits) {
        return switch (dtype) {
            case F32 -> Float.intBitsToFloat((int) bits);
            case F64 -> Double.longBitsToDouble(bits);
            case BF16 -> DType.bf16ToFloat((short) bits);
            case F16 -> DType.f16ToFloat((short) bits);
            default -> throw new IllegalArgumentException(dtype + " is not a floating dtype");
        };
    }

    private static TensorException.BadAttr notHeld(String value, DType dtype) {
        String why = switch (dtype) {
            case I64 -> dtype + " holds integers in [" + Long.MIN_VALUE + ", " + Long.MAX_VALUE + "]";
            case I32 -> dtype + " holds integers in [" + Integer.MIN_VALUE + ", " + Integer.MAX_VALUE + "]";
            case BOOL -> "bool takes 0 or 1";
            default -> dtype + " does not hold it exactly; pass it as a double to round it";
        };
        return new TensorException.BadAttr("fill value " + value + " does not fit " + dtype + ": " + why);
    }

    /** "[2, 3]" */
    public static String str(long[] shape) {
        return Arrays.toString(shape);
    }
}
