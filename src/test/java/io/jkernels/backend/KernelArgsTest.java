package io.jkernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class KernelArgsTest {

    @Test
    void offsetsAreEightAlignedAndValuesSitAtThem() {
        KernelArgs a = new KernelArgs()
                .ptr(0x1122334455667788L) // 0..8
                .i32(-7)                  // 8..12
                .f32(1.5f)                // 16..20 (aligned up from 12)
                .i64(1L << 40)            // 24..32
                .f64(-2.25)               // 32..40
                .i32(3);                  // 40..44
        assertEquals(6, a.count());
        int[] expectedOffsets = {0, 8, 16, 24, 32, 40};
        int[] expectedSizes = {8, 4, 4, 8, 8, 4};
        for (int i = 0; i < 6; i++) {
            assertEquals(expectedOffsets[i], a.offset(i), "offset of arg " + i);
            assertEquals(0, a.offset(i) % 8, "8-aligned");
            assertEquals(expectedSizes[i], a.size(i), "size of arg " + i);
            assertEquals(expectedOffsets[i], a.offsets()[i]);
        }
        assertEquals(44, a.byteSize());
        ByteBuffer b = a.buffer();
        assertEquals(0, b.position());
        assertTrue(b.isDirect());
        assertEquals((byte) 0x88, b.get(0), "little-endian");
        assertEquals(0x1122334455667788L, b.getLong(0));
        assertEquals(-7, b.getInt(8));
        assertEquals(1.5f, b.getFloat(16));
        assertEquals(1L << 40, b.getLong(24));
        assertEquals(-2.25, b.getDouble(32));
        assertEquals(3, b.getInt(40));
    }

    @Test
    void structIsConsecutiveWords() {
        long[] words = new long[26];
        for (int i = 0; i < words.length; i++) {
            words[i] = 1000L * i - 3;
        }
        KernelArgs a = new KernelArgs().i32(1).struct(words).f32(2f);
        assertEquals(8, a.offset(1));
        assertEquals(8 * 26, a.size(1));
        assertEquals(8 + 8 * 26, a.offset(2));
        for (int i = 0; i < words.length; i++) {
            assertEquals(words[i], a.buffer().getLong(8 + 8 * i), "word " + i);
        }
    }

    @Test
    void moreThanMaxArgsThrows() {
        KernelArgs a = new KernelArgs();
        for (int i = 0; i < KernelArgs.MAX_ARGS; i++) {
            a.i32(i);
        }
        assertEquals(32, a.count());
        assertEquals(8 * 31, a.offset(31));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.i32(99));
        assertTrue(e.getMessage().contains("32"), e.getMessage());
        assertEquals(32, a.count(), "the failed add changed nothing");
    }

    @Test
    void tooManyBytesThrows() {
        KernelArgs a = new KernelArgs().i32(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.struct(new long[256]));
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
        assertEquals(1, a.count());
        a.struct(new long[255]); // 8 + 2040 = 2048 fits exactly
        assertEquals(2048, a.byteSize());
    }

    @Test
    void getResetsAndIsPerThread() throws InterruptedException {
        KernelArgs a = KernelArgs.get().i32(1).i64(2);
        assertEquals(2, a.count());
        KernelArgs again = KernelArgs.get();
        assertSame(a, again, "one reusable instance per thread");
        assertEquals(0, again.count());
        assertEquals(0, again.byteSize());
        again.f64(3);
        assertEquals(0, again.offset(0), "starts again at offset 0");
        AtomicReference<KernelArgs> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(KernelArgs.get()));
        t.start();
        t.join();
        assertNotSame(a, other.get());
    }

    @Test
    void copyIsIndependent() {
        KernelArgs a = new KernelArgs().i64(5).f32(6f);
        KernelArgs c = a.copy();
        a.reset().i64(7);
        assertEquals(2, c.count());
        assertEquals(5, c.buffer().getLong(c.offset(0)));
        assertEquals(6f, c.buffer().getFloat(c.offset(1)));
        assertEquals(12, c.byteSize());
        assertEquals(7, a.buffer().getLong(0));
    }
}
