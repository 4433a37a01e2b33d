package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Tensor contract, host data: each dtype's bits in and out ({@code of}, {@code fromBuffer},
 * {@code toByteArray}) through the device, typed arrays, {@code item()}, and element access (cpu
 * only, in range). See {@link TensorContract}.
 */
abstract class TensorHostContract extends TensorContract {

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
}
