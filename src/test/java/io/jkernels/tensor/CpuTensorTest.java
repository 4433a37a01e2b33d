package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Tensor contract on cpu, every topic of {@link TensorContract} as a nested class, plus what
 * only cpu tensors have ({@link CpuOnly}): host buffers and element access.
 */
class CpuTensorTest {

    @Nested
    class Creation extends TensorCreationContract {
        @Override
        Device device() {
            return Device.cpu();
        }
    }

    @Nested
    class Fill extends TensorFillContract {
        @Override
        Device device() {
            return Device.cpu();
        }
    }

    @Nested
    class Host extends TensorHostContract {
        @Override
        Device device() {
            return Device.cpu();
        }
    }

    @Nested
    class Views extends TensorViewsContract {
        @Override
        Device device() {
            return Device.cpu();
        }
    }

    @Nested
    class Copies extends TensorCopiesContract {
        @Override
        Device device() {
            return Device.cpu();
        }
    }

    @Nested
    class Lifetime extends TensorLifetimeContract {
        @Override
        Device device() {
            return Device.cpu();
        }
    }

    /** Host buffers and element access, which only cpu tensors have. */
    @Nested
    class CpuOnly extends TensorContract {
        @Override
        Device device() {
            return Device.cpu();
        }

        @Test
        void fromBufferWithTheWrongLengthNamesBothCounts() {
            long start = device().liveBytes();
            FloatBuffer five = FloatBuffer.wrap(new float[] {1, 2, 3, 4, 5});
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> Tensor.fromBuffer(five, DType.F32, 2, 3));
            assertMessage(e, "5", "[2, 3]", "6");
            ByteBuffer seven = ByteBuffer.allocate(7);
            e = assertThrows(TensorException.Shape.class, () -> Tensor.fromBuffer(seven, DType.F32, 2));
            assertMessage(e, "7 bytes", "[2]");
            e = assertThrows(TensorException.Shape.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
            assertMessage(e, "3", "[2, 2]", "4");
            assertEquals(0, five.position(), "input untouched");
            assertEquals(start, device().liveBytes(), "nothing allocated");
        }

        @Test
        void fromBufferHonoursThePosition() {
            FloatBuffer f = FloatBuffer.wrap(new float[] {9, 9, 1, 2, 3});
            f.position(2);
            IntBuffer i = IntBuffer.wrap(new int[] {0, 7, 8});
            i.position(1);
            try (Tensor t = Tensor.fromBuffer(f, DType.F32, 3); Tensor u = Tensor.fromBuffer(i, DType.I32, 2)) {
                assertArrayEquals(new float[] {1, 2, 3}, t.toFloatArray());
                assertArrayEquals(new int[] {7, 8}, u.toIntArray());
            }
            assertEquals(2, f.position());
            assertEquals(1, i.position());
        }

        /** A typed buffer of the wrong dtype is a DTypeMismatch and allocates nothing (nothing leaks). */
        @Test
        void fromBufferOfTheWrongTypeLeaksNothing() throws InterruptedException {
            long start = device().liveBytes();
            TensorException.DTypeMismatch e = assertThrows(TensorException.DTypeMismatch.class,
                    () -> Tensor.fromBuffer(FloatBuffer.wrap(new float[4]), DType.F64, 4));
            assertMessage(e, "FloatBuffer", "f32", "f64");
            assertThrows(TensorException.DTypeMismatch.class, () -> Tensor.fromBuffer(DoubleBuffer.wrap(new double[4]), DType.F32, 4));
            assertThrows(TensorException.DTypeMismatch.class, () -> Tensor.fromBuffer(LongBuffer.wrap(new long[4]), DType.I32, 4));
            assertThrows(TensorException.DTypeMismatch.class, () -> Tensor.fromBuffer(IntBuffer.wrap(new int[4]), DType.BOOL, 4));
            assertThrows(TensorException.DTypeMismatch.class, () -> Tensor.fromBuffer(ShortBuffer.wrap(new short[4]), DType.F16, 4));
            long leaked = device().liveBytes() - start;
            awaitLiveBytes(start); // let the Cleaner take what leaked, so later tests start clean
            assertEquals(0, leaked, "bytes still allocated after five failed fromBuffer calls");
        }

        /** Tensor.of(float[], dtype, shape) checks the element count like every other factory. */
        @Test
        void ofWithDtypeChecksTheShape() throws InterruptedException {
            long start = device().liveBytes();
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> Tensor.of(new float[] {1, 2}, DType.F16, 3));
            assertMessage(e, "2", "[3]");
            assertThrows(TensorException.Shape.class, () -> Tensor.of(new float[] {1, 2, 3, 4}, DType.BF16, 3));
            long leaked = device().liveBytes() - start;
            awaitLiveBytes(start);
            assertEquals(0, leaked, "bytes still allocated after failed Tensor.of calls");
            try (Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, DType.F16, 2, 3)) {
                assertArrayEquals(new long[] {2, 3}, t.shape());
                assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
            }
        }

        private static void awaitLiveBytes(long target) throws InterruptedException {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (Device.cpu().liveBytes() > target && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(10);
            }
        }

        @Test
        void elementAccessOnViews() {
            try (Tensor t = Tensor.zeros(DType.I64, device(), 3, 4); Tensor tr = t.transpose(0, 1)) {
                tr.setLong(1, (1L << 60) + 5); // tr[0][1] = t[1][0]
                assertEquals((1L << 60) + 5, t.getLong(4));
                tr.setDouble(11, -2.5);           // tr[3][2] = t[2][3]
                assertEquals(-2, t.getLong(11));
                assertEquals(-2.0, tr.getDouble(11));
            }
            try (Tensor b = Tensor.zeros(DType.BOOL, device(), 3)) {
                b.setLong(1, 42);
                assertArrayEquals(new boolean[] {false, true, false}, b.toBooleanArray());
                assertEquals(1, b.getLong(1), "bool stores 1 for non-zero");
            }
        }
    }
}
