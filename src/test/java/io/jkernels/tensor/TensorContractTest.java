package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Tensor contract, run on every device by a subclass per device ({@link CpuTensorTest},
 * {@link EmuTensorTest} tagged "emu", {@link CudaTensorTest} tagged "gpu"): factories, views,
 * copies (the {@code copy_strided_b<N>} kernels on kernel backends), fills, host transfer,
 * lifetime and bad input.
 *
 * <p>Expected layouts and values come from {@link Layout}, a plain model of row-major views written
 * here (shape, strides, offset by hand), never from the code under test.
 */
abstract class TensorContractTest {

    /** The device under test. */
    abstract Device device();

    // ---- helpers ---------------------------------------------------------------------------------

    /** A plain model of a strided view over a flat array: the expected shape/strides/offset and values. */
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

    /** A view step applied both to a tensor and to its model. */
    record Step(String name, Function<Tensor, Tensor> tensor, UnaryOperator<Layout> model) {
        static Step permute(int... order) {
            return new Step("permute" + Arrays.toString(order), t -> t.permute(order), m -> m.permute(order));
        }

        static Step transpose(int a, int b) {
            return new Step("transpose(" + a + "," + b + ")", t -> t.transpose(a, b), m -> m.transpose(a, b));
        }

        static Step narrow(int d, long start, long len) {
            return new Step("narrow(" + d + "," + start + "," + len + ")", t -> t.narrow(d, start, len),
                    m -> m.narrow(d, start, len));
        }

        static Step select(int d, long index) {
            return new Step("select(" + d + "," + index + ")", t -> t.select(d, index), m -> m.select(d, index));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Applies the steps to {@code base}, closing the intermediate views; returns the final view. */
    static Tensor apply(Tensor base, List<Step> steps) {
        Tensor t = base.alias();
        for (Step s : steps) {
            Tensor next = s.tensor().apply(t);
            t.close();
            t = next;
        }
        return t;
    }

    static Layout apply(Layout base, List<Step> steps) {
        Layout m = base;
        for (Step s : steps) {
            m = s.model().apply(m);
        }
        return m;
    }

    /** Distinct, dtype-exact values: integers in [-100, 100] (exact in bf16/f16), bool every third. */
    static double value(DType dt, long i, int salt) {
        long v = Math.floorMod(i * 37 + salt * 11, 201) - 100;
        if (dt == DType.BOOL) {
            return Math.floorMod(i * 7 + salt, 3) == 0 ? 1 : 0;
        }
        return v;
    }

    static double[] values(DType dt, long n, int salt) {
        double[] v = new double[(int) n];
        for (int i = 0; i < n; i++) {
            v[i] = value(dt, i, salt);
        }
        return v;
    }

    /** A contiguous tensor of {@code shape} on {@code dev} holding {@code vals}, made on cpu and moved. */
    static Tensor make(DType dt, Device dev, double[] vals, long... shape) {
        try (Tensor h = Tensor.empty(dt, Device.cpu(), shape)) {
            for (int i = 0; i < vals.length; i++) {
                h.setDouble(i, vals[i]);
            }
            return h.to(dev);
        }
    }

    /** {@code host} moved to the device under test; {@code host} is closed. */
    Tensor moved(Tensor host) {
        try (host) {
            return host.to(device());
        }
    }

    Tensor make(DType dt, double[] vals, long... shape) {
        return make(dt, device(), vals, shape);
    }

    static void assertValues(double[] expected, Tensor t, String what) {
        assertArrayEquals(expected, t.toDoubleArray(), what + " on " + t.device());
    }

    static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p),
                    "message '" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    static byte[] leBytes(int elemBytes, long... raw) {
        ByteBuffer b = ByteBuffer.allocate(raw.length * elemBytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long r : raw) {
            switch (elemBytes) {
                case 1 -> b.put((byte) r);
                case 2 -> b.putShort((short) r);
                case 4 -> b.putInt((int) r);
                default -> b.putLong(r);
            }
        }
        return b.array();
    }

    // ---- factories -------------------------------------------------------------------------------

    /** 1.5, -2, 3.25 in every dtype, as bits derived by hand. */
    static Stream<Arguments> knownEncodings() {
        return Stream.of(
                Arguments.of(DType.F32, leBytes(4, 0x3fc00000L, 0xc0000000L, 0x40500000L)),
                Arguments.of(DType.F64, leBytes(8, 0x3ff8000000000000L, 0xc000000000000000L, 0x400a000000000000L)),
                Arguments.of(DType.BF16, leBytes(2, 0x3fc0, 0xc000, 0x4050)),
                Arguments.of(DType.F16, leBytes(2, 0x3e00, 0xc000, 0x4280)),
                // integers truncate toward zero: 1, -2, 3
                Arguments.of(DType.I64, leBytes(8, 1, -2, 3)),
                Arguments.of(DType.I32, leBytes(4, 1, -2, 3)),
                Arguments.of(DType.BOOL, leBytes(1, 1, 1, 1)));
    }

