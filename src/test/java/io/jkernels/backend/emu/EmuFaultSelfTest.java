package io.jkernels.backend.emu;

import static io.jkernels.backend.emu.EmuSelfTestSupport.launch;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.emu.EmuSelfTestSupport.Dev;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The emulator's faults and launch limits: {@code __trap()} fails the launch (naming the kernel,
 * block and thread) and the emulator recovers; invalid launch shapes, shared memory and arguments are
 * rejected; a misaligned vector access and an argument of the wrong size are errors naming the
 * kernel.
 */
@Tag("emu")
class EmuFaultSelfTest {
    @BeforeAll
    static void emulatorAvailable() {
        EmuSelfTestSupport.assumeEmulator();
    }

    @Test
    void aMisalignedVectorAccessIsAnErrorNamingTheKernel() {
        try (Dev x = new Dev(64); Dev out = new Dev(16)) {
            EmuNative.fill(x.ptr, 16, 4, Float.floatToIntBits(2.5f));
            launch("selftest_misaligned_vec", LaunchConfig.of(1, 32), KernelArgs.get().ptr(x.ptr).ptr(out.ptr).i64(4));
            assertEquals(2.5f, out.read().getFloat(12), "an aligned 16-byte load works");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> launch("selftest_misaligned_vec",
                    LaunchConfig.of(1, 32), KernelArgs.get().ptr(x.ptr).ptr(out.ptr).i64(1)));
            assertTrue(e.getMessage().contains("selftest_misaligned_vec") && e.getMessage().contains("misaligned address")
                    && e.getMessage().contains("16-byte vector load"), e.getMessage());
        }
    }

    @Test
    void anArgumentOfTheWrongSizeIsANamedError() {
        try (Dev x = new Dev(64); Dev y = new Dev(64)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> launch("relu_fwd_f32",
                    LaunchConfig.of(1, 32), KernelArgs.get().ptr(x.ptr).ptr(y.ptr).i32(16))); // n is an int64_t
            assertTrue(e.getMessage().contains("relu_fwd_f32") && e.getMessage().contains("argument 2 is 4 bytes")
                    && e.getMessage().contains("is 8 bytes"), e.getMessage());
        }
    }

    @Test
    void trapFailsTheLaunchAndTheEmulatorRecovers() {
        int grid = 4;
        int block = 64;
        try (Dev out = Dev.zeros(4L * grid * block)) {
            long f = EmuNative.function("selftest_trap");
            KernelArgs args = KernelArgs.get().i64(100).ptr(out.ptr);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> EmuNative.launch(f, grid, 1, 1, block, 1, 1, 0, args.buffer(), args.offsets(), args.count()));
            assertTrue(e.getMessage().contains("selftest_trap") && e.getMessage().contains("__trap()"), e.getMessage());
            assertTrue(e.getMessage().contains("block (1, 0, 0), thread (36, 0, 0)"), e.getMessage());
            // The next launch (no trap) runs normally on the same workers.
            launch("selftest_trap", LaunchConfig.of(grid, block), KernelArgs.get().i64(-1).ptr(out.ptr));
            float[] ones = new float[grid * block];
            Arrays.fill(ones, 1f);
            assertArrayEquals(ones, out.floats());
        }
    }

    @Test
    void invalidLaunchesAreRejected() {
        long f = EmuNative.function("selftest_trap");
        KernelArgs a = KernelArgs.get().i64(-1).ptr(0);
        ByteBuffer b = a.buffer();
        int[] o = a.offsets();
        assertThrows(IllegalArgumentException.class, () -> EmuNative.launch(f, 1, 1, 1, 1025, 1, 1, 0, b, o, 2));
        assertThrows(IllegalArgumentException.class, () -> EmuNative.launch(f, 1, 1, 1, 32, 32, 2, 0, b, o, 2));
        assertThrows(IllegalArgumentException.class, () -> EmuNative.launch(f, 0, 1, 1, 32, 1, 1, 0, b, o, 2));
        assertThrows(IllegalArgumentException.class, () -> EmuNative.launch(f, 1, 1, 1, 0, 1, 1, 0, b, o, 2));
        assertThrows(IllegalArgumentException.class, () -> EmuNative.launch(f, 1, 1, 1, 32, 1, 1, 49153, b, o, 2));
        assertThrows(IllegalArgumentException.class, () -> EmuNative.launch(f, 1, 1, 1, 32, 1, 1, 0, b, o, 1));
        assertThrows(IllegalArgumentException.class, () -> EmuNative.launch(12345, 1, 1, 1, 32, 1, 1, 0, b, o, 2));
        assertThrows(IllegalArgumentException.class,
                () -> EmuNative.launch(f, 1, 1, 1, 32, 1, 1, 0, ByteBuffer.allocate(64), o, 2));
    }
}
