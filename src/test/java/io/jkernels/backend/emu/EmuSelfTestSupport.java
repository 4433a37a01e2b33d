package io.jkernels.backend.emu;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * What the emulator self-tests ({@link EmuSelfTest} and the Emu*SelfTest classes beside it) share:
 * the assumption that the emulator is available, device memory released at the end of a test
 * ({@link Dev}), direct little-endian buffers, a launch of a registered kernel by name, and
 * small-integer inputs whose float sums are exact in any order.
 */
final class EmuSelfTestSupport {
    private EmuSelfTestSupport() {
    }

    /** Skips the calling test class when the host emulator library cannot be loaded. */
    static void assumeEmulator() {
        assumeTrue(EmuNative.available(), () -> "host emulator unavailable: " + EmuNative.unavailableReason());
    }

    /** Device memory released at the end of a test (try-with-resources). */
    static final class Dev implements AutoCloseable {
        final long ptr;
        final long bytes;

        Dev(long bytes) {
            this.ptr = EmuNative.malloc(bytes);
            this.bytes = bytes;
        }

        static Dev of(float[] a) {
            Dev d = new Dev(4L * a.length);
            ByteBuffer b = direct(d.bytes);
            b.asFloatBuffer().put(a);
            EmuNative.copyFromBuffer(d.ptr, b, 0, d.bytes);
            return d;
        }

        static Dev of(int[] a) {
            Dev d = new Dev(4L * a.length);
            ByteBuffer b = direct(d.bytes);
            b.asIntBuffer().put(a);
            EmuNative.copyFromBuffer(d.ptr, b, 0, d.bytes);
            return d;
        }

        static Dev zeros(long bytes) {
            Dev d = new Dev(bytes);
            EmuNative.fill(d.ptr, bytes, 1, 0);
            return d;
        }

        ByteBuffer read() {
            ByteBuffer b = direct(bytes);
            EmuNative.copyToBuffer(b, 0, ptr, bytes);
            return b;
        }

        float[] floats() {
            float[] a = new float[(int) (bytes / 4)];
            read().asFloatBuffer().get(a);
            return a;
        }

        int[] ints() {
            int[] a = new int[(int) (bytes / 4)];
            read().asIntBuffer().get(a);
            return a;
        }

        @Override
        public void close() {
            EmuNative.free(ptr);
        }
    }

    static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static void launch(String kernel, LaunchConfig c, KernelArgs args) {
        long f = EmuNative.function(kernel);
        assertNotEquals(0, f, kernel + " is not registered");
        EmuNative.launch(f, c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(), c.blockZ(), c.sharedBytes(),
                args.buffer(), args.offsets(), args.sizes(), args.count());
    }

    /** Small integers as floats, so that every sum below is exact in float, in any order. */
    static float[] smallInts(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(17) - 8;
        }
        return a;
    }
}
