package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Tensor contract, fills: full, zeros and fill in every dtype, rounding once to bf16/f16, exact
 * integer fills and the overloads literals pick, values a dtype cannot hold (refused, nothing
 * written; NOTE [exact fills] in {@link Shapes}), special values, and fills through a
 * non-contiguous view. See {@link TensorContract}.
 */
abstract class TensorFillContract extends TensorContract {

    @ParameterizedTest
    @EnumSource(DType.class)
    void fullAndZeros(DType dt) {
        double value = switch (dt) {
            case I64, I32 -> -2;     // integer dtypes take integral values only
            case BOOL -> 1;          // bool takes 0 or 1
            default -> 2.75;         // 1.011b * 2: exact in every floating dtype
        };
        try (Tensor f = Tensor.full(value, dt, device(), 3, 5); Tensor z = Tensor.zeros(dt, device(), 4, 1, 3)) {
            double[] want = new double[15];
            Arrays.fill(want, value);
            assertValues(want, f, "full(" + value + ") " + dt);
            assertValues(new double[12], z, "zeros " + dt);
            assertArrayEquals(new long[] {4, 1, 3}, z.shape());
        }
    }

    @Test
    void fullRoundsOnceToTheDtype() {
        try (Tensor b = Tensor.full(1.0 / 3, DType.BF16, device(), 2); Tensor h = Tensor.full(1.0 / 3, DType.F16, device(), 2);
             Tensor n = Tensor.full(-1, DType.I32, device(), 3); Tensor m = Tensor.full(-1, DType.I64, device(), 3)) {
            assertArrayEquals(leBytes(2, 0x3eab, 0x3eab), b.toByteArray(), "bf16(1/3)");
            assertArrayEquals(leBytes(2, 0x3555, 0x3555), h.toByteArray(), "f16(1/3)");
            assertArrayEquals(new long[] {-1, -1, -1}, n.toLongArray());
            assertArrayEquals(new long[] {-1, -1, -1}, m.toLongArray());
        }
    }

