package io.jkernels.backend;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Host memory of the cpu backend: direct little-endian buffers of at most 2^30 bytes each, so an
 * allocation may exceed 2^31 bytes and every element lies wholly inside one chunk (the chunk size
 * is a multiple of every element size). Direct buffers also serve as the staging area of host to
 * device copies.
 */
public final class HostMemory extends Memory {
    /** Bytes per chunk. */
    public static final int CHUNK_SHIFT = 30;
    public static final long CHUNK = 1L << CHUNK_SHIFT;
    private static final long MASK = CHUNK - 1;

    private final ByteBuffer[] chunks;

    public HostMemory(long bytes) {
        super(bytes);
        int n = (int) ((bytes + MASK) >>> CHUNK_SHIFT);
        chunks = new ByteBuffer[Math.max(n, 1)];
        for (int i = 0; i < chunks.length; i++) {
            long size = Math.min(CHUNK, bytes - ((long) i << CHUNK_SHIFT));
            chunks[i] = ByteBuffer.allocateDirect((int) Math.max(size, 0)).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    @Override
    public long address() {
        throw new UnsupportedOperationException("host memory has no device address");
    }

    /** The chunk holding byte {@code offset}. */
    public ByteBuffer chunkAt(long offset) {
        return chunks[(int) (offset >>> CHUNK_SHIFT)];
    }

    /** Bytes from {@code offset} to the end of its chunk. */
    public static long runLength(long offset) {
        return CHUNK - (offset & MASK);
    }

    /** Position of {@code offset} inside its chunk. */
    public static int inChunk(long offset) {
        return (int) (offset & MASK);
    }

    public byte getByte(long off) {
        return chunkAt(off).get(inChunk(off));
    }

    public void putByte(long off, byte v) {
        chunkAt(off).put(inChunk(off), v);
    }

    public short getShort(long off) {
        return chunkAt(off).getShort(inChunk(off));
    }

    public void putShort(long off, short v) {
        chunkAt(off).putShort(inChunk(off), v);
    }

    public int getInt(long off) {
        return chunkAt(off).getInt(inChunk(off));
    }

    public void putInt(long off, int v) {
        chunkAt(off).putInt(inChunk(off), v);
    }

    public long getLong(long off) {
        return chunkAt(off).getLong(inChunk(off));
    }

    public void putLong(long off, long v) {
        chunkAt(off).putLong(inChunk(off), v);
    }

    public float getFloat(long off) {
        return chunkAt(off).getFloat(inChunk(off));
    }

    public void putFloat(long off, float v) {
        chunkAt(off).putFloat(inChunk(off), v);
    }

    public double getDouble(long off) {
        return chunkAt(off).getDouble(inChunk(off));
    }

    public void putDouble(long off, double v) {
        chunkAt(off).putDouble(inChunk(off), v);
    }

    /**
     * A view of {@code [offset, offset + len)}, which must lie inside one chunk (use
     * {@link #runLength(long)}), positioned at 0 with limit {@code len}.
     */
    public ByteBuffer window(long offset, long len) {
        checkRange(offset, len);
        if (len > runLength(offset)) {
            throw new IllegalArgumentException("window crosses a chunk boundary");
        }
        ByteBuffer b = chunkAt(offset).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = inChunk(offset);
        b.limit(p + (int) len).position(p);
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Receives one chunk-local piece of a byte range (see {@link #forEachWindow}). */
    @FunctionalInterface
    public interface WindowConsumer {
        /**
         * @param window the piece, position 0, limit its length
         * @param done   bytes of the range before this piece
         */
        void accept(ByteBuffer window, long done);
    }

    /**
     * Splits {@code [offset, offset + n)} into pieces that each lie in one chunk and hands them
     * out in order: how host-device copies move allocations larger than one buffer.
     */
    public void forEachWindow(long offset, long n, WindowConsumer consumer) {
        checkRange(offset, n);
        long done = 0;
        while (done < n) {
            long run = Math.min(n - done, runLength(offset + done));
            consumer.accept(window(offset + done, run), done);
            done += run;
        }
    }

    /** Copies {@code n} bytes from {@code src} at {@code srcOff} to this memory at {@code dstOff}. */
    public void copyFrom(long dstOff, HostMemory src, long srcOff, long n) {
        checkRange(dstOff, n);
        src.checkRange(srcOff, n);
        while (n > 0) {
            long run = Math.min(n, Math.min(runLength(dstOff), runLength(srcOff)));
            window(dstOff, run).put(src.window(srcOff, run));
            dstOff += run;
            srcOff += run;
            n -= run;
        }
    }

    /** Sets {@code count} elements of {@code elemBytes} bytes from {@code off} to the low bytes of {@code pattern}. */
    public void fill(long off, long count, int elemBytes, long pattern) {
        checkRange(off, count * elemBytes);
        for (long i = 0; i < count; i++) {
            long o = off + i * elemBytes;
            switch (elemBytes) {
                case 1 -> putByte(o, (byte) pattern);
                case 2 -> putShort(o, (short) pattern);
                case 4 -> putInt(o, (int) pattern);
                case 8 -> putLong(o, pattern);
                default -> throw new IllegalArgumentException("element size " + elemBytes);
            }
        }
    }
}
