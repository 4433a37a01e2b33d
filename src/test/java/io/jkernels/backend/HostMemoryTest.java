package io.jkernels.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class HostMemoryTest {

    @Test
    void littleEndianAccessors() {
        HostMemory m = new HostMemory(64);
        assertEquals(64, m.bytes());
        m.putInt(0, 0x01020304);
        assertArrayEquals(new byte[] {4, 3, 2, 1}, new byte[] {m.getByte(0), m.getByte(1), m.getByte(2), m.getByte(3)});
        m.putLong(8, 0x1122334455667788L);
        assertEquals((byte) 0x88, m.getByte(8));
        assertEquals((short) 0x7788, m.getShort(8));
        m.putShort(16, (short) 0xbeef);
        assertEquals((short) 0xbeef, m.getShort(16));
        m.putFloat(20, 1.5f);
        assertEquals(0x3fc00000, m.getInt(20));
        m.putDouble(24, -2.0);
        assertEquals(0xc000000000000000L, m.getLong(24));
        assertEquals(-2.0, m.getDouble(24));
        assertEquals(1.5f, m.getFloat(20));
    }

    @Test
    void zeroBytesIsAValidAllocation() {
        HostMemory m = new HostMemory(0);
        assertEquals(0, m.bytes());
        m.checkRange(0, 0);
        m.copyFrom(0, new HostMemory(4), 0, 0);
        m.fill(0, 0, 4, 7);
        assertThrows(IndexOutOfBoundsException.class, () -> m.checkRange(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new HostMemory(-1));
    }

    @Test
    void rangeChecksNameTheRangeAndTheSize() {
        HostMemory m = new HostMemory(100);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> m.checkRange(96, 8));
        assertTrue(e.getMessage().contains("[96, 104)") && e.getMessage().contains("100"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> m.checkRange(-1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> m.checkRange(1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> m.checkRange(Long.MAX_VALUE, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> m.copyFrom(90, new HostMemory(100), 0, 20));
        assertThrows(IndexOutOfBoundsException.class, () -> m.fill(96, 2, 4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> m.window(99, 2));
    }

    @Test
    void fillEachElementSize() {
        HostMemory m = new HostMemory(64);
        m.fill(1, 3, 1, 0xab);
        assertEquals(0, m.getByte(0));
        assertEquals((byte) 0xab, m.getByte(3));
        assertEquals(0, m.getByte(4));
        m.fill(8, 2, 2, 0x1234);
        assertEquals(0x12341234, m.getInt(8));
        m.fill(16, 2, 4, 0xdeadbeefL);
        assertEquals(0xdeadbeefdeadbeefL, m.getLong(16));
        m.fill(32, 3, 8, -5L);
        assertEquals(-5L, m.getLong(48));
        assertEquals(0, m.getLong(56));
        assertThrows(IllegalArgumentException.class, () -> m.fill(0, 1, 3, 0));
    }

    @Test
    void windowIsPositionedAtZeroWithTheLength() {
        HostMemory m = new HostMemory(32);
        for (int i = 0; i < 32; i++) {
            m.putByte(i, (byte) i);
        }
        ByteBuffer w = m.window(5, 10);
        assertEquals(0, w.position());
        assertEquals(10, w.limit());
        assertEquals(5, w.get(0));
        assertEquals(0x0c0b0a09, w.getInt(4), "little-endian");
        w.put(0, (byte) 99);
        assertEquals(99, m.getByte(5), "the window writes through");
    }

    /** One chunk boundary (2^30): windows never cross it, copies split at it on either side. */
    @Test
    @Tag("large")
    void chunkBoundary() {
        long chunk = HostMemory.CHUNK;
        assertEquals(1L << 30, chunk);
        HostMemory big = new HostMemory(chunk + 8192);
        assertEquals(chunk, HostMemory.runLength(0));
        assertEquals(3, HostMemory.runLength(chunk - 3));
        assertEquals(chunk, HostMemory.runLength(chunk));
        assertEquals(7, HostMemory.inChunk(chunk + 7));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> big.window(chunk - 4, 8));
        assertTrue(e.getMessage().contains("chunk"), e.getMessage());
        assertEquals(4, big.window(chunk - 4, 4).remaining(), "a window may end exactly at the boundary");
        assertEquals(8, big.window(chunk, 8).remaining());

        // an aligned fill across the boundary
        big.fill(chunk - 8, 4, 4, 0x11223344);
        for (long o = chunk - 8; o < chunk + 8; o += 4) {
            assertEquals(0x11223344, big.getInt(o), "int at " + o);
        }
        assertEquals(0, big.getInt(chunk + 8));

        // element accessors on each side of the boundary
        big.putLong(chunk - 8, 0x0102030405060708L);
        big.putLong(chunk, -1L);
        assertEquals(0x0102030405060708L, big.getLong(chunk - 8));
        assertEquals(-1L, big.getLong(chunk));
        assertEquals((byte) 0x01, big.getByte(chunk - 1));

        // small -> big across the boundary (the destination splits)
        HostMemory small = new HostMemory(8192);
        for (int i = 0; i < 8192; i++) {
            small.putByte(i, (byte) (i * 7 + 1));
        }
        long dst = chunk - 1001;
        big.copyFrom(dst, small, 5, 3000);
        for (int i = 0; i < 3000; i++) {
            assertEquals((byte) ((i + 5) * 7 + 1), big.getByte(dst + i), "byte " + i + " after the split copy");
        }
        assertEquals(0, big.getByte(dst - 1));
        assertEquals(0, big.getByte(dst + 3000));

        // big -> small across the boundary (the source splits)
        HostMemory back = new HostMemory(4000);
        back.copyFrom(3, big, dst, 3000);
        for (int i = 0; i < 3000; i++) {
            assertEquals((byte) ((i + 5) * 7 + 1), back.getByte(3 + i), "byte " + i + " copied back");
        }
    }
}
