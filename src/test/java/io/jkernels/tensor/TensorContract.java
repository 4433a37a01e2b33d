package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Tensor contract: what tensors must do on every device, in one abstract class per topic, each
 * extending this one (which holds the device under test and the helpers):
 * {@link TensorCreationContract} (factories, metadata, bad shapes), {@link TensorFillContract}
 * (full, zeros, fill), {@link TensorHostContract} (host data in and out, element access),
 * {@link TensorViewsContract}, {@link TensorCopiesContract} (the {@code copy_strided_b<N>} kernels
 * on kernel backends) and {@link TensorLifetimeContract}. Each device's test class runs every topic
 * as a {@code @Nested} class: {@link CpuTensorTest}, {@link EmuTensorTest} tagged "emu",
 * {@link CudaTensorTest} tagged "gpu".
 *
 * <p>Expected layouts and values come from {@link Layout}, a plain model of row-major views written
 * here (shape, strides, offset by hand), never from the code under test.
 */
abstract class TensorContract {

    /** The device under test. */
    abstract Device device();

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
}