    @ParameterizedTest
    @MethodSource("knownEncodings")
    void valuesAreStoredWithTheDtypesBits(DType dt, byte[] expected) {
        try (Tensor t = make(dt, new double[] {1.5, -2, 3.25}, 3)) {
            assertEquals(dt, t.dtype());
            assertEquals(device(), t.device());
            assertArrayEquals(expected, t.toByteArray(), dt + " bytes");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fromBufferEachDtypeKeepsBytesThroughTheDevice(DType dt) {
        int n = 6;
        ByteBuffer raw = ByteBuffer.allocate(n * dt.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < raw.capacity(); i++) {
            raw.put(i, (byte) (dt == DType.BOOL ? i % 2 : 31 * i + 7));
        }
        byte[] expected = raw.array().clone();
        try (Tensor h = Tensor.fromBuffer(raw, dt, 2, 3); Tensor t = h.to(device()); Tensor back = t.to(Device.cpu())) {
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertArrayEquals(expected, t.toByteArray());
            assertArrayEquals(expected, back.toByteArray());
        }
        assertEquals(0, raw.position(), "the input buffer's position is unchanged");
        assertArrayEquals(expected, raw.array(), "the input buffer is unchanged");
    }

    @Test
    void typedBuffersAndArrays() {
        long[] longs = {Long.MIN_VALUE, -1, 0, (1L << 53) + 1, Long.MAX_VALUE};
        int[] ints = {Integer.MIN_VALUE, -7, 0, 1 << 24 | 1, Integer.MAX_VALUE};
        float[] floats = {-0.0f, Float.MIN_VALUE, 1e-40f, Float.MAX_VALUE, Float.NEGATIVE_INFINITY};
        double[] doubles = {-0.0, Double.MIN_VALUE, Math.PI, Double.MAX_VALUE, Double.POSITIVE_INFINITY};
        boolean[] bools = {true, false, false, true, true};
        try (Tensor l = moved(Tensor.of(longs)); Tensor i = moved(Tensor.of(ints));
             Tensor f = moved(Tensor.of(floats)); Tensor d = moved(Tensor.of(doubles));
             Tensor b = moved(Tensor.of(bools))) {
            assertArrayEquals(longs, l.toLongArray());
            assertArrayEquals(ints, i.toIntArray());
            assertArrayEquals(floats, f.toFloatArray());
            assertEquals(DType.F32, f.dtype());
            assertEquals(DType.F64, d.dtype());
            assertArrayEquals(doubles, d.toDoubleArray());
            assertEquals(0x8000000000000000L, Double.doubleToRawLongBits(d.toDoubleArray()[0]), "-0.0 keeps its sign");
            assertArrayEquals(bools, b.toBooleanArray());
            assertArrayEquals(new long[] {1, 0, 0, 1, 1}, b.toLongArray());
            assertArrayEquals(new byte[] {1, 0, 0, 1, 1}, b.toByteArray());
            assertEquals(DType.I64, l.dtype());
            assertEquals(DType.I32, i.dtype());
            assertEquals(DType.BOOL, b.dtype());
        }
    }

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

    @Test
    void randomTensorsAreSeededAndDeviceIndependent() {
        try (Tensor a = Tensor.randn(42, DType.F32, device(), 40, 25); Tensor b = Tensor.randn(42, DType.F32, device(), 40, 25);
             Tensor c = Tensor.randn(43, DType.F32, device(), 40, 25);
             Tensor onCpu = Tensor.randn(42, DType.F32, Device.cpu(), 40, 25);
             Tensor u = Tensor.rand(42, DType.F64, device(), 1000)) {
            float[] va = a.toFloatArray();
            assertArrayEquals(va, b.toFloatArray(), "same seed, same values");
            assertArrayEquals(va, onCpu.toFloatArray(), "same values on cpu and " + device());
            assertFalse(Arrays.equals(va, c.toFloatArray()), "another seed, other values");
            double mean = 0;
            double sq = 0;
            for (float v : va) {
                mean += v;
                sq += v * v;
            }
            mean /= va.length;
            double std = Math.sqrt(sq / va.length - mean * mean);
            // 1000 standard normal samples: the mean's std is 0.032, the std's about 0.022
            assertEquals(0, mean, 0.15, "randn mean");
            assertEquals(1, std, 0.1, "randn std");
            double[] vu = u.toDoubleArray();
            double umean = 0;
            for (double v : vu) {
                assertTrue(v >= 0 && v < 1, "rand in [0, 1): " + v);
                umean += v;
            }
            assertEquals(0.5, umean / vu.length, 0.05, "rand mean");
        }
        TensorException.DTypeMismatch e = assertThrows(TensorException.DTypeMismatch.class,
                () -> Tensor.randn(1, DType.I32, device(), 3));
        assertMessage(e, "i32");
    }

    @Test
    void randnInHalfPrecisionMatchesCpuBits() {
        for (DType dt : new DType[] {DType.BF16, DType.F16}) {
            try (Tensor a = Tensor.randn(9, dt, device(), 7, 13); Tensor c = Tensor.randn(9, dt, Device.cpu(), 7, 13)) {
                assertArrayEquals(c.toByteArray(), a.toByteArray(), dt.toString());
            }
        }
    }

    // ---- shape and layout ------------------------------------------------------------------------

    @Test
    void shapeStridesNumelDimSize() {
        try (Tensor t = Tensor.zeros(DType.F32, device(), 2, 3, 4); Tensor s = Tensor.full(5, DType.F32, device())) {
            assertArrayEquals(new long[] {2, 3, 4}, t.shape());
            assertArrayEquals(new long[] {12, 4, 1}, t.strides());
            assertEquals(0, t.offset());
            assertEquals(24, t.numel());
            assertEquals(3, t.dim());
            assertEquals(4, t.size(-1));
            assertEquals(2, t.size(-3));
            assertEquals(3, t.size(1));
            assertTrue(t.isContiguous());
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.size(3));
            assertMessage(e, "3", "rank 3");
            assertThrows(IndexOutOfBoundsException.class, () -> t.size(-4));
            t.shape()[0] = 99;
            t.strides()[0] = 99;
            assertArrayEquals(new long[] {2, 3, 4}, t.shape(), "shape() returns a copy");
            assertArrayEquals(new long[] {12, 4, 1}, t.strides(), "strides() returns a copy");
            assertEquals(0, s.dim());
            assertEquals(1, s.numel());
            assertEquals(5.0, s.item());
        }
    }

    static Stream<long[]> zeroSizeShapes() {
        return Stream.of(new long[] {0}, new long[] {2, 0, 3}, new long[] {0, 5});
    }

    @ParameterizedTest
    @MethodSource("zeroSizeShapes")
    void zeroSizeTensorsWork(long[] shape) {
        long start = device().liveBytes();
        try (Tensor t = Tensor.zeros(DType.F32, device(), shape); Tensor u = Tensor.empty(DType.F32, device(), shape)) {
            assertEquals(0, t.numel());
            assertArrayEquals(shape, t.shape());
            assertEquals(0, t.toFloatArray().length);
            assertEquals(0, t.toByteArray().length);
            t.fill(3);
            u.copyFrom(t);
            try (Tensor c = t.contiguous(); Tensor h = t.to(Device.cpu()); Tensor back = h.to(device());
                 Tensor f = t.reshape(-1); Tensor tr = t.transpose(0, -1); Tensor trc = tr.contiguous()) {
                assertEquals(0, c.numel());
                assertArrayEquals(shape, back.shape());
                assertArrayEquals(new long[] {0}, f.shape());
                assertEquals(0, trc.numel());
                tr.fill(1);
            }
        }
        assertEquals(start, device().liveBytes());
    }

    @Test
    void zeroSizeStridesFollowPyTorch() {
        // torch.empty(2, 0, 3).stride() == (3, 3, 1)
        try (Tensor t = Tensor.empty(DType.F32, device(), 2, 0, 3)) {
            assertArrayEquals(new long[] {3, 3, 1}, t.strides());
            assertTrue(t.isContiguous());
        }
    }

    // ---- views -----------------------------------------------------------------------------------

    @Test
    void reshapeInfersMinusOneAndShares() {
        double[] v = values(DType.F32, 24, 0);
        try (Tensor t = make(DType.F32, v, 4, 6); Tensor r = t.reshape(-1, 3); Tensor r2 = t.reshape(2, -1, 4);
             Tensor fl = t.flatten(); Tensor vw = t.view(3, 8)) {
            assertArrayEquals(new long[] {8, 3}, r.shape());
            assertArrayEquals(new long[] {3, 1}, r.strides());
            assertArrayEquals(new long[] {2, 3, 4}, r2.shape());
            assertArrayEquals(new long[] {24}, fl.shape());
            assertArrayEquals(new long[] {3, 8}, vw.shape());
            assertValues(v, r, "reshape");
            try (Tensor row = r.narrow(0, 2, 1)) {
                row.fill(500);
            }
            for (int i = 6; i < 9; i++) {
                v[i] = 500;
            }
            assertValues(v, t, "write through reshape(-1, 3).narrow(0, 2, 1)");
            assertValues(v, vw, "another view sees it too");
        }
    }

    @Test
    void reshapeOfNarrowedContiguousViewKeepsOffset() {
        double[] v = values(DType.F32, 30, 1);
        try (Tensor t = make(DType.F32, v, 5, 6); Tensor n = t.narrow(0, 2, 2); Tensor r = n.reshape(3, 4)) {
            assertEquals(12, r.offset());
            assertValues(Arrays.copyOfRange(v, 12, 24), r, "reshape of rows 2..3");
        }
    }

    @Test
    void reshapeOfNonContiguousCopies() {
        double[] v = values(DType.F32, 12, 2);
        Layout m = Layout.contiguous(3, 4).transpose(0, 1);
        try (Tensor t = make(DType.F32, v, 3, 4); Tensor tr = t.transpose(0, 1); Tensor r = tr.reshape(-1)) {
            assertValues(m.gather(v), r, "reshape of a transpose");
            r.fill(0);
            assertValues(v, t, "a reshape that had to copy does not write the base");
        }
    }

    @Test
    void viewOfNonContiguousThrows() {
        try (Tensor t = Tensor.zeros(DType.F32, device(), 3, 4); Tensor tr = t.transpose(0, 1)) {
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> tr.view(12));
            assertMessage(e, "non-contiguous", "[4, 3]");
        }
    }

