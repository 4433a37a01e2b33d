package io.jkernels.backend.emu;

import static io.jkernels.backend.emu.EmuSelfTestSupport.launch;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.emu.EmuSelfTestSupport.Dev;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The emulator's atomics from many parallel blocks: an integer histogram, float and double
 * {@code atomicAdd}, {@code atomicMax}, {@code atomicMin} and the 64-bit unsigned {@code atomicAdd},
 * under several launch shapes.
 */
@Tag("emu")
class EmuAtomicSelfTest {
    @BeforeAll
    static void emulatorAvailable() {
        EmuSelfTestSupport.assumeEmulator();
    }

    @Test
    void atomicsFromManyBlocks() {
        int n = 100_000;
        int nbins = 37;
        int[] v = new int[n];
        Random r = new Random(42);
        for (int i = 0; i < n; i++) {
            v[i] = 3 + r.nextInt(100_000);
        }
        long[] hist = new long[nbins];
        long fsum = 0;
        long twiceDsum = 0;
        for (int x : v) {
            hist[x % nbins]++;
            fsum += x % 8;
            twiceDsum += x;
        }
        int max = Arrays.stream(v).max().getAsInt();
        int min = Arrays.stream(v).min().getAsInt();
        for (LaunchConfig c : List.of(LaunchConfig.of(64, 256), LaunchConfig.of(1000, 32), LaunchConfig.of(3, 1024))) {
            try (Dev dv = Dev.of(v); Dev dh = Dev.zeros(4L * nbins); Dev scalars = Dev.zeros(40)) {
                long fsumAt = scalars.ptr;
                long dsumAt = scalars.ptr + 8;
                long maxAt = scalars.ptr + 16;
                long minAt = scalars.ptr + 20;
                long countAt = scalars.ptr + 24;
                EmuNative.fill(maxAt, 1, 4, Integer.MIN_VALUE);
                EmuNative.fill(minAt, 1, 4, Integer.MAX_VALUE);
                launch("selftest_atomics", c, KernelArgs.get().ptr(dv.ptr).i64(n).ptr(dh.ptr).i32(nbins).ptr(fsumAt)
                        .ptr(dsumAt).ptr(maxAt).ptr(minAt).ptr(countAt));
                int[] gotHist = dh.ints();
                for (int b = 0; b < nbins; b++) {
                    assertEquals(hist[b], gotHist[b], "bin " + b + " with " + c);
                }
                ByteBuffer s = scalars.read();
                assertEquals((float) fsum, s.getFloat(0), "float atomicAdd with " + c);  // exact: < 2^24
                assertEquals(twiceDsum / 2.0, s.getDouble(8), "double atomicAdd with " + c);
                assertEquals(max, s.getInt(16), "atomicMax with " + c);
                assertEquals(min, s.getInt(20), "atomicMin with " + c);
                assertEquals(n, s.getLong(24), "unsigned long long atomicAdd with " + c);
            }
        }
    }
}
