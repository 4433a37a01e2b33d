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
import java.util.SplittableRandom;

/**
 * An n-dimensional array on a {@link Device}: dtype, shape, strides and offset (in elements, all
 * 64-bit) over a reference-counted allocation that views share.
 *
 * <p>Every tensor handle is {@link AutoCloseable} and must be closed once; views, {@link #to},
 * {@link #contiguous()} and {@link #reshape} always return a new handle (sharing memory where they
 * can), so each is closed on its own and closing one never invalidates another. The memory goes
 * when the last handle on it is closed (or, as a backup, when all became unreachable). Any use of
 * a closed handle is an {@link IllegalStateException}.
 *
 * <p>Kernels take contiguous memory: ops make a contiguous copy of a non-contiguous input.
 */
public final class Tensor implements AutoCloseable {
    // A handle's state and the public API; the work is done in package-private helpers, one per
    // concern: TensorViews (view arithmetic), TensorCopies (copies and overlap), TensorFill (fills).
    final Storage storage;
    final DType dtype;
    final long[] shape;
    final long[] strides;
    final long offset;
    final long numel;
    private volatile boolean closed;

    /** A handle holding one reference on {@code storage} (the caller's); the arrays become its own. */
    Tensor(Storage storage, DType dtype, long[] shape, long[] strides, long offset) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.numel = Shapes.numel(shape);
    }

    /** A new handle on this storage with the given layout (the arrays become its own). */
    Tensor asStrided(long[] newShape, long[] newStrides, long newOffset) {
        check();
        storage.retain();
        return new Tensor(storage, dtype, newShape, newStrides, newOffset);
    }

    /** Throws the {@link IllegalStateException} of a closed handle. */
    void check() {
        if (closed) {
            throw new IllegalStateException("tensor " + describe() + " is closed");
        }
    }

    /** "[dtype, shape, device]", for messages. */
    String describe() {
        return "[" + dtype + ", " + Arrays.toString(shape) + ", " + device() + "]";
    }

    // ---- factories ---------------------------------------------------------------------------

    /** An uninitialised contiguous tensor. */
    public static Tensor empty(DType dtype, Device device, long... shape) {
        java.util.Objects.requireNonNull(dtype, "dtype");
        java.util.Objects.requireNonNull(device, "device");
        long n = Shapes.checkShape("shape", shape);
        if (n > Long.MAX_VALUE / dtype.bytes()) {
            throw new TensorException.Shape("shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs more than 2^63 bytes");
        }
        Storage s = new Storage(device.backend(), n * dtype.bytes());
        return new Tensor(s, dtype, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** A tensor of zeros. */
    public static Tensor zeros(DType dtype, Device device, long... shape) {
        return full(0L, dtype, device, shape);
    }

    /**
     * A tensor with every element {@code value}: rounded to a floating dtype (bf16, f16: to
     * nearest even); an integer dtype or bool takes only a value it holds exactly (see
     * {@link #fill(double)}).
     *
     * @throws TensorException.BadAttr naming the value and the dtype, where an integer dtype or
     *         bool cannot hold {@code value}; nothing is allocated then
     */
    public static Tensor full(double value, DType dtype, Device device, long... shape) {
        return filled(Shapes.bitPattern(java.util.Objects.requireNonNull(dtype, "dtype"), value), dtype, device, shape);
    }

    /**
     * A tensor with every element exactly {@code value} (see {@link #fill(long)}); an int or long
     * argument picks this overload, so {@code full(0x1234_5678_9abc_def0L, DType.I64, d, n)} and
     * {@code full(0, DType.F32, d, n)} both store their value exactly.
     *
     * @throws TensorException.BadAttr naming the value and the dtype, where the dtype cannot hold
     *         {@code value} exactly; nothing is allocated then
     */
    public static Tensor full(long value, DType dtype, Device device, long... shape) {
        return filled(Shapes.bitPattern(java.util.Objects.requireNonNull(dtype, "dtype"), value), dtype, device, shape);
    }

    private static Tensor filled(long pattern, DType dtype, Device device, long[] shape) {
        Tensor t = empty(dtype, device, shape);
        try {
            return TensorFill.fillBits(t, pattern);
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    /** A cpu f32 tensor holding {@code data}; shape defaults to 1-D. */
    public static Tensor of(float[] data, long... shape) {
        return fromBuffer(FloatBuffer.wrap(data), DType.F32, shapeOr(data.length, shape));
    }

    /** A cpu f64 tensor holding {@code data}. */
    public static Tensor of(double[] data, long... shape) {
        return fromBuffer(DoubleBuffer.wrap(data), DType.F64, shapeOr(data.length, shape));
    }

    /** A cpu i64 tensor holding {@code data}. */
    public static Tensor of(long[] data, long... shape) {
        return fromBuffer(LongBuffer.wrap(data), DType.I64, shapeOr(data.length, shape));
    }

    /** A cpu i32 tensor holding {@code data}. */
    public static Tensor of(int[] data, long... shape) {
        return fromBuffer(IntBuffer.wrap(data), DType.I32, shapeOr(data.length, shape));
    }

    /** A cpu bool tensor holding {@code data}. */
    public static Tensor of(boolean[] data, long... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (data[i] ? 1 : 0);
        }
        return fromBuffer(ByteBuffer.wrap(b), DType.BOOL, shapeOr(data.length, shape));
    }

    /**
     * A cpu tensor of {@code dtype} holding the elements of {@code data}, each rounded to the dtype
     * (bf16, f16: round to nearest even).
     */
    public static Tensor of(float[] data, DType dtype, long... shape) {
        long[] s = shapeOr(data.length, shape);
        long n = Shapes.checkShape("shape", s);
        if (n != data.length) {
            throw new TensorException.Shape("data holds " + data.length + " elements but shape " + Arrays.toString(s)
                    + " of " + dtype + " needs " + n + " elements");
        }
        Tensor t = empty(dtype, Device.cpu(), s);
        for (int i = 0; i < data.length; i++) {
            t.setDouble(i, data[i]);
        }
        return t;
    }

    private static long[] shapeOr(int length, long[] shape) {
        return shape.length == 0 ? new long[] {length} : shape;
    }

    /**
     * A cpu tensor holding the remaining elements of {@code data} (FloatBuffer f32, DoubleBuffer
     * f64, LongBuffer i64, IntBuffer i32; a ByteBuffer holds the raw little-endian bytes of
     * {@code dtype}). The element count must equal the shape's.
     */
    public static Tensor fromBuffer(Buffer data, DType dtype, long... shape) {
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
        Tensor t = empty(dtype, Device.cpu(), shape);
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

    /** Standard normal samples from a seeded generator (the same values on every device). */
    public static Tensor randn(long seed, DType dtype, Device device, long... shape) {
        return random(seed, true, dtype, device, shape);
    }

    /** Uniform samples in [0, 1) from a seeded generator (the same values on every device). */
    public static Tensor rand(long seed, DType dtype, Device device, long... shape) {
        return random(seed, false, dtype, device, shape);
    }

    private static Tensor random(long seed, boolean normal, DType dtype, Device device, long[] shape) {
        if (!dtype.isFloating()) {
            throw new TensorException.DTypeMismatch("random tensors are floating point, not " + dtype);
        }
        SplittableRandom r = new SplittableRandom(seed);
        Tensor host = empty(dtype, Device.cpu(), shape);
        for (long i = 0; i < host.numel; i++) {
            host.setDouble(i, normal ? r.nextGaussian() : r.nextDouble());
        }
        if (device.isCpu()) {
            return host;
        }
        try (host) {
            return host.to(device);
        }
    }

    // ---- properties --------------------------------------------------------------------------

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return storage.backend.device();
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** A copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    /** Offset of element 0 in the allocation, in elements. */
    public long offset() {
        return offset;
    }

    /** Size of dimension {@code dim} (negative counts from the end). */
    public long size(int dim) {
        return shape[TensorViews.wrapDim(dim, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public long numel() {
        return numel;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Whether the elements are laid out row-major without gaps. */
    public boolean isContiguous() {
        return Shapes.isContiguous(shape, strides);
    }

    /**
     * The device address of element 0 (emu and cuda tensors), for kernel arguments. The tensor
     * must be open.
     */
    public long dataAddress() {
        check();
        return storage.memory.address() + offset * dtype.bytes();
    }

    /**
     * Whether this tensor and {@code other} share an allocation and their element ranges (from the
     * lowest to the highest byte either can reach) intersect. Conservative: strided views that
     * interleave without touching a common element also count as overlapping ({@link #copyFrom}
     * then stages the source in a temporary it did not need).
     */
    public boolean overlaps(Tensor other) {
        return TensorCopies.overlaps(this, other);
    }

    /** Whether {@code other} views exactly the same elements in the same layout. */
    public boolean sameView(Tensor other) {
        return TensorCopies.sameView(this, other);
    }

    // ---- views -------------------------------------------------------------------------------

    /** Another handle on the same elements (closed independently). */
    public Tensor alias() {
        return TensorViews.alias(this);
    }

    /**
     * The same elements in a new shape (one entry may be -1); a view when this tensor is
     * contiguous, else a contiguous copy (as torch.reshape).
     */
    public Tensor reshape(long... newShape) {
        return TensorViews.reshape(this, newShape);
    }

    /** The same elements in a new shape; the tensor must be contiguous (as torch.view). */
    public Tensor view(long... newShape) {
        return TensorViews.view(this, newShape);
    }

    /** A 1-D view (or copy, when non-contiguous) of all elements. */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** Elements {@code [start, start + length)} along {@code dim} (a view). */
    public Tensor narrow(int dim, long start, long length) {
        return TensorViews.narrow(this, dim, start, length);
    }

    /** Elements {@code [start, end)} along {@code dim} (a view). */
    public Tensor slice(int dim, long start, long end) {
        return narrow(dim, start, end - start);
    }

    /** The sub-tensor at {@code index} along {@code dim}, that dimension removed (a view). */
    public Tensor select(int dim, long index) {
        return TensorViews.select(this, dim, index);
    }

    /** Dimensions {@code d0} and {@code d1} swapped (a view). */
    public Tensor transpose(int d0, int d1) {
        return TensorViews.transpose(this, d0, d1);
    }

    /** Dimensions reordered: dimension i of the result is dimension {@code order[i]} of this (a view). */
    public Tensor permute(int... order) {
        return TensorViews.permute(this, order);
    }

    // ---- copies ------------------------------------------------------------------------------

    /** A contiguous handle on these elements: an alias when already contiguous, else a copy. */
    public Tensor contiguous() {
        return TensorCopies.contiguous(this);
    }

    /** A copy with the same contents (always new memory, contiguous). */
    public Tensor copy() {
        return TensorCopies.copy(this);
    }

    /** These elements on {@code target}: an alias when already there, else a contiguous copy. */
    public Tensor to(Device target) {
        return TensorCopies.to(this, target);
    }

    /**
     * Copies {@code src}'s elements into this tensor (same shape and dtype; any devices, any
     * strides), as if the source were read completely before anything is written: views of one
     * allocation whose memory ranges {@link #overlaps overlap} copy through a temporary (so a
     * shifted or transposed view onto its own allocation comes out right on every backend), and
     * a view copied onto {@link #sameView the same view} is a no-op.
     */
    public void copyFrom(Tensor src) {
        TensorCopies.copyFrom(this, src);
    }

    /**
     * Sets every element to {@code value}: rounded to a floating dtype (bf16, f16: to nearest
     * even; Inf and NaN as they are); i64 and i32 take an integral value in their range, bool 0 or
     * 1 (a double beyond 2^53 stands for the integer it is). Returns this.
     *
     * @throws TensorException.BadAttr naming the value and the dtype, where an integer dtype or
     *         bool cannot hold {@code value} exactly (2.5, NaN, 2^31 for i32, 2 for bool);
     *         nothing is written then
     */
    public Tensor fill(double value) {
        return TensorFill.fill(this, value);
    }

    /**
     * Sets every element to exactly {@code value}: i64 as is, i32 when in its range, bool 0 or 1,
     * a floating dtype only when it holds {@code value} exactly (every integer of magnitude up to
     * 2^24 in f32, 2^53 in f64, 2^8 in bf16, 2^11 in f16, and larger ones with enough trailing
     * zero bits; pass a double to round). An int or long argument picks this overload. Returns this.
     *
     * @throws TensorException.BadAttr naming the value and the dtype, where the dtype cannot hold
     *         {@code value} exactly; nothing is written then
     */
    public Tensor fill(long value) {
        return TensorFill.fill(this, value);
    }

    // ---- host element access -----------------------------------------------------------------

    private HostMemory host() {
        check();
        if (!device().isCpu()) {
            throw new IllegalStateException("element access needs a cpu tensor, this one is on " + device()
                    + ": use to(Device.cpu())");
        }
        return (HostMemory) storage.memory;
    }

    /** Byte offset of the element at row-major flat index {@code i}. */
    private long byteOffsetOf(long i) {
        if (i < 0 || i >= numel) {
            throw new IndexOutOfBoundsException("flat index " + i + " out of range for " + numel + " elements");
        }
        long e = offset;
        if (Shapes.isContiguous(shape, strides)) {
            e += i;
        } else {
            long rem = i;
            for (int k = shape.length - 1; k >= 0; k--) {
                long idx = rem % shape[k];
                rem /= shape[k];
                e += idx * strides[k];
            }
        }
        return e * dtype.bytes();
    }

    /** The element at row-major flat index {@code i} as a double (cpu tensors). */
    public double getDouble(long i) {
        HostMemory m = host();
        long o = byteOffsetOf(i);
        return switch (dtype) {
            case F32 -> m.getFloat(o);
            case F64 -> m.getDouble(o);
            case BF16 -> DType.bf16ToFloat(m.getShort(o));
            case F16 -> DType.f16ToFloat(m.getShort(o));
            case I64 -> m.getLong(o);
            case I32 -> m.getInt(o);
            case BOOL -> m.getByte(o) != 0 ? 1.0 : 0.0;
        };
    }

    /** Stores {@code v} rounded to the dtype at row-major flat index {@code i} (cpu tensors). */
    public void setDouble(long i, double v) {
        HostMemory m = host();
        long o = byteOffsetOf(i);
        switch (dtype) {
            case F32 -> m.putFloat(o, (float) v);
            case F64 -> m.putDouble(o, v);
            case BF16 -> m.putShort(o, DType.floatToBf16((float) v));
            case F16 -> m.putShort(o, DType.floatToF16((float) v));
            case I64 -> m.putLong(o, (long) v);
            case I32 -> m.putInt(o, (int) v);
            case BOOL -> m.putByte(o, (byte) (v != 0 ? 1 : 0));
        }
    }

    /** The element at flat index {@code i} as a long (integer and bool cpu tensors exactly). */
    public long getLong(long i) {
        HostMemory m = host();
        long o = byteOffsetOf(i);
        return switch (dtype) {
            case I64 -> m.getLong(o);
            case I32 -> m.getInt(o);
            case BOOL -> m.getByte(o);
            default -> (long) getDouble(i);
        };
    }

    /** Stores {@code v} at flat index {@code i} (integer and bool cpu tensors exactly). */
    public void setLong(long i, long v) {
        HostMemory m = host();
        long o = byteOffsetOf(i);
        switch (dtype) {
            case I64 -> m.putLong(o, v);
            case I32 -> m.putInt(o, (int) v);
            case BOOL -> m.putByte(o, (byte) (v != 0 ? 1 : 0));
            default -> setDouble(i, v);
        }
    }

    /** The single element of a one-element tensor, as a double. */
    public double item() {
        check();
        if (numel != 1) {
            throw new TensorException.Shape("item() needs one element, the tensor has " + numel);
        }
        try (Tensor c = to(Device.cpu())) {
            return c.getDouble(0);
        }
    }

    private int arrayLength() {
        check();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new TensorException.Shape(numel + " elements do not fit a Java array");
        }
        return (int) numel;
    }

    /** All elements, row-major, converted to float (from any device). */
    public float[] toFloatArray() {
        float[] out = new float[arrayLength()];
        try (Tensor c = to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) c.getDouble(i);
            }
        }
        return out;
    }

    /** All elements, row-major, converted to double (from any device). */
    public double[] toDoubleArray() {
        double[] out = new double[arrayLength()];
        try (Tensor c = to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = c.getDouble(i);
            }
        }
        return out;
    }

    /** All elements, row-major, as longs (from any device). */
    public long[] toLongArray() {
        long[] out = new long[arrayLength()];
        try (Tensor c = to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = c.getLong(i);
            }
        }
        return out;
    }

    /** All elements, row-major, as ints (from any device). */
    public int[] toIntArray() {
        int[] out = new int[arrayLength()];
        try (Tensor c = to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (int) c.getLong(i);
            }
        }
        return out;
    }

    /** All elements, row-major, as booleans (non-zero is true). */
    public boolean[] toBooleanArray() {
        boolean[] out = new boolean[arrayLength()];
        try (Tensor c = to(Device.cpu())) {
            for (int i = 0; i < out.length; i++) {
                out[i] = c.getDouble(i) != 0;
            }
        }
        return out;
    }

    /** The raw little-endian bytes of all elements, row-major. */
    public byte[] toByteArray() {
        long bytes = (long) arrayLength() * dtype.bytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new TensorException.Shape(bytes + " bytes do not fit a Java array");
        }
        byte[] out = new byte[(int) bytes];
        try (Tensor c = to(Device.cpu()); Tensor d = c.contiguous()) {
            HostMemory m = (HostMemory) d.storage.memory;
            long base = d.offset * dtype.bytes();
            for (int i = 0; i < out.length; i++) {
                out[i] = m.getByte(base + i);
            }
        }
        return out;
    }

    /** Releases this handle; the memory is freed when no handle on it is left. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            storage.release();
        }
    }

    @Override
    public String toString() {
        return "Tensor" + describe() + (closed ? " (closed)" : "");
    }
}