    static Stream<Arguments> viewCases() {
        return Stream.of(
                Arguments.of(new long[] {4, 6}, List.of(Step.narrow(1, 2, 3))),
                Arguments.of(new long[] {4, 6}, List.of(Step.narrow(0, 1, 2))),
                Arguments.of(new long[] {4, 6}, List.of(Step.select(1, 2))),
                Arguments.of(new long[] {4, 6}, List.of(Step.select(0, 3))),
                Arguments.of(new long[] {4, 6}, List.of(Step.transpose(0, 1))),
                Arguments.of(new long[] {2, 3, 4}, List.of(Step.permute(2, 0, 1))),
                Arguments.of(new long[] {2, 3, 4}, List.of(Step.permute(1, 2, 0), Step.narrow(2, 1, 1), Step.select(0, 2))),
                Arguments.of(new long[] {5, 3, 7}, List.of(Step.select(1, 1), Step.transpose(0, 1), Step.narrow(1, 1, 3))));
    }

    @ParameterizedTest
    @MethodSource("viewCases")
    void viewsMatchTheModelAndShareMemory(long[] shape, List<Step> steps) {
        Layout base = Layout.contiguous(shape);
        Layout m = apply(base, steps);
        double[] v = values(DType.F32, base.numel(), 3);
        try (Tensor t = make(DType.F32, v, shape); Tensor view = apply(t, steps)) {
            assertArrayEquals(m.shape(), view.shape(), "shape of " + steps);
            assertArrayEquals(m.strides(), view.strides(), "strides of " + steps);
            assertEquals(m.offset(), view.offset(), "offset of " + steps);
            assertValues(m.gather(v), view, "values of " + steps);
            try (Tensor c = view.contiguous()) {
                assertTrue(c.isContiguous());
                assertValues(m.gather(v), c, "contiguous() of " + steps);
            }
            view.fill(-77);
            for (int p : m.positions()) {
                v[p] = -77;
            }
            assertValues(v, t, "base after fill through " + steps);
        }
    }

