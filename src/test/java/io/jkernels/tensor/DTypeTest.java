package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bf16 / f16 conversions against hand-derived bit patterns, exhaustive round trips, and a
 * round-to-nearest-even reference computed in double arithmetic (independent of DType's
 * bit tricks). See NOTE [bf16/f16 rounding] in DType.
 */
class DTypeTest {

    // ---- independent references ---------------------------------------------------------------

    /** float -> f16 bits by scaling to the half's ulp in double and rounding with rint (ties to even). */
    static short refF16(float f) {
        if (Float.isNaN(f)) {
            throw new IllegalArgumentException("NaN has no unique half");
        }
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
        double a = Math.abs((double) f);
        if (Double.isInfinite(a)) {
            return (short) (sign | 0x7c00);
        }
        if (a == 0) {
            return (short) sign;
        }
        // half ulp: 2^-24 below 2^-14 (subnormals), else 2^(e - 10)
        int e = Math.max(Math.getExponent(a), -14);
        double ulp = Math.scalb(1.0, e - 10);
        double r = Math.rint(a / ulp) * ulp; // a / ulp is exact (power-of-two scaling of a 24-bit significand)
        if (r > 65504.0) {
            return (short) (sign | 0x7c00);
        }
        if (r == 0) {
            return (short) sign;
        }
        if (r < 0x1p-14) {
            return (short) (sign | (int) (r / 0x1p-24));
        }
        int re = Math.getExponent(r);
        int mant = (int) ((r / Math.scalb(1.0, re) - 1.0) * 1024);
        return (short) (sign | ((re + 15) << 10) | mant);
    }

    /** float -> bf16 bits: round to 8 significant bits (7 stored) in double, ties to even. */
    static short refBf16(float f) {
        if (Float.isNaN(f)) {
            throw new IllegalArgumentException("NaN has no unique bf16");
        }
        double a = (double) f;
        if (Double.isInfinite(a) || a == 0) {
            return (short) (Float.floatToRawIntBits(f) >>> 16);
        }
        int e = Math.max(Math.getExponent(a), -126);
        double ulp = Math.scalb(1.0, e - 7);
        double r = Math.rint(a / ulp) * ulp;
        if (Math.abs(r) >= 0x1p128) {
            return (short) (r > 0 ? 0x7f80 : 0xff80);
        }
        // r is a bf16 value, hence exactly a float whose low 16 bits are zero
        int bits = Float.floatToRawIntBits((float) r);
        assertEquals(0, bits & 0xffff, "reference produced a non-bf16 value for " + f);
        if (r == 0 && f < 0) {
            return (short) 0x8000;
        }
        return (short) (bits >>> 16);
    }

    private static String hex(short s) {
        return String.format("0x%04x", s & 0xffff);
    }

    private static void assertBits(int expected, short actual, String what) {
        assertEquals(hex((short) expected), hex(actual), what);
    }

    // ---- f16 known values ------------------------------------------------------------------------

    @ParameterizedTest(name = "f16({0}) = {1}")
    @CsvSource({
        "1.0, 0x3c00",
        "-2.0, 0xc000",
        "65504.0, 0x7bff",        // largest half
        "65519.99, 0x7bff",       // just below the overflow midpoint
        "65520.0, 0x7c00",        // midpoint to 65536 rounds to even = Inf
        "1e10, 0x7c00",
        "-1e10, 0xfc00",
        "0x1p-14, 0x0400",        // smallest normal
        "0x1p-24, 0x0001",        // smallest subnormal
        "0x1p-25, 0x0000",        // half of it: tie to even 0
        "0x1.000002p-25, 0x0001", // just above the tie
        "0x1.8p-24, 0x0002",      // 3 * 2^-25: tie between 1 and 2 -> even 2
        "0x1p-26, 0x0000",
        "-0x1p-24, 0x8001",
        "0.0, 0x0000",
        "-0.0, 0x8000",
        "1.00048828125, 0x3c00",  // 1 + 2^-11: tie -> even 1.0
        "1.00146484375, 0x3c02",  // 1 + 3 * 2^-11: tie -> even 0x3c02
        "0.333333333, 0x3555",
        "3.25, 0x4280",
    })
    void floatToF16KnownBits(String value, String bits) {
        float f = Float.parseFloat(value);
        int expected = Integer.decode(bits);
        assertBits(expected, DType.floatToF16(f), "floatToF16(" + value + ")");
    }

