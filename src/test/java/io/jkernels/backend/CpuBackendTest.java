package io.jkernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CpuBackendTest {

    @Test
    void liveBytesCountAllocationsUntilFreed() {
        CpuBackend b = new CpuBackend();
        assertSame(DeviceId.CPU, b.deviceId());
        Memory m = b.allocate(100);
        Memory z = b.allocate(0);
        assertEquals(100, b.liveBytes());
        b.free(m);
        b.free(z);
        assertEquals(0, b.liveBytes());
    }

    @Test
    void copyStridedWithOffsetsAndOddStrides() {
        CpuBackend b = new CpuBackend();
        HostMemory src = (HostMemory) b.allocate(64 * 4);
        HostMemory dst = (HostMemory) b.allocate(64 * 4);
        for (int i = 0; i < 64; i++) {
            src.putInt(4L * i, 1000 + i);
        }
        // (3, 4) elements: src stride (7, 2) at element offset 3; dst stride (1, 5) at element offset 2
        b.copyStrided(dst, 2, new long[] {1, 5}, src, 3, new long[] {7, 2}, new long[] {3, 4}, 4);
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 4; k++) {
                assertEquals(1000 + 3 + 7 * i + 2 * k, dst.getInt(4L * (2 + i + 5 * k)), "element " + i + "," + k);
            }
        }
        assertEquals(0, dst.getInt(0), "untouched before the offset");
        // a scalar (rank 0) copies one element
        b.copyStrided(dst, 60, new long[0], src, 1, new long[0], new long[0], 4);
        assertEquals(1001, dst.getInt(4 * 60));
        assertThrows(IllegalArgumentException.class,
                () -> b.copyStrided(dst, 0, new long[] {1}, src, 0, new long[] {1}, new long[] {1}, 3));
    }

    @Test
    void rejectsMemoryOfAnotherBackend() {
        CpuBackend b = new CpuBackend();
        Memory foreign = new DeviceMemory(0x1000, 16);
        HostMemory h = new HostMemory(16);
        assertThrows(IllegalArgumentException.class, () -> b.copy(foreign, 0, h, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> b.fill(foreign, 0, 1, 4, 0));
    }
}
