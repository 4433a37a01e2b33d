package io.jkernels.tensor;

import io.jkernels.backend.HostMemory;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * Whole tensors to and from Java arrays and NIO buffers: the bodies of {@link Tensor#of},
 * {@link Tensor#fromBuffer} and the {@code to*Array} methods. Tensors made here are on cpu; arrays
 * are read from any device through a cpu copy ({@link Tensor#to}), element by element with
 * {@link HostAccess}.
 */
final class HostTransfers {
    private HostTransfers() {
    }

    // ---- Java data in ------------------------------------------------------------------------

    static Tensor of(float[] data, long[] shape) {
        return fromBuffer(FloatBuffer.wrap(data), DType.F32, shapeOr(data.length, shape));
    }

    static Tensor of(double[] data, long[] shape) {
        return fromBuffer(DoubleBuffer.wrap(data), DType.F64, shapeOr(data.length, shape));
    }

    static Tensor of(long[] data, long[] shape) {
        return fromBuffer(LongBuffer.wrap(data), DType.I64, shapeOr(data.length, shape));
    }

    static Tensor of(int[] data, long[] shape) {
        return fromBuffer(IntBuffer.wrap(data), DType.I32, shapeOr(data.length, shape));
    }

    static Tensor of(boolean[] data, long[] shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (data[i] ? 1 : 0);
        }
        return fromBuffer(ByteBuffer.wrap(b), DType.BOOL, shapeOr(data.length, shape));
    }

    static Tensor of(float[] data, DType dtype, long[] shape) {
        long[] s = shapeOr(data.length, shape);
        long n = Shapes.checkShape("shape", s);
        if (n != data.length) {
            throw new TensorException.Shape("data holds " + data.length + " elements but shape " + Arrays.toString(s)
                    + " of " + dtype + " needs " + n + " elements");
        }
        Tensor t = Tensor.empty(dtype, Device.cpu(), s);
        for (int i = 0; i < data.length; i++) {
            t.setDouble(i, data[i]);
        }
        return t;
    }

    /** The shape given, or 1-D of {@code length} when none is. */
    private static long[] shapeOr(int length, long[] shape) {
        return shape.length == 0 ? new long[] {length} : shape;
    }

    /** Checks count and buffer type before allocating, so a rejected buffer allocates nothing. */
    static Tensor fromBuffer(Buffer data, DType dtype, long[] shape) {
        long n = Shapes.checkShape("shape", shape);
        long have = data instanceof ByteBuffer ? data.remaining() / dtype.bytes() : data.remaining();
        if (have != n || (data instanceof ByteBuffer && data.remaining() % dtype.bytes() != 0)) {
            throw new TensorException.Shape("data holds " + data.remaining() + (data instanceof ByteBuffer ? " bytes" : " elements")
                    + " but shape " + Arrays.toString(shape) + " of " + dtype + " needs " + n + " elements");
        }
        if (data instanceof FloatBuffer) {
            requireType(dtype, DType.F32, "FloatBuffer");
        } else if (data instanceof DoubleBuffer) {
            requireType(dtype, DType.F64, "DoubleBuffer");
        } else if (data instanceof LongBuffer) {
            requireType(dtype, DType.I64, "LongBuffer");
        } else if (data instanceof IntBuffer) {
            requireType(dtype, DType.I32, "IntBuffer");
        } else if (!(data instanceof ByteBuffer)) {
            throw new TensorException.DTypeMismatch("unsupported buffer type " + data.getClass().getSimpleName()
                    + ": use a FloatBuffer, DoubleBuffer, LongBuffer, IntBuffer or ByteBuffer");
        }
        Tensor t = Tensor.empty(dtype, Device.cpu(), shape);
        HostMemory m = (HostMemory) t.storage.memory;
        if (data instanceof FloatBuffer f) {
            for (long i = 0; i < n; i++) {
                m.putFloat(4 * i, f.get(f.position() + (int) i));
            }
        } else if (data instanceof DoubleBuffer d) {
            for (long i = 0; i < n; i++) {
                m.putDouble(8 * i, d.get(d.position() + (int) i));
            }
        } else if (data instanceof LongBuffer l) {
            for (long i = 0; i < n; i++) {
                m.putLong(8 * i, l.get(l.position() + (int) i));
            }
        } else if (data instanceof IntBuffer ib) {
            for (long i = 0; i < n; i++) {
                m.putInt(4 * i, ib.get(ib.position() + (int) i));
            }
        } else {
            ByteBuffer src = ((ByteBuffer) data).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < n * dtype.bytes(); i++) {
                m.putByte(i, src.get(src.position() + (int) i));
            }
        }
        return t;
    }

    private static void requireType(DType actual, DType expected, String what) {
        if (actual != expected) {
            throw new TensorException.DTypeMismatch("a " + what + " holds " + expected + ", not " + actual);
        }
    }

    // ---- Java data out -----------------------------------------------------------------------

    /** The element count of {@code t} as an array length, checking it fits one. */
    private static int arrayLength(Tensor t) {
        t.check();
        if (t.numel > Integer.MAX_VALUE - 8) {
            throw new TensorException.Shape(t.numel + " elements do not fit a Java array");
        }
        return (int) t.numel;
    }

    static float[] toFloatArray(Tensor t) {
        float[] out = new float[arrayLength(t)];
        try (Tensor c = t.to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) c.getDouble(i);
            }
        }
        return out;
    }

    static double[] toDoubleArray(Tensor t) {
        double[] out = new double[arrayLength(t)];
        try (Tensor c = t.to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = c.getDouble(i);
            }
        }
        return out;
    }

    static long[] toLongArray(Tensor t) {
        long[] out = new long[arrayLength(t)];
        try (Tensor c = t.to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = c.getLong(i);
            }
        }
        return out;
    }

    static int[] toIntArray(Tensor t) {
        int[] out = new int[arrayLength(t)];
        try (Tensor c = t.to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (int) c.getLong(i);
            }
        }
        return out;
    }

    static boolean[] toBooleanArray(Tensor t) {
        boolean[] out = new boolean[arrayLength(t)];
        try (Tensor c = t.to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = c.getDouble(i) != 0;
            }
        }
        return out;
    }

    /** Through a contiguous cpu image, so the bytes come out row-major whatever the strides. */
    static byte[] toByteArray(Tensor t) {
        long bytes = (long) arrayLength(t) * t.dtype.bytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new TensorException.Shape(bytes + " bytes do not fit a Java array");
        }
        byte[] out = new byte[(int) bytes];
        try (Tensor c = t.to(Device.cpu()); Tensor d = c.contiguous()) {
            HostMemory m = (HostMemory) d.storage.memory;
            long base = d.offset * t.dtype.bytes();
            for (int i = 0; i < out.length; i++) {
                out[i] = m.getByte(base + i);
            }
        }
        return out;
    }
}
