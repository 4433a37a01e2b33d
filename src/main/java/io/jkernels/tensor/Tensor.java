package io.jkernels.tensor;

import io.jkernels.backend.DevicePointer;
import java.nio.Buffer;
import java.util.Arrays;

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
public final class Tensor implements AutoCloseable, DevicePointer {
    // A handle's state and the public API; the work is done in package-private helpers, one per
    // concern: TensorFactories (new tensors), TensorViews (view arithmetic), TensorCopies (copies
    // and overlap), TensorFill (fills), HostAccess (cpu element access), HostTransfers (Java
    // arrays and buffers).
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
        return TensorFactories.empty(dtype, device, shape);
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
        return TensorFactories.full(value, dtype, device, shape);
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
        return TensorFactories.full(value, dtype, device, shape);
    }

    /** A cpu f32 tensor holding {@code data}; shape defaults to 1-D. */
    public static Tensor of(float[] data, long... shape) {
        return HostTransfers.of(data, shape);
    }

    /** A cpu f64 tensor holding {@code data}. */
    public static Tensor of(double[] data, long... shape) {
        return HostTransfers.of(data, shape);
    }

    /** A cpu i64 tensor holding {@code data}. */
    public static Tensor of(long[] data, long... shape) {
        return HostTransfers.of(data, shape);
    }

    /** A cpu i32 tensor holding {@code data}. */
    public static Tensor of(int[] data, long... shape) {
        return HostTransfers.of(data, shape);
    }

    /** A cpu bool tensor holding {@code data}. */
    public static Tensor of(boolean[] data, long... shape) {
        return HostTransfers.of(data, shape);
    }

    /**
     * A cpu tensor of {@code dtype} holding the elements of {@code data}, each rounded to the dtype
     * (bf16, f16: round to nearest even).
     */
    public static Tensor of(float[] data, DType dtype, long... shape) {
        return HostTransfers.of(data, dtype, shape);
    }

    /**
     * A cpu tensor holding the remaining elements of {@code data} (FloatBuffer f32, DoubleBuffer
     * f64, LongBuffer i64, IntBuffer i32; a ByteBuffer holds the raw little-endian bytes of
     * {@code dtype}). The element count must equal the shape's.
     */
    public static Tensor fromBuffer(Buffer data, DType dtype, long... shape) {
        return HostTransfers.fromBuffer(data, dtype, shape);
    }

    /** Standard normal samples from a seeded generator (the same values on every device). */
    public static Tensor randn(long seed, DType dtype, Device device, long... shape) {
        return TensorFactories.random(seed, true, dtype, device, shape);
    }

    /** Uniform samples in [0, 1) from a seeded generator (the same values on every device). */
    public static Tensor rand(long seed, DType dtype, Device device, long... shape) {
        return TensorFactories.random(seed, false, dtype, device, shape);
    }

    // ---- properties --------------------------------------------------------------------------

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return storage.device;
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
    @Override
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

    /** The element at row-major flat index {@code i} as a double (cpu tensors). */
    public double getDouble(long i) {
        return HostAccess.getDouble(this, i);
    }

    /** Stores {@code v} rounded to the dtype at row-major flat index {@code i} (cpu tensors). */
    public void setDouble(long i, double v) {
        HostAccess.setDouble(this, i, v);
    }

    /** The element at flat index {@code i} as a long (integer and bool cpu tensors exactly). */
    public long getLong(long i) {
        return HostAccess.getLong(this, i);
    }

    /** Stores {@code v} at flat index {@code i} (integer and bool cpu tensors exactly). */
    public void setLong(long i, long v) {
        HostAccess.setLong(this, i, v);
    }

    /** The single element of a one-element tensor, as a double. */
    public double item() {
        return HostAccess.item(this);
    }

    /** All elements, row-major, converted to float (from any device). */
    public float[] toFloatArray() {
        return HostTransfers.toFloatArray(this);
    }

    /** All elements, row-major, converted to double (from any device). */
    public double[] toDoubleArray() {
        return HostTransfers.toDoubleArray(this);
    }

    /** All elements, row-major, as longs (from any device). */
    public long[] toLongArray() {
        return HostTransfers.toLongArray(this);
    }

    /** All elements, row-major, as ints (from any device). */
    public int[] toIntArray() {
        return HostTransfers.toIntArray(this);
    }

    /** All elements, row-major, as booleans (non-zero is true). */
    public boolean[] toBooleanArray() {
        return HostTransfers.toBooleanArray(this);
    }

    /** The raw little-endian bytes of all elements, row-major. */
    public byte[] toByteArray() {
        return HostTransfers.toByteArray(this);
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