    @Test
    void f16InfinityAndNaN() {
        assertBits(0x7c00, DType.floatToF16(Float.POSITIVE_INFINITY), "+Inf");
        assertBits(0xfc00, DType.floatToF16(Float.NEGATIVE_INFINITY), "-Inf");
        for (int nan : new int[] {0x7fc00000, 0x7f800001, 0xffc00000, 0x7fbfffff, 0xff800001}) {
            short h = DType.floatToF16(Float.intBitsToFloat(nan));
            assertEquals(0x7c00, h & 0x7c00, "NaN " + Integer.toHexString(nan) + " -> " + hex(h) + " exponent all ones");
            assertTrue((h & 0x3ff) != 0, "NaN " + Integer.toHexString(nan) + " -> " + hex(h) + " must not become Inf");
            assertTrue(Float.isNaN(DType.f16ToFloat(h)), "NaN stays NaN");
        }
        assertTrue(Float.isNaN(DType.f16ToFloat((short) 0x7e00)));
        assertTrue(Float.isNaN(DType.f16ToFloat((short) 0xfc01)));
        assertEquals(Float.POSITIVE_INFINITY, DType.f16ToFloat((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, DType.f16ToFloat((short) 0xfc00));
    }

    @Test
    void f16ToFloatKnownValues() {
        assertEquals(1.0f, DType.f16ToFloat((short) 0x3c00));
        assertEquals(-2.0f, DType.f16ToFloat((short) 0xc000));
        assertEquals(65504.0f, DType.f16ToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, DType.f16ToFloat((short) 0x0001));
        assertEquals(1023 * 0x1p-24f, DType.f16ToFloat((short) 0x03ff));
        assertEquals(0x1p-14f, DType.f16ToFloat((short) 0x0400));
        assertEquals(0x80000000, Float.floatToRawIntBits(DType.f16ToFloat((short) 0x8000)), "-0.0 keeps its sign");
        assertEquals(0, Float.floatToRawIntBits(DType.f16ToFloat((short) 0x0000)));
        assertEquals(-0x1p-24f, DType.f16ToFloat((short) 0x8001));
    }

    @Test
    void f16RoundTripIsExactForEveryNonNaNHalf() {
        int checked = 0;
        for (int h = 0; h < 0x10000; h++) {
            boolean nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
            if (nan) {
                continue;
            }
            float f = DType.f16ToFloat((short) h);
            assertBits(h, DType.floatToF16(f), "round trip of " + hex((short) h) + " (" + f + ")");
            // the value itself, independently: sign * 2^(e-15) * (1 + m/1024), subnormal m * 2^-24
            int e = (h >>> 10) & 0x1f;
            int m = h & 0x3ff;
            double v = e == 0 ? m * 0x1p-24 : e == 31 ? Double.POSITIVE_INFINITY : Math.scalb(1 + m / 1024.0, e - 15);
            if ((h & 0x8000) != 0) {
                v = -v;
            }
            assertEquals(v, (double) f, "value of " + hex((short) h));
            checked++;
        }
        assertEquals(65536 - 2 * 1023, checked);
    }

    @Test
    void bf16RoundTripIsExactForEveryNonNaNBf16() {
        for (int h = 0; h < 0x10000; h++) {
            boolean nan = (h & 0x7f80) == 0x7f80 && (h & 0x7f) != 0;
            if (nan) {
                assertTrue(Float.isNaN(DType.bf16ToFloat((short) h)));
                continue;
            }
            float f = DType.bf16ToFloat((short) h);
            assertEquals(h << 16, Float.floatToRawIntBits(f), "bf16ToFloat of " + hex((short) h));
            assertBits(h, DType.floatToBf16(f), "round trip of " + hex((short) h));
        }
    }

    // ---- bf16 known values -----------------------------------------------------------------------

    @ParameterizedTest(name = "bf16({0}) = {1}")
    @CsvSource({
        "0x3f800000, 0x3f80", // 1.0
        "0xc0000000, 0xc000", // -2.0
        "0x3f808000, 0x3f80", // tie, even stays
        "0x3f818000, 0x3f82", // tie, odd rounds up
        "0x3f808001, 0x3f81", // above the tie
        "0x3f807fff, 0x3f80", // below the tie
        "0xbf818000, 0xbf82", // negative tie
        "0x7f7fffff, 0x7f80", // max float overflows to Inf
        "0x7f7f7fff, 0x7f7f", // largest that stays finite
        "0xff7fffff, 0xff80",
        "0x80000000, 0x8000", // -0.0
        "0x00000001, 0x0000", // float subnormal rounds to 0
        "0x00008000, 0x0000", // subnormal tie to even 0
        "0x00018000, 0x0002", // subnormal tie to even 2
        "0x3eaaaaab, 0x3eab", // 1/3
        "0x7f800000, 0x7f80", // +Inf
        "0xff800000, 0xff80", // -Inf
    })
    void floatToBf16KnownBits(String floatBits, String bits) {
        float f = Float.intBitsToFloat(Integer.parseUnsignedInt(floatBits.substring(2), 16));
        assertBits(Integer.decode(bits), DType.floatToBf16(f), "floatToBf16(" + floatBits + ")");
    }

    @Test
    void bf16NaNStaysNaN() {
        for (int nan : new int[] {0x7fc00000, 0x7f800001, 0xff800001, 0x7fff0000, 0x7f80ffff}) {
            short h = DType.floatToBf16(Float.intBitsToFloat(nan));
            assertTrue(Float.isNaN(DType.bf16ToFloat(h)), Integer.toHexString(nan) + " -> " + hex(h) + " is not NaN");
        }
    }

    // ---- against the independent reference ------------------------------------------------------

    /** Random floats biased to the half range, and every midpoint between neighbouring halves +- 1 float ulp. */
    @Test
    void floatToF16MatchesDoubleReference() {
        SplittableRandom r = new SplittableRandom(20240531);
        for (int i = 0; i < 2_000_000; i++) {
            int bits;
            if ((i & 1) == 0) {
                bits = r.nextInt();
            } else {
                // exponents 100..145 cover subnormal halves through overflow
                bits = (r.nextInt(2) << 31) | ((100 + r.nextInt(46)) << 23) | r.nextInt(1 << 23);
            }
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) {
                continue;
            }
            assertBits(refF16(f), DType.floatToF16(f), "floatToF16(" + f + " = 0x" + Integer.toHexString(bits) + ")");
        }
        for (int h = 0; h < 0x7c00; h++) {
            double lo = DType.f16ToFloat((short) h);
            double hi = h == 0x7bff ? 65536.0 : DType.f16ToFloat((short) (h + 1));
            float mid = (float) ((lo + hi) / 2); // exact: a half midpoint has at most 12 significant bits
            for (float f : new float[] {mid, Math.nextDown(mid), Math.nextUp(mid), -mid, -Math.nextUp(mid)}) {
                assertBits(refF16(f), DType.floatToF16(f), "floatToF16(" + f + ") near the midpoint above " + hex((short) h));
            }
        }
    }

    @Test
    void floatToBf16MatchesDoubleReference() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 2_000_000; i++) {
            int bits = r.nextInt();
            if ((i & 3) == 0) {
                bits = (bits & 0xffff0000) | 0x8000; // exact ties
            }
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) {
                continue;
            }
            assertBits(refBf16(f), DType.floatToBf16(f), "floatToBf16(0x" + Integer.toHexString(bits) + ")");
        }
    }

    /** Java 20+ has Float.floatToFloat16 (IEEE round to nearest even); on 17 this part skips. */
    @Test
    void floatToF16MatchesJdkFloatToFloat16() throws Throwable {
        MethodHandle jdk;
        try {
            jdk = MethodHandles.publicLookup().findStatic(Float.class, "floatToFloat16",
                    MethodType.methodType(short.class, float.class));
        } catch (NoSuchMethodException e) {
            assumeTrue(false, "Float.floatToFloat16 needs Java 20+, this is " + Runtime.version());
            return;
        }
        // every 251st float bit pattern (about 17 million), NaNs compared by class only
        for (long b = 0; b <= 0xffffffffL; b += 251) {
            float f = Float.intBitsToFloat((int) b);
            short want = (short) jdk.invokeExact(f);
            short got = DType.floatToF16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(DType.f16ToFloat(got)), "NaN 0x" + Long.toHexString(b));
            } else if (want != got) {
                assertBits(want, got, "floatToF16(0x" + Long.toHexString(b) + " = " + f + ")");
            }
        }
    }

    // ---- parse -----------------------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({
        "f32, F32", "float32, F32", "float, F32", "F32, F32",
        "f64, F64", "float64, F64", "double, F64",
        "bf16, BF16", "bfloat16, BF16", "BFloat16, BF16",
        "f16, F16", "float16, F16", "half, F16",
        "i64, I64", "int64, I64", "long, I64",
        "i32, I32", "int32, I32", "int, I32",
        "bool, BOOL", "b1, BOOL",
    })
    void parseNamesAndAliases(String name, DType expected) {
        assertEquals(expected, DType.parse(name));
    }

    @Test
    void parseRoundTripsSuffixAndToString() {
        for (DType d : DType.values()) {
            assertEquals(d, DType.parse(d.suffix()));
            assertEquals(d, DType.parse(d.toString()));
        }
    }

    @Test
    void parseUnknownNamesTheInputAndTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DType.parse("float8"));
        assertTrue(e.getMessage().contains("'float8'"), e.getMessage());
        for (String choice : new String[] {"f32", "f64", "bf16", "f16", "i64", "i32", "bool"}) {
            assertTrue(e.getMessage().contains(choice), e.getMessage() + " lists " + choice);
        }
    }

    @Test
    void sizesAndFlags() {
        assertEquals(4, DType.F32.bytes());
        assertEquals(8, DType.F64.bytes());
        assertEquals(2, DType.BF16.bytes());
        assertEquals(2, DType.F16.bytes());
        assertEquals(8, DType.I64.bytes());
        assertEquals(4, DType.I32.bytes());
        assertEquals(1, DType.BOOL.bytes());
        assertTrue(DType.BF16.isFloating() && DType.F16.isFloating() && DType.F64.isFloating());
        assertTrue(!DType.I32.isFloating() && !DType.I64.isFloating() && !DType.BOOL.isFloating());
        assertEquals("<f4", DType.F32.npyDescr());
        assertEquals("<f2", DType.F16.npyDescr());
        assertEquals("|b1", DType.BOOL.npyDescr());
        assertEquals(null, DType.BF16.npyDescr());
    }
}
