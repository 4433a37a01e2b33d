package io.jkernels.tensor;

/**
 * Element types. Floating types are computed in float32 (bf16, f16 are converted on load and
 * rounded once on store, round to nearest even); f64 is stored as is.
 */
public enum DType {
    F32("f32", 4, true, "<f4"),
    F64("f64", 8, true, "<f8"),
    BF16("bf16", 2, true, null),
    F16("f16", 2, true, "<f2"),
    I64("i64", 8, false, "<i8"),
    I32("i32", 4, false, "<i4"),
    BOOL("bool", 1, false, "|b1");

    private final String suffix;
    private final int bytes;
    private final boolean floating;
    private final String npy;

    DType(String suffix, int bytes, boolean floating, String npy) {
        this.suffix = suffix;
        this.bytes = bytes;
        this.floating = floating;
        this.npy = npy;
    }

    /** The suffix kernels are named with: {@code gelu_fwd_f32}, {@code swiglu_bwd_bf16}. */
    public String suffix() {
        return suffix;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return floating;
    }

    /** The NumPy descr ({@code <f4}), or null where NumPy has none (bf16). */
    public String npyDescr() {
        return npy;
    }

    /** The dtype of a name as {@link #suffix()} or a common alias ("float32", "bfloat16", "int64"...). */
    public static DType parse(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        switch (n) {
            case "f32": case "float32": case "float": return F32;
            case "f64": case "float64": case "double": return F64;
            case "bf16": case "bfloat16": return BF16;
            case "f16": case "float16": case "half": return F16;
            case "i64": case "int64": case "long": return I64;
            case "i32": case "int32": case "int": return I32;
            case "bool": case "b1": return BOOL;
            default: throw new IllegalArgumentException("unknown dtype '" + name
                    + "': expected one of f32, f64, bf16, f16, i64, i32, bool");
        }
    }

    @Override
    public String toString() {
        return suffix;
    }

    // ---- conversions (see NOTE [bf16/f16 rounding]) ------------------------------------------

    /*
     * NOTE [bf16/f16 rounding]: a float is rounded to bf16/f16 with round-to-nearest-even, as
     * CUDA's __float2bfloat16 / __float2half do; NaN stays NaN (quiet), overflow goes to Inf.
     */

    /** float -> bf16 bits, round to nearest even. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float bf16ToFloat(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    /** float -> IEEE half bits, round to nearest even (as Float.floatToFloat16 of Java 20). */
    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs > 0x7f800000) {
            return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x477ff000) {
            // >= 65520 rounds to Inf (65504 is the largest half)
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {
            // subnormal half (or zero): value = m * 2^-24
            if (abs < 0x33000000) {
                // below half of the smallest subnormal 2^-25: +-0 (exactly 2^-25 ties to even 0)
                return (short) sign;
            }
            int exp = abs >>> 23;
            int mant = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - exp; // 14..24
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int midpoint = 1 << (shift - 1);
            if (rem > midpoint || (rem == midpoint && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int r = abs + 0xfff + ((abs >>> 13) & 1); // round to nearest even on the 13 dropped bits
        return (short) (sign | (((r >>> 13) - (112 << 10)) & 0x7fff));
    }

    public static float f16ToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
