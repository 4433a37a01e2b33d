package io.jkernels.backend;

/**
 * Memory and copies on one device. The cpu backend runs the pure-Java references; kernel backends
 * ({@link KernelBackend}: emu and cuda) also launch kernels. Offsets and sizes are in bytes.
 */
public interface Backend {

    /** The device this backend serves (its name, {@code toString()}, is the one in messages: cuda:0). */
    DeviceId deviceId();

    /** Allocates {@code bytes} (0 allowed); counted in {@link #liveBytes()} until freed. */
    Memory allocate(long bytes);

    /** Frees memory from {@link #allocate}; called once per allocation. */
    void free(Memory memory);

    /** Bytes allocated and not yet freed on this backend. */
    long liveBytes();

    void copyFromHost(Memory dst, long dstOff, HostMemory src, long srcOff, long n);

    void copyToHost(HostMemory dst, long dstOff, Memory src, long srcOff, long n);

    /** Copy within this backend (the ranges may not overlap). */
    void copy(Memory dst, long dstOff, Memory src, long srcOff, long n);

    /** Sets {@code count} elements of {@code elemBytes} (1, 2, 4, 8) bytes to the low bytes of {@code pattern}. */
    void fill(Memory dst, long off, long count, int elemBytes, long pattern);

    /**
     * Copies a strided view into another: element {@code i} (row-major over {@code sizes}) moves
     * from {@code src + (srcOffset + sum idx*srcStrides) * elemBytes} to the same expression for dst.
     * Offsets and strides in elements.
     */
    void copyStrided(Memory dst, long dstOffset, long[] dstStrides, Memory src, long srcOffset, long[] srcStrides,
                     long[] sizes, int elemBytes);

    /** Waits for all work queued on this backend. */
    void synchronize();
}