    @Test
    void negativeDimsAndIndices() {
        double[] v = values(DType.F32, 12, 4);
        try (Tensor t = make(DType.F32, v, 3, 4); Tensor last = t.select(0, -1); Tensor col = t.select(-1, -2);
             Tensor tr = t.transpose(-1, -2); Tensor sl = t.slice(-1, 1, 3)) {
            assertValues(Arrays.copyOfRange(v, 8, 12), last, "select(0, -1)");
            assertValues(new double[] {v[2], v[6], v[10]}, col, "select(-1, -2)");
            assertArrayEquals(new long[] {4, 3}, tr.shape());
            assertValues(Layout.contiguous(3, 4).narrow(1, 1, 2).gather(v), sl, "slice(-1, 1, 3)");
        }
    }

    @Test
    void contiguousOfContiguousIsAnAliasAndCopyIsNot() {
        double[] v = values(DType.F32, 6, 5);
        try (Tensor t = make(DType.F32, v, 2, 3); Tensor a = t.contiguous(); Tensor c = t.copy(); Tensor to = t.to(device())) {
            a.fill(1);
            double[] ones = new double[6];
            Arrays.fill(ones, 1);
            assertValues(ones, t, "contiguous() of a contiguous tensor aliases");
            assertValues(ones, to, "to(same device) aliases");
            assertValues(v, c, "copy() is new memory");
        }
    }

    // ---- copies ----------------------------------------------------------------------------------

    /** (srcBase, srcSteps, dstBase, dstSteps) with equal final shapes: ranks 1..4, odd strides, offsets. */
    static List<Arguments> stridedCopyCases() {
        List<Arguments> cases = new ArrayList<>();
        // rank 1: a column (stride 5, offset 2) into another column (stride 3, offset 2)
        cases.add(Arguments.of("rank1", new long[] {7, 5}, List.of(Step.select(1, 2)), new long[] {7, 3}, List.of(Step.select(1, 2))));
        // rank 2: transposed + narrowed into a narrowed row-major view
        cases.add(Arguments.of("rank2", new long[] {6, 9}, List.of(Step.transpose(0, 1), Step.narrow(0, 2, 5)),
                new long[] {5, 8}, List.of(Step.narrow(1, 1, 6))));
        // rank 3: permuted + narrowed into a transposed view
        cases.add(Arguments.of("rank3", new long[] {4, 5, 6}, List.of(Step.permute(2, 0, 1), Step.narrow(2, 1, 3)),
                new long[] {4, 6, 3}, List.of(Step.transpose(0, 1))));
        // rank 4: permuted + narrowed into transposed + narrowed
        cases.add(Arguments.of("rank4", new long[] {2, 3, 4, 5}, List.of(Step.permute(3, 1, 0, 2), Step.narrow(0, 1, 3)),
                new long[] {3, 2, 3, 6}, List.of(Step.transpose(1, 2), Step.narrow(3, 2, 4))));
        // odd stride 21 with an element offset (select), into a contiguous view at offset 10
        cases.add(Arguments.of("oddStride", new long[] {5, 3, 7}, List.of(Step.select(1, 1), Step.transpose(0, 1)),
                new long[] {9, 5}, List.of(Step.narrow(0, 2, 7))));
        // contiguous into contiguous, both at offsets (the plain copy path)
        cases.add(Arguments.of("offsets", new long[] {4, 5}, List.of(Step.narrow(0, 1, 2)),
                new long[] {6, 5}, List.of(Step.narrow(0, 3, 2))));
        // size-1 dims with strides that do not matter, plus a non-contiguous inner dim
        cases.add(Arguments.of("size1", new long[] {3, 1, 8}, List.of(Step.narrow(2, 3, 5), Step.permute(1, 0, 2)),
                new long[] {1, 5, 3}, List.of(Step.transpose(1, 2))));
        return cases;
    }