    /** Integers a double cannot hold (beyond 2^53) and each integer dtype's extremes. */
    static Stream<Arguments> exactIntegerFills() {
        return Stream.of(
                Arguments.of(DType.I64, (1L << 53) + 1),
                Arguments.of(DType.I64, -(1L << 53) - 3),
                Arguments.of(DType.I64, Long.MIN_VALUE),
                Arguments.of(DType.I64, Long.MAX_VALUE),
                Arguments.of(DType.I64, 0x1234_5678_9abc_def0L),
                Arguments.of(DType.I64, -1L),
                Arguments.of(DType.I32, (long) Integer.MIN_VALUE),
                Arguments.of(DType.I32, (long) Integer.MAX_VALUE),
                Arguments.of(DType.I32, (1L << 24) + 1),
                Arguments.of(DType.BOOL, 0L),
                Arguments.of(DType.BOOL, 1L));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("exactIntegerFills")
    void integerFullAndFillAreExact(DType dt, long value) {
        long[] want = new long[333];
        Arrays.fill(want, value);
        long[] base = new long[20];
        for (int p : Layout.contiguous(4, 5).transpose(0, 1).narrow(0, 1, 3).positions()) {
            base[p] = value;
        }
        try (Tensor f = Tensor.full(value, dt, device(), 333); Tensor g = Tensor.zeros(dt, device(), 9, 37);
             Tensor t = Tensor.zeros(dt, device(), 4, 5); Tensor tr = t.transpose(0, 1); Tensor n = tr.narrow(0, 1, 3)) {
            assertArrayEquals(want, f.toLongArray(), "full(" + value + ") " + dt);
            assertSame(g, g.fill(value), "fill returns this");
            assertArrayEquals(want, g.toLongArray(), "fill(" + value + ") " + dt);
            n.fill(value);
            assertArrayEquals(base, t.toLongArray(), "fill(" + value + ") " + dt + " through transpose + narrow");
        }
    }

    /** Literal arguments: an int or long literal picks full(long, ...), a double or float literal full(double, ...). */
    @Test
    void literalArgumentsPickTheExactOverload() {
        try (Tensor l = Tensor.full(0x1234_5678_9abc_def0L, DType.I64, device(), 333);
             Tensor z = Tensor.full(0, DType.F32, device(), 2); Tensor b = Tensor.full(3, DType.BF16, device(), 2);
             Tensor h = Tensor.full(-7, DType.F16, device(), 1); Tensor d = Tensor.full(1L << 53, DType.F64, device(), 1);
             Tensor m = Tensor.full(Long.MIN_VALUE, DType.F32, device(), 1); Tensor f = Tensor.full(1.5f, DType.F32, device(), 1);
             Tensor big = Tensor.full(0x1p60, DType.I64, device(), 1)) {
            long[] want = new long[333];
            Arrays.fill(want, 0x1234_5678_9abc_def0L);
            assertArrayEquals(want, l.toLongArray(), "full(0x1234_5678_9abc_def0L, i64)");
            assertArrayEquals(leBytes(4, 0, 0), z.toByteArray(), "full(0, f32) is +0.0f");
            assertArrayEquals(leBytes(2, 0x4040, 0x4040), b.toByteArray(), "full(3, bf16)");
            assertArrayEquals(leBytes(2, 0xc700), h.toByteArray(), "full(-7, f16)");
            assertEquals(0x1p53, d.item(), "full(2^53, f64)");
            assertEquals(-0x1p63, m.item(), "full(Long.MIN_VALUE, f32) is exactly -2^63");
            assertEquals(1.5, f.item(), "full(1.5f, f32)");
            assertArrayEquals(new long[] {1L << 60}, big.toLongArray(), "full(0x1p60, i64): an integral double is exact");
        }
    }

    /** Values a dtype cannot hold exactly: a long for a floating dtype, a double for an integer dtype or bool. */
    static Stream<Arguments> unrepresentableFills() {
        return Stream.of(
                Arguments.of(DType.F64, (1L << 53) + 1, "9007199254740993"),
                Arguments.of(DType.F64, Long.MAX_VALUE, "9223372036854775807"),
                Arguments.of(DType.F32, (1L << 24) + 1, "16777217"),
                Arguments.of(DType.BF16, 257L, "257"),
                Arguments.of(DType.F16, 65505L, "65505"),
                Arguments.of(DType.F16, 65536L, "65536"),
                Arguments.of(DType.I32, 1L << 31, "2147483648"),
                Arguments.of(DType.I32, (long) Integer.MIN_VALUE - 1, "-2147483649"),
                Arguments.of(DType.BOOL, 2L, "2"),
                Arguments.of(DType.BOOL, -1L, "-1"),
                Arguments.of(DType.I64, 2.5, "2.5"),
                Arguments.of(DType.I64, Double.NaN, "NaN"),
                Arguments.of(DType.I64, Double.POSITIVE_INFINITY, "Infinity"),
                Arguments.of(DType.I64, 0x1p63, "9.223372036854776E18"),
                Arguments.of(DType.I64, -0x1p64, "-1.8446744073709552E19"),
                Arguments.of(DType.I32, -0.5, "-0.5"),
                Arguments.of(DType.I32, 0x1p31, "2.147483648E9"),
                Arguments.of(DType.I32, -0x1p31 - 1, "-2.147483649E9"),
                Arguments.of(DType.BOOL, 0.5, "0.5"),
                Arguments.of(DType.BOOL, 2.0, "2.0"),
                Arguments.of(DType.BOOL, Double.NaN, "NaN"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unrepresentableFills")
    void fillValuesTheDtypeCannotHoldAreRejected(DType dt, Number value, String shown) {
        long start = device().liveBytes();
        Executable full = value instanceof Long l ? () -> Tensor.full(l.longValue(), dt, device(), 3)
                : () -> Tensor.full(value.doubleValue(), dt, device(), 3);
        TensorException.BadAttr e = assertThrows(TensorException.BadAttr.class, full, "full(" + shown + ") " + dt);
        assertMessage(e, shown, dt.toString());
        assertEquals(start, device().liveBytes(), "a rejected full allocates nothing");
        double[] v = values(dt, 12, 9);
        try (Tensor t = make(dt, v, 3, 4); Tensor tr = t.transpose(0, 1)) {
            for (Tensor target : new Tensor[] {t, tr}) {
                Executable fill = value instanceof Long l ? () -> target.fill(l.longValue()) : () -> target.fill(value.doubleValue());
                e = assertThrows(TensorException.BadAttr.class, fill, "fill(" + shown + ") " + dt);
                assertMessage(e, shown, dt.toString());
            }
            assertValues(v, t, "a rejected fill writes nothing");
        }
    }

    /** The largest and smallest values each integer dtype holds, given as doubles (all exactly integral). */
    @Test
    void integralDoublesAtTheEdgesOfIntegerDtypes() {
        try (Tensor lo = Tensor.full(-0x1p63, DType.I64, device(), 2); Tensor i = Tensor.full(-0x1p31, DType.I32, device(), 2);
             Tensor j = Tensor.full(0x1p31 - 1, DType.I32, device(), 2); Tensor negZero = Tensor.full(-0.0, DType.I32, device(), 1);
             Tensor t = Tensor.full(1.0, DType.BOOL, device(), 2); Tensor f = Tensor.full(-0.0, DType.BOOL, device(), 1)) {
            assertArrayEquals(new long[] {Long.MIN_VALUE, Long.MIN_VALUE}, lo.toLongArray());
            assertArrayEquals(new long[] {Integer.MIN_VALUE, Integer.MIN_VALUE}, i.toLongArray());
            assertArrayEquals(new long[] {Integer.MAX_VALUE, Integer.MAX_VALUE}, j.toLongArray());
            assertArrayEquals(new long[] {0}, negZero.toLongArray());
            assertArrayEquals(new byte[] {1, 1}, t.toByteArray());
            assertArrayEquals(new byte[] {0}, f.toByteArray());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64", "BF16", "F16"})
    void fullWithSpecialValues(DType dt) {
        try (Tensor nan = Tensor.full(Double.NaN, dt, device(), 3); Tensor inf = Tensor.full(Double.NEGATIVE_INFINITY, dt, device(), 2);
             Tensor big = Tensor.full(1e6, dt, device(), 1); Tensor negZero = Tensor.full(-0.0, dt, device(), 1)) {
            for (double x : nan.toDoubleArray()) {
                assertTrue(Double.isNaN(x), dt + " NaN fill gave " + x);
            }
            assertArrayEquals(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, inf.toDoubleArray());
            // 1e6 overflows f16 (max 65504) to Inf; bf16 rounds it to 999424 (8 significant bits)
            double want = dt == DType.F16 ? Double.POSITIVE_INFINITY : dt == DType.BF16 ? 999424 : 1e6;
            assertEquals(want, big.item(), dt + " full(1e6)");
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(negZero.item()), dt + " -0.0");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fillOfANonContiguousViewChangesOnlyItsElements(DType dt) {
        double[] v = new double[20];
        Layout m = Layout.contiguous(4, 5).transpose(0, 1).narrow(0, 1, 3);
        double fillValue = dt == DType.BOOL ? 1 : -3;
        try (Tensor t = make(dt, v, 4, 5); Tensor view = t.transpose(0, 1); Tensor n = view.narrow(0, 1, 3)) {
            assertFalse(n.isContiguous());
            assertSame(n, n.fill(fillValue), "fill returns this");
            for (int p : m.positions()) {
                v[p] = fillValue;
            }
            assertValues(v, t, "fill " + dt + " through transpose + narrow");
        }
    }
}
