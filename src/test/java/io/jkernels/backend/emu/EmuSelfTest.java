package io.jkernels.backend.emu;

import static io.jkernels.backend.emu.EmuSelfTestSupport.direct;
import static io.jkernels.backend.emu.EmuSelfTestSupport.launch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.emu.EmuSelfTestSupport.Dev;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Proves each feature of the host emulator with the test kernels of {@code kernels/emu_selftest.cu},
 * one test class per feature; expected values are computed in the tests, independently. This class:
 * the kernel registry and device properties, grid-stride launches capped by JK_EMU_MAX_BLOCKS,
 * device memory, thread and block indexing, and argument unpacking. The others:
 * {@link EmuBarrierSelfTest} (barriers with static and dynamic shared memory),
 * {@link EmuWarpSelfTest} (warp shuffles and votes, partial warps included),
 * {@link EmuAtomicSelfTest} (atomics from many parallel blocks), {@link EmuFaultSelfTest}
 * ({@code __trap()}, launch validation, misaligned vector access, wrong-size arguments) and
 * {@link EmuAsanSelfTest} (under the ASan library, an out-of-bounds read kills the process with an
 * AddressSanitizer report). Their shared helpers are {@link EmuSelfTestSupport}'s.
 */
@Tag("emu")
class EmuSelfTest {
    @BeforeAll
    static void emulatorAvailable() {
        EmuSelfTestSupport.assumeEmulator();
    }

    @Test
    void gridStrideLaunchesKeepToJkEmuMaxBlocks() {
        String env = System.getenv("JK_EMU_MAX_BLOCKS");
        io.jkernels.backend.DeviceProperties p = io.jkernels.tensor.Device.emu().kernels().properties();
        LaunchConfig big = LaunchConfig.gridStride(1L << 30, 256, 4, p, 4);
        if (env == null) {
            assertEquals(Integer.MAX_VALUE, p.gridStrideCap());
            assertTrue(big.gridX() > 3, "uncapped: " + big);
        } else {
            int n = Integer.parseInt(env);
            assertEquals(n, p.gridStrideCap(), p.name());
            assertEquals(n, big.gridX(), "a large grid-stride launch is capped at JK_EMU_MAX_BLOCKS");
            assertTrue(p.name().contains("at most " + n + " blocks"), p.name());
        }
    }

    // ---- registry, properties, memory --------------------------------------------------------------

    @Test
    void propertiesAndRegistry() {
        int[] p = EmuNative.properties();
        assertEquals(5, p.length);
        assertTrue(p[0] >= 1, "smCount " + p[0]);
        assertArrayEquals(new int[] {1024, 2048, 49152, 32}, Arrays.copyOfRange(p, 1, 5));
        List<String> names = Arrays.asList(EmuNative.kernelNames());
        for (String k : List.of("selftest_index", "selftest_block_reduce_f32", "selftest_dynamic_reduce_f32",
                "selftest_warp_reduce_f32", "selftest_vote", "selftest_atomics", "selftest_trap", "selftest_oob_read")) {
            assertTrue(names.contains(k), k + " missing from " + names);
            assertNotEquals(0, EmuNative.function(k));
        }
        assertEquals(0, EmuNative.function("no_such_kernel"));
    }

    @Test
    void memory() {
        long zero = EmuNative.malloc(0);
        assertNotEquals(0, zero);
        EmuNative.free(zero);
        try (Dev d = new Dev(64)) {
            assertEquals(0, d.ptr % 256, "256-byte alignment");
            EmuNative.fill(d.ptr, 64, 1, 0xAB);
            EmuNative.fill(d.ptr, 3, 2, 0x1234);
            EmuNative.fill(d.ptr + 8, 2, 4, 0xCAFEBABEL);
            EmuNative.fill(d.ptr + 16, 1, 8, 0x0102030405060708L);
            ByteBuffer b = d.read();
            assertEquals(0x1234, b.getShort(0) & 0xffff);
            assertEquals(0x1234, b.getShort(4) & 0xffff);
            assertEquals((byte) 0xAB, b.get(6));
            assertEquals(0xCAFEBABE, b.getInt(12));
            assertEquals(0x0102030405060708L, b.getLong(16));
            assertEquals((byte) 0xAB, b.get(24));
            // Overlapping copy (memmove): bytes [16, 24) move to [20, 28).
            EmuNative.copy(d.ptr + 20, d.ptr + 16, 8);
            assertEquals(0x0102030405060708L, d.read().getLong(20));
            // Offsets into the buffer, both directions.
            ByteBuffer src = direct(16);
            src.putInt(8, 77);
            EmuNative.copyFromBuffer(d.ptr + 32, src, 8, 4);
            ByteBuffer dst = direct(16);
            EmuNative.copyToBuffer(dst, 4, d.ptr + 32, 4);
            assertEquals(77, dst.getInt(4));
            assertThrows(IllegalArgumentException.class, () -> EmuNative.copyFromBuffer(d.ptr, ByteBuffer.allocate(8), 0, 8));
            assertThrows(IllegalArgumentException.class, () -> EmuNative.copyFromBuffer(d.ptr, direct(8), 4, 8));
            assertThrows(IllegalArgumentException.class, () -> EmuNative.copyToBuffer(direct(8), -1, d.ptr, 4));
            assertThrows(IllegalArgumentException.class, () -> EmuNative.fill(d.ptr, 1, 3, 0));
        }
    }

    // ---- indexing and arguments --------------------------------------------------------------------

    @Test
    void threadAndBlockIndices() {
        int[][] blocks = {{1, 1, 1}, {33, 1, 1}, {8, 4, 2}, {5, 3, 3}, {1024, 1, 1}};
        int[][] grids = {{1, 1, 1}, {7, 1, 1}, {3, 2, 2}};
        for (int[] b : blocks) {
            for (int[] g : grids) {
                int perBlock = b[0] * b[1] * b[2];
                int n = perBlock * g[0] * g[1] * g[2];
                try (Dev out = Dev.zeros(4L * n)) {
                    launch("selftest_index", new LaunchConfig(g[0], g[1], g[2], b[0], b[1], b[2], 0),
                            KernelArgs.get().ptr(out.ptr).i32(b[0]).i32(b[1]).i32(b[2]).i32(g[0]).i32(g[1]).i32(g[2]));
                    int[] got = out.ints();
                    int i = 0;
                    for (int bz = 0; bz < g[2]; bz++) {
                        for (int by = 0; by < g[1]; by++) {
                            for (int bx = 0; bx < g[0]; bx++) {
                                for (int tz = 0; tz < b[2]; tz++) {
                                    for (int ty = 0; ty < b[1]; ty++) {
                                        for (int tx = 0; tx < b[0]; tx++) {
                                            int want = tx | ty << 4 | tz << 8 | bx << 12 | by << 16 | bz << 20;
                                            assertEquals(want, got[i], "block " + Arrays.toString(b) + " grid "
                                                    + Arrays.toString(g) + " element " + i);
                                            i++;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void argumentsOfEveryKind() {
        try (Dev out = Dev.zeros(7 * 8)) {
            launch("selftest_args", LaunchConfig.of(1, 1), KernelArgs.get().ptr(out.ptr).i32(-7).i64((1L << 40) + 3)
                    .f32(1.5f).f64(-2.25).struct(11, -12, 1L << 50));
            double[] got = new double[7];
            out.read().asDoubleBuffer().get(got);
            assertArrayEquals(new double[] {-7, (1L << 40) + 3, 1.5, -2.25, 11, -12, 1L << 50}, got);
        }
    }
}
