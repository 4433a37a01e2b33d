package io.jkernels.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LaunchConfigTest {
    /** An H100-like device: 132 SMs, 2048 threads per SM. */
    static final DeviceProperties H100 = props(132, 2048);

    static DeviceProperties props(int sms, int threadsPerSm) {
        return new DeviceProperties("test", sms, 1024, threadsPerSm, 48 << 10, 32, 9, 0, 80L << 30, 12040);
    }

    @Test
    void capsTheGridAtWavesTimesSmsTimesBlocksPerSm() {
        // 2048 / 256 = 8 blocks per SM, 132 SMs, 4 waves
        LaunchConfig c = LaunchConfig.gridStride(1L << 40, 256, 1, H100, 4);
        assertEquals(132 * 8 * 4, c.gridX());
        assertEquals(256, c.blockX());
        assertEquals(1, c.gridY());
        assertEquals(1, c.blockY());
        assertEquals(0, c.sharedBytes());
        assertEquals(132 * 8 * 2, LaunchConfig.gridStride(1L << 40, 256, 4, H100, 2).gridX());
        // a block larger than an SM's threads still counts one block per SM
        assertEquals(3 * 2, LaunchConfig.gridStride(1L << 40, 1024, 1, props(3, 768), 2).gridX());
    }

    @Test
    void atLeastOneBlock() {
        assertEquals(1, LaunchConfig.gridStride(0, 256, 1, H100, 4).gridX());
        assertEquals(1, LaunchConfig.gridStride(1, 256, 1, H100, 4).gridX());
        assertEquals(1, LaunchConfig.gridStride(100, 256, 1, props(0, 2048), 4).gridX());
    }

    @Test
    void coversSmallWorkWithTheFewestBlocks() {
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            long work = i < 600 ? i : r.nextLong(1, 4_000_000);
            int block = 32 << r.nextInt(6);
            int per = 1 + r.nextInt(8);
            LaunchConfig c = LaunchConfig.gridStride(work, block, per, H100, 1000);
            long perBlock = (long) block * per;
            assertTrue((long) c.gridX() * perBlock >= work, "grid " + c.gridX() + " covers " + work);
            if (work > 0) {
                assertTrue((long) (c.gridX() - 1) * perBlock < work, "no idle block for " + work);
            }
        }
    }

    @Test
    void hugeWorkDoesNotOverflowToOneBlock() {
        assertEquals(132 * 8 * 4, LaunchConfig.gridStride(Long.MAX_VALUE, 256, 1, H100, 4).gridX());
        assertEquals(132 * 8 * 4, LaunchConfig.gridStride(Long.MAX_VALUE - 10, 256, 8, H100, 4).gridX());
    }

    @Test
    void gridNeverExceedsIntRange() {
        LaunchConfig c = LaunchConfig.gridStride(Long.MAX_VALUE / 2, 32, 1, props(1 << 20, 1 << 20), 1 << 10);
        assertEquals(Integer.MAX_VALUE, c.gridX());
    }

    @Test
    void invalidConfigurationsThrow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LaunchConfig.of(0, 32));
        assertTrue(e.getMessage().contains("grid (0, 1, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.of(1, 0));
        assertThrows(IllegalArgumentException.class, () -> LaunchConfig.of(1, 32, -1));
        assertThrows(IllegalArgumentException.class, () -> new LaunchConfig(1, 0, 1, 1, 1, 1, 0));
        assertEquals(3L * 2 * 5 * 7, new LaunchConfig(3, 2, 1, 5, 7, 1, 0).threads());
        assertEquals((long) Integer.MAX_VALUE * 1024, LaunchConfig.of(Integer.MAX_VALUE, 1024).threads());
    }
}