    static Stream<Arguments> stridedCopyCasesByDtype() {
        // every dtype: element sizes 1, 2, 4, 8 (copy_strided_b1..b8 on kernel backends)
        return Stream.of(DType.values()).flatMap(dt -> stridedCopyCases().stream().map(a -> {
            Object[] o = a.get();
            return Arguments.of(dt, o[0], o[1], o[2], o[3], o[4]);
        }));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stridedCopyCasesByDtype")
    void copyFromBetweenViews(DType dt, String name, long[] srcShape, List<Step> srcSteps, long[] dstShape, List<Step> dstSteps) {
        Layout sm = apply(Layout.contiguous(srcShape), srcSteps);
        Layout dm = apply(Layout.contiguous(dstShape), dstSteps);
        assertArrayEquals(sm.shape(), dm.shape(), "test case shapes agree");
        double[] sv = values(dt, Layout.contiguous(srcShape).numel(), 1);
        double[] dv = values(dt, Layout.contiguous(dstShape).numel(), 2);
        if (dt != DType.BOOL) {
            Arrays.fill(dv, 123); // a sentinel no source element has
        }
        double[] srcBefore = sv.clone();
        try (Tensor src = make(dt, sv, srcShape); Tensor dst = make(dt, dv, dstShape);
             Tensor s = apply(src, srcSteps); Tensor d = apply(dst, dstSteps)) {
            d.copyFrom(s);
            double[] expected = dv.clone();
            double[] moved = sm.gather(sv);
            int[] pos = dm.positions();
            for (int i = 0; i < pos.length; i++) {
                expected[pos[i]] = moved[i];
            }
            assertValues(expected, dst, name + " " + dt + ": destination base (only the view's elements change)");
            assertValues(moved, d, name + " " + dt + ": destination view");
            assertValues(srcBefore, src, name + " " + dt + ": source unchanged");
        }
    }

    /** A non-contiguous cpu view into a non-contiguous view here, and back (staged through contiguous images). */
    @ParameterizedTest
    @EnumSource(DType.class)
    void copyFromAcrossDevicesBetweenViews(DType dt) {
        Layout hm = Layout.contiguous(4, 6).transpose(0, 1).narrow(0, 1, 4);     // (4, 4) on cpu
        Layout dm = Layout.contiguous(5, 4, 3).select(2, 1).narrow(0, 1, 4);    // (4, 4) here, stride 12 and 3
        double[] hv = values(dt, 24, 4);
        double[] dv = values(dt, 60, 5);
        try (Tensor host = make(dt, Device.cpu(), hv, 4, 6); Tensor here = make(dt, dv, 5, 4, 3);
             Tensor hView = apply(host, List.of(Step.transpose(0, 1), Step.narrow(0, 1, 4)));
             Tensor dView = apply(here, List.of(Step.select(2, 1), Step.narrow(0, 1, 4)))) {
            dView.copyFrom(hView);
            double[] expected = dv.clone();
            double[] moved = hm.gather(hv);
            int[] pos = dm.positions();
            for (int i = 0; i < pos.length; i++) {
                expected[pos[i]] = moved[i];
            }
            assertValues(expected, here, dt + " cpu view -> " + device() + " view");

            double[] back = hv.clone();
            try (Tensor src = apply(here, List.of(Step.select(2, 2), Step.narrow(0, 0, 4), Step.transpose(0, 1)))) {
                Layout sm = Layout.contiguous(5, 4, 3).select(2, 2).narrow(0, 0, 4).transpose(0, 1);
                hView.copyFrom(src);
                double[] got = sm.gather(expected);
                int[] hp = hm.positions();
                for (int i = 0; i < hp.length; i++) {
                    back[hp[i]] = got[i];
                }
            }
            assertValues(back, host, dt + " " + device() + " view -> cpu view");
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

    @ParameterizedTest
    @EnumSource(DType.class)
    void copyKeepsEveryBitPattern(DType dt) {
        // all 256 byte values in every lane: NaN payloads, subnormals, -0 survive copies bit for bit
        int n = 256;
        ByteBuffer raw = ByteBuffer.allocate(n * dt.bytes());
        for (int i = 0; i < raw.capacity(); i++) {
            raw.put(i, (byte) (i / dt.bytes() + 17 * (i % dt.bytes())));
        }
        byte[] bits = raw.array().clone();
        try (Tensor h = Tensor.fromBuffer(raw, dt, 16, 16); Tensor t = h.to(device()); Tensor tr = t.transpose(0, 1);
             Tensor c = tr.contiguous(); Tensor back = c.transpose(0, 1); Tensor c2 = back.contiguous()) {
            assertArrayEquals(bits, t.toByteArray(), dt + " to " + device());
            assertArrayEquals(bits, c2.toByteArray(), dt + " transposed twice through contiguous()");
        }
    }

    /** Two non-overlapping views of one allocation: column 0 of a transpose into column 2. */
    @Test
    void copyFromBetweenViewsOfOneAllocation() {
        double[] v = values(DType.F64, 15, 6);
        try (Tensor t = make(DType.F64, v, 3, 5); Tensor tr = t.transpose(0, 1); Tensor from = tr.select(0, 0);
             Tensor to = tr.select(0, 2)) {
            to.copyFrom(from);
            for (int r = 0; r < 3; r++) {
                v[r * 5 + 2] = v[r * 5];
            }
            assertValues(v, t, "column 0 copied onto column 2");
        }
    }

    /** (shape, srcSteps, dstSteps): two views of one allocation that share elements. */
    static List<Arguments> overlappingCopyCases() {
        List<Arguments> cases = new ArrayList<>();
        // contiguous, shifted up by 3 and down by 3 (a plain device copy over overlapping ranges)
        cases.add(Arguments.of("shiftUp", new long[] {11}, List.of(Step.narrow(0, 0, 8)), List.of(Step.narrow(0, 3, 8))));
        cases.add(Arguments.of("shiftDown", new long[] {11}, List.of(Step.narrow(0, 3, 8)), List.of(Step.narrow(0, 0, 8))));
        // a square onto its own transpose: every off-diagonal element is read and written
        cases.add(Arguments.of("transpose", new long[] {6, 6}, List.of(Step.transpose(0, 1)), List.of()));
        // a transposed 4 x 4 block onto the block one row and one column further
        cases.add(Arguments.of("transposedShift", new long[] {5, 5},
                List.of(Step.narrow(0, 0, 4), Step.narrow(1, 0, 4), Step.transpose(0, 1)),
                List.of(Step.narrow(0, 1, 4), Step.narrow(1, 1, 4))));
        // rank 3: permuted planes 0..2 onto permuted planes 1..3
        cases.add(Arguments.of("permutedPlanes", new long[] {4, 3, 5},
                List.of(Step.narrow(0, 0, 3), Step.permute(2, 0, 1)), List.of(Step.narrow(0, 1, 3), Step.permute(2, 0, 1))));
        return cases;
    }

    static Stream<Arguments> overlappingCopyCasesByDtype() {
        return Stream.of(DType.values()).flatMap(dt -> overlappingCopyCases().stream().map(a -> {
            Object[] o = a.get();
            return Arguments.of(dt, o[0], o[1], o[2], o[3]);
        }));
    }

    /** Overlapping views copy as if the source were read completely before anything is written. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlappingCopyCasesByDtype")
    void copyFromBetweenOverlappingViewsReadsTheSourceFirst(DType dt, String name, long[] shape, List<Step> srcSteps,
                                                            List<Step> dstSteps) {
        Layout base = Layout.contiguous(shape);
        Layout sm = apply(base, srcSteps);
        Layout dm = apply(base, dstSteps);
        double[] v = values(dt, base.numel(), 8);
        long start = device().liveBytes();
        try (Tensor t = make(dt, v, shape); Tensor s = apply(t, srcSteps); Tensor d = apply(t, dstSteps)) {
            assertTrue(d.overlaps(s), name + ": the views overlap");
            d.copyFrom(s);
            double[] expected = v.clone();
            double[] moved = sm.gather(v);
            int[] pos = dm.positions();
            for (int i = 0; i < pos.length; i++) {
                expected[pos[i]] = moved[i];
            }
            assertValues(expected, t, name + " " + dt);
        }
        assertEquals(start, device().liveBytes(), "no temporary left behind");
    }

    /** A view copied onto itself (the same handle, an alias, an equal view) changes nothing. */
    @Test
    void copyFromTheSameViewIsANoOp() {
        double[] v = values(DType.F32, 12, 9);
        try (Tensor t = make(DType.F32, v, 3, 4); Tensor a = t.alias(); Tensor tr = t.transpose(0, 1);
             Tensor tr2 = t.transpose(0, 1); Tensor n = tr.narrow(0, 1, 2); Tensor n2 = tr2.narrow(0, 1, 2)) {
            t.copyFrom(t);
            t.copyFrom(a);
            tr.copyFrom(tr2);
            n.copyFrom(n2);
            assertValues(v, t, "copies of views onto themselves");
        }
    }

    /** Even and odd elements: the views interleave over one memory range but share no element. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void copyFromBetweenInterleavedViewsOfOneAllocation(DType dt) {
        double[] v = values(dt, 14, 10);
        try (Tensor t = make(dt, v, 7, 2); Tensor even = t.select(1, 0); Tensor odd = t.select(1, 1)) {
            odd.copyFrom(even);
            double[] expected = v.clone();
            for (int i = 0; i < 7; i++) {
                expected[2 * i + 1] = v[2 * i];
            }
            assertValues(expected, t, dt + " even elements onto odd ones");
            even.copyFrom(odd);
            assertValues(expected, t, dt + " and back");
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

    @Test
    void concurrentClosesReleaseEachHandleOnce() throws InterruptedException {
        long start = device().liveBytes();
        List<Tensor> handles = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Tensor t = Tensor.zeros(DType.I32, device(), 4);
            handles.add(t);
            handles.add(t.alias());
        }
        Runnable closeAll = () -> handles.forEach(Tensor::close);
        Thread a = new Thread(closeAll);
        Thread b = new Thread(closeAll);
        a.start();
        b.start();
        closeAll.run();
        a.join();
        b.join();
        assertEquals(start, device().liveBytes(), "each allocation freed exactly once");
    }

    @Test
    void toByteArrayOfANonContiguousView() {
        double[] v = values(DType.I32, 12, 7);
        try (Tensor t = make(DType.I32, v, 3, 4); Tensor tr = t.transpose(0, 1); Tensor n = tr.narrow(0, 1, 2)) {
            double[] want = Layout.contiguous(3, 4).transpose(0, 1).narrow(0, 1, 2).gather(v);
            long[] raw = new long[want.length];
            for (int i = 0; i < want.length; i++) {
                raw[i] = (long) want[i];
            }
            assertArrayEquals(leBytes(4, raw), n.toByteArray());
        }
    }

    @Test
    void itemReadsTheSingleElement() {
        try (Tensor a = Tensor.full(3.5, DType.F32, device(), 1, 1); Tensor b = Tensor.full(1, DType.BOOL, device());
             Tensor c = make(DType.I64, new double[] {4, 5, 6}, 3); Tensor sel = c.select(0, 2);
             Tensor h = Tensor.full(-0.5, DType.F16, device(), 1)) {
            assertEquals(3.5, a.item());
            assertEquals(1.0, b.item());
            assertEquals(6.0, sel.item());
            assertEquals(-0.5, h.item());
            TensorException.Shape e = assertThrows(TensorException.Shape.class, c::item);
            assertMessage(e, "3");
        }
    }

    // ---- lifetime --------------------------------------------------------------------------------

    @Test
    void closeIsIdempotentAndFreesOnce() {
        long start = device().liveBytes();
        Tensor t = Tensor.zeros(DType.F32, device(), 3, 5);
        assertEquals(start + 60, device().liveBytes(), "3 x 5 f32 = 60 bytes");
        Tensor v = t.transpose(0, 1);
        assertEquals(start + 60, device().liveBytes(), "a view allocates nothing");
        t.close();
        t.close();
        assertTrue(t.isClosed());
        assertEquals(start + 60, device().liveBytes(), "the view still holds the memory");
        assertValues(new double[15], v, "a view stays valid after its base is closed");
        v.close();
        v.close();
        assertEquals(start, device().liveBytes());
        assertTrue(t.toString().contains("closed"), t.toString());
    }

    @Test
    void baseStaysValidAfterItsViewIsClosed() {
        long start = device().liveBytes();
        double[] v = values(DType.I32, 6, 0);
        try (Tensor t = make(DType.I32, v, 2, 3)) {
            Tensor view = t.select(0, 1);
            view.close();
            assertValues(v, t, "base after its view closed");
            try (Tensor again = t.narrow(1, 1, 2)) {
                assertValues(new double[] {v[1], v[2], v[4], v[5]}, again, "new view of the base");
            }
        }
        assertEquals(start, device().liveBytes());
    }

    @Test
    void useAfterCloseIsIllegalState() {
        Tensor other = Tensor.zeros(DType.F32, device(), 2, 3);
        Tensor t = Tensor.zeros(DType.F32, device(), 2, 3);
        t.close();
        List<Executable> uses = List.of(
                t::dataAddress, () -> t.reshape(6), () -> t.view(6), () -> t.narrow(0, 0, 1), () -> t.select(0, 0),
                () -> t.transpose(0, 1), () -> t.permute(1, 0), t::alias, t::contiguous, t::copy,
                () -> t.to(Device.cpu()), () -> t.to(device()), t::toFloatArray, t::toDoubleArray, t::toLongArray,
                t::toBooleanArray, t::toByteArray, t::toIntArray, () -> t.fill(1), t::item, () -> t.copyFrom(other),
                () -> other.copyFrom(t), t::flatten);
        for (int i = 0; i < uses.size(); i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, uses.get(i), "use #" + i + " after close");
            assertMessage(e, "closed");
        }
        // metadata stays readable
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertEquals(6, t.numel());
        assertValues(new double[6], other, "a failed copy into a closed tensor leaves the source alone");
        other.close();
    }

    @Test
    void liveBytesReturnToStartAfterClosingEverything() {
        long start = device().liveBytes();
        List<Tensor> all = new ArrayList<>();
        long expected = 0;
        for (DType dt : DType.values()) {
            Tensor t = Tensor.zeros(dt, device(), 3, 7);
            expected += 21L * dt.bytes();
            Tensor tr = t.transpose(0, 1);
            all.add(t);
            all.add(tr);
            all.add(t.narrow(1, 2, 3));
            all.add(tr.contiguous()); // a copy: new memory
            expected += 21L * dt.bytes();
            all.add(t.to(Device.cpu())); // counted on cpu (an alias when this is cpu)
        }
        assertEquals(start + expected, device().liveBytes());
        for (Tensor t : all) {
            t.close();
        }
        assertEquals(start, device().liveBytes());
    }

    /** Allocates and drops a tensor without closing it. */
    private static void leak(Device d, long bytes) {
        Tensor.empty(DType.BOOL, d, bytes);
    }

    @Test
    void aLeakedTensorIsFreedByTheCleaner() throws InterruptedException {
        long bytes = (1 << 20) + 13;
        long start = device().liveBytes();
        leak(device(), bytes);
        assertTrue(device().liveBytes() >= start + bytes, "the leaked tensor is counted while reachable by nobody");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (device().liveBytes() > start && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(device().liveBytes() <= start, "the Cleaner freed the leaked tensor within 10 s: live "
                + device().liveBytes() + ", started at " + start);
    }

    // ---- bad input -------------------------------------------------------------------------------

    @Test
    void negativeSizesAreRejected() {
        long start = device().liveBytes();
        TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> Tensor.empty(DType.F32, device(), 2, -3));
        assertMessage(e, "shape", "[2, -3]", "negative");
        assertThrows(TensorException.Shape.class, () -> Tensor.zeros(DType.I64, device(), -1));
        assertThrows(TensorException.Shape.class, () -> Tensor.full(1, DType.BOOL, device(), 4, -1));
        assertEquals(start, device().liveBytes(), "nothing allocated");
    }

    @Test
    void shapeOverflowIsATypedShapeError() {
        // 2^40 * 2^40 elements overflow a long: a TensorException.Shape naming the shape, not an ArithmeticException
        TensorException.Shape e = assertThrows(TensorException.Shape.class,
                () -> Tensor.empty(DType.F32, device(), 1L << 40, 1L << 40));
        assertMessage(e, String.valueOf(1L << 40));
        // 2^61 f64 elements are 2^64 bytes
        assertThrows(TensorException.Shape.class, () -> Tensor.empty(DType.F64, device(), 1L << 61));
    }

    @Test
    void reshapeToAnIncompatibleShape() {
        double[] v = values(DType.F32, 6, 0);
        try (Tensor t = make(DType.F32, v, 2, 3)) {
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> t.reshape(4, 2));
            assertMessage(e, "[4, 2]", "6");
            e = assertThrows(TensorException.Shape.class, () -> t.reshape(-1, 4));
            assertMessage(e, "[-1, 4]", "6");
            e = assertThrows(TensorException.Shape.class, () -> t.reshape(-1, -1));
            assertMessage(e, "-1");
            e = assertThrows(TensorException.Shape.class, () -> t.reshape(3, -2));
            assertMessage(e, "-2");
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertValues(v, t, "unchanged");
        }
    }

    @Test
    void narrowAndSelectOutOfRange() {
        double[] v = values(DType.F32, 12, 0);
        try (Tensor t = make(DType.F32, v, 2, 6)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 4, 3));
            assertMessage(e, "4", "3", "size 6");
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, -1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 1, Long.MAX_VALUE));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(2, 0, 1));
            e = assertThrows(IndexOutOfBoundsException.class, () -> t.select(0, 2));
            assertMessage(e, "index 2", "size 2");
            e = assertThrows(IndexOutOfBoundsException.class, () -> t.select(1, -7));
            assertMessage(e, "-7", "size 6");
            assertThrows(IndexOutOfBoundsException.class, () -> t.slice(1, 3, 7));
            e = assertThrows(IndexOutOfBoundsException.class, () -> t.transpose(0, 2));
            assertMessage(e, "2", "rank 2");
            assertValues(v, t, "unchanged");
        }
    }

    @Test
    void permuteRejectsRepeatsAndWrongLength() {
        try (Tensor t = Tensor.zeros(DType.F32, device(), 2, 3, 4)) {
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> t.permute(0, 0, 1));
            assertMessage(e, "[0, 0, 1]", "repeats");
            e = assertThrows(TensorException.Shape.class, () -> t.permute(1, 0));
            assertMessage(e, "3", "2");
            assertThrows(TensorException.Shape.class, () -> t.permute(0, 1, -1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> t.permute(0, 1, 3));
            assertThrows(TensorException.Shape.class, () -> t.permute(2, -1, 1), "-1 and 2 are the same dim");
        }
    }

    @Test
    void copyFromWithMismatchedShapeOrDtype() {
        double[] v = values(DType.F32, 6, 0);
        try (Tensor dst = make(DType.F32, v, 2, 3); Tensor wrongShape = Tensor.zeros(DType.F32, device(), 3, 2);
             Tensor wrongType = Tensor.zeros(DType.F64, device(), 2, 3);
             Tensor cpuWrong = Tensor.zeros(DType.F32, Device.cpu(), 6)) {
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> dst.copyFrom(wrongShape));
            assertMessage(e, "[3, 2]", "[2, 3]");
            TensorException.DTypeMismatch d = assertThrows(TensorException.DTypeMismatch.class, () -> dst.copyFrom(wrongType));
            assertMessage(d, "f64", "f32");
            assertThrows(TensorException.Shape.class, () -> dst.copyFrom(cpuWrong));
            assertValues(v, dst, "destination unchanged");
        }
    }

    @Test
    void elementAccessNeedsACpuTensorOrAValidIndex() {
        try (Tensor t = Tensor.zeros(DType.F32, device(), 2, 3)) {
            if (device().isCpu()) {
                IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.getDouble(6));
                assertMessage(e, "6");
                assertThrows(IndexOutOfBoundsException.class, () -> t.setDouble(-1, 0));
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.getDouble(0));
                assertMessage(e, device().toString(), "cpu");
            }
        }
    }

    @Test
    void toStringNamesDtypeShapeAndDevice() {
        try (Tensor t = Tensor.zeros(DType.BF16, device(), 2, 3)) {
            String s = t.toString();
            assertTrue(s.contains("bf16") && s.contains("[2, 3]") && s.contains(device().toString()), s);
            assertNotEquals(-1, s.indexOf("Tensor"), s);
        }
    }

}
