package io.jkernels.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The typed argument list of one kernel launch, packed as cuLaunchKernel expects it: each argument's
 * value lies in one native (direct, little-endian) buffer at an 8-byte aligned offset, and a
 * launcher passes {@code base + offset(i)} as the i-th entry of the {@code void**} array. The same
 * list feeds the CUDA bindings and the host emulator.
 *
 * <p>{@link #get()} hands out one reusable instance per thread, reset, so a launch allocates
 * nothing. Build it, launch, and do not keep it.
 */
public final class KernelArgs {
    public static final int MAX_ARGS = 32;
    private static final int CAPACITY = 2048;
    private static final ThreadLocal<KernelArgs> PER_THREAD = ThreadLocal.withInitial(KernelArgs::new);

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CAPACITY).order(ByteOrder.LITTLE_ENDIAN);
    private final int[] offsets = new int[MAX_ARGS];
    private final int[] sizes = new int[MAX_ARGS];
    private int count;
    private int end;

    /** A fresh list (for callers that keep several lists alive at once, such as graph capture). */
    public KernelArgs() {
    }

    /** This thread's reusable list, emptied. */
    public static KernelArgs get() {
        return PER_THREAD.get().reset();
    }

    public KernelArgs reset() {
        count = 0;
        end = 0;
        return this;
    }

    private int slot(int size) {
        if (count == MAX_ARGS) {
            throw new IllegalStateException("more than " + MAX_ARGS + " kernel arguments");
        }
        int off = (end + 7) & ~7;
        if (off + size > CAPACITY) {
            throw new IllegalStateException("kernel arguments exceed " + CAPACITY + " bytes");
        }
        offsets[count] = off;
        sizes[count] = size;
        count++;
        end = off + size;
        return off;
    }

    /** The device address of a tensor's first element (a {@code T*} parameter). */
    public KernelArgs ptr(DevicePointer t) {
        return ptr(t.dataAddress());
    }

    /** A raw device address (a pointer parameter). */
    public KernelArgs ptr(long address) {
        buffer.putLong(slot(8), address);
        return this;
    }

    /** An {@code int64_t} parameter. */
    public KernelArgs i64(long v) {
        buffer.putLong(slot(8), v);
        return this;
    }

    /** An {@code int32_t} parameter. */
    public KernelArgs i32(int v) {
        buffer.putInt(slot(4), v);
        return this;
    }

    /** A {@code float} parameter. */
    public KernelArgs f32(float v) {
        buffer.putFloat(slot(4), v);
        return this;
    }

    /** A {@code double} parameter. */
    public KernelArgs f64(double v) {
        buffer.putDouble(slot(8), v);
        return this;
    }

    /**
     * A struct passed by value whose fields are the given 64-bit words, in order (e.g. a
     * {@code struct { int64_t sizes[8]; int64_t strides[8]; int64_t rank; }}).
     */
    public KernelArgs struct(long... words) {
        int off = slot(8 * words.length);
        for (int i = 0; i < words.length; i++) {
            buffer.putLong(off + 8 * i, words[i]);
        }
        return this;
    }

    public int count() {
        return count;
    }

    /** Byte offset of argument {@code i} in {@link #buffer()}. */
    public int offset(int i) {
        return offsets[i];
    }

    /** Size in bytes of argument {@code i}. */
    public int size(int i) {
        return sizes[i];
    }

    /** The sizes array (only the first {@link #count()} entries are meaningful). */
    public int[] sizes() {
        return sizes;
    }

    /** The offsets array (only the first {@link #count()} entries are meaningful). */
    public int[] offsets() {
        return offsets;
    }

    /** The direct buffer holding the values (position 0). */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Bytes in use. */
    public int byteSize() {
        return end;
    }

    /** An independent copy (for a launch recorded to be replayed later). */
    public KernelArgs copy() {
        KernelArgs c = new KernelArgs();
        for (int i = 0; i < end; i++) {
            c.buffer.put(i, buffer.get(i));
        }
        System.arraycopy(offsets, 0, c.offsets, 0, count);
        System.arraycopy(sizes, 0, c.sizes, 0, count);
        c.count = count;
        c.end = end;
        return c;
    }

    @Override
    public String toString() {
        return "KernelArgs" + Arrays.toString(Arrays.copyOf(sizes, count));
    }
}
