package io.jkernels.tensor;

import io.jkernels.backend.HostMemory;

/**
 * One element of a cpu tensor, read or written in place by its row-major flat index (through the
 * view's strides and offset): the bodies of {@link Tensor#getDouble}, {@link Tensor#setDouble},
 * {@link Tensor#getLong}, {@link Tensor#setLong} and {@link Tensor#item}.
 */
final class HostAccess {
    private HostAccess() {
    }

    /** The host memory of {@code t}, which must be open and on cpu. */
    private static HostMemory host(Tensor t) {
        t.check();
        if (!t.device().isCpu()) {
            throw new IllegalStateException("element access needs a cpu tensor, this one is on " + t.device()
                    + ": use to(Device.cpu())");
        }
        return (HostMemory) t.storage.memory;
    }

    /** Byte offset of the element at row-major flat index {@code i}. */
    private static long byteOffsetOf(Tensor t, long i) {
        if (i < 0 || i >= t.numel) {
            throw new IndexOutOfBoundsException("flat index " + i + " out of range for " + t.numel + " elements");
        }
        long e = t.offset;
        if (Shapes.isContiguous(t.shape, t.strides)) {
            e += i;
        } else {
            long rem = i;
            for (int k = t.shape.length - 1; k >= 0; k--) {
                long idx = rem % t.shape[k];
                rem /= t.shape[k];
                e += idx * t.strides[k];
            }
        }
        return e * t.dtype.bytes();
    }

    static double getDouble(Tensor t, long i) {
        HostMemory m = host(t);
        long o = byteOffsetOf(t, i);
        return switch (t.dtype) {
            case F32 -> m.getFloat(o);
            case F64 -> m.getDouble(o);
            case BF16 -> DType.bf16ToFloat(m.getShort(o));
            case F16 -> DType.f16ToFloat(m.getShort(o));
            case I64 -> m.getLong(o);
            case I32 -> m.getInt(o);
            case BOOL -> m.getByte(o) != 0 ? 1.0 : 0.0;
        };
    }

    static void setDouble(Tensor t, long i, double v) {
        HostMemory m = host(t);
        long o = byteOffsetOf(t, i);
        switch (t.dtype) {
            case F32 -> m.putFloat(o, (float) v);
            case F64 -> m.putDouble(o, v);
            case BF16 -> m.putShort(o, DType.floatToBf16((float) v));
            case F16 -> m.putShort(o, DType.floatToF16((float) v));
            case I64 -> m.putLong(o, (long) v);
            case I32 -> m.putInt(o, (int) v);
            case BOOL -> m.putByte(o, (byte) (v != 0 ? 1 : 0));
        }
    }

    static long getLong(Tensor t, long i) {
        HostMemory m = host(t);
        long o = byteOffsetOf(t, i);
        return switch (t.dtype) {
            case I64 -> m.getLong(o);
            case I32 -> m.getInt(o);
            case BOOL -> m.getByte(o);
            default -> (long) getDouble(t, i);
        };
    }

    static void setLong(Tensor t, long i, long v) {
        HostMemory m = host(t);
        long o = byteOffsetOf(t, i);
        switch (t.dtype) {
            case I64 -> m.putLong(o, v);
            case I32 -> m.putInt(o, (int) v);
            case BOOL -> m.putByte(o, (byte) (v != 0 ? 1 : 0));
            default -> setDouble(t, i, v);
        }
    }

    /** The one element of {@code t}, read through a cpu handle (an alias when already on cpu). */
    static double item(Tensor t) {
        t.check();
        if (t.numel != 1) {
            throw new TensorException.Shape("item() needs one element, the tensor has " + t.numel);
        }
        try (Tensor c = t.to(Device.cpu())) {
            return getDouble(c, 0);
        }
    }
}
