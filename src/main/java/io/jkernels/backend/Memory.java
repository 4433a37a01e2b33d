package io.jkernels.backend;

/**
 * One allocation on one backend. Host memory ({@link HostMemory}) is read and written from Java;
 * device memory (emu, cuda) is known by its address and reached through its backend.
 */
public abstract class Memory {
    private final long bytes;

    protected Memory(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation size " + bytes);
        }
        this.bytes = bytes;
    }

    /** Size in bytes. */
    public final long bytes() {
        return bytes;
    }

    /** The device address of the first byte (emu and cuda); host memory has none. */
    public abstract long address();

    /** Throws unless {@code [offset, offset + n)} lies inside this allocation. */
    public final void checkRange(long offset, long n) {
        if (offset < 0 || n < 0 || offset > bytes - n) {
            throw new IndexOutOfBoundsException("byte range [" + offset + ", " + (offset + n)
                    + ") outside an allocation of " + bytes + " bytes");
        }
    }
}
