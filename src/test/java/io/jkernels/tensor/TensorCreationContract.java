package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Tensor contract, creation: seeded random tensors (the same values on every device), the
 * shape, strides, offset and size accessors, zero-size shapes (strides as PyTorch's), rejected
 * shapes (negative sizes, overflow) and toString. See {@link TensorContract}.
 */
abstract class TensorCreationContract extends TensorContract {

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
    void toStringNamesDtypeShapeAndDevice() {
        try (Tensor t = Tensor.zeros(DType.BF16, device(), 2, 3)) {
            String s = t.toString();
            assertTrue(s.contains("bf16") && s.contains("[2, 3]") && s.contains(device().toString()), s);
            assertNotEquals(-1, s.indexOf("Tensor"), s);
        }
    }
}
