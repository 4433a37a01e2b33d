package io.jkernels.backend.emu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves each feature of the host emulator with the test kernels of {@code kernels/emu_selftest.cu}:
 * thread indexing, argument unpacking, barriers with static and dynamic shared memory, warp
 * shuffles and votes (partial warps included), atomics from many parallel blocks, {@code __trap()},
 * launch validation, device memory, and (under the ASan library) that an out-of-bounds read kills
 * the process with an AddressSanitizer report. Expected values are computed here, independently.
 */
@Tag("emu")
class EmuSelfTest {
    /** Block sizes: one thread, one warp, one warp + 1 lane, a typical block, the maximum. */
    private static final int[] BLOCKS = {1, 32, 33, 256, 1024};

    @BeforeAll
    static void emulatorAvailable() {
        assumeTrue(EmuNative.available(), () -> "host emulator unavailable: " + EmuNative.unavailableReason());
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Device memory released at the end of a test (try-with-resources). */
    private static final class Dev implements AutoCloseable {
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

    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void launch(String kernel, LaunchConfig c, KernelArgs args) {
        long f = EmuNative.function(kernel);
        assertNotEquals(0, f, kernel + " is not registered");
        EmuNative.launch(f, c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(), c.blockZ(), c.sharedBytes(),
                args.buffer(), args.offsets(), args.sizes(), args.count());
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

    /** Small integers as floats, so that every sum below is exact in float, in any order. */
    private static float[] smallInts(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextInt(17) - 8;
        }
        return a;
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

    // ---- barriers and shared memory -------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"selftest_block_reduce_f32", "selftest_dynamic_reduce_f32"})
    void blockReduction(String kernel) {
        boolean dynamic = kernel.contains("dynamic");
        for (int n : new int[] {1, 1000, 100_003}) {
            float[] x = smallInts(n, n);
            try (Dev dx = Dev.of(x)) {
                for (int block : BLOCKS) {
                    for (int grid : new int[] {1, 2, 7, 40}) {
                        float[] want = new float[grid];
                        for (int i = 0; i < n; i++) {
                            want[(i % (grid * block)) / block] += x[i];  // owner of i in the grid-stride loop
                        }
                        try (Dev out = Dev.zeros(4L * grid)) {
                            launch(kernel, LaunchConfig.of(grid, block, dynamic ? 4 * block : 0),
                                    KernelArgs.get().ptr(dx.ptr).ptr(out.ptr).i64(n));
                            assertArrayEquals(want, out.floats(), kernel + " n=" + n + " grid=" + grid + " block=" + block);
                        }
                    }
                }
            }
        }
    }

    // ---- warp operations --------------------------------------------------------------------------------

    /** Block sizes for warp tests: partial warps of 1 and 4 lanes, several full warps. */
    private static final int[] WARP_BLOCKS = {1, 32, 33, 64, 100, 256, 1024};

    @Test
    void warpShuffleReductions() {
        for (int block : WARP_BLOCKS) {
            for (int grid : new int[] {1, 3}) {
                int n = grid * block;
                int warpsPerBlock = (block + 31) / 32;
                float[] x = smallInts(n, block);
                float[] wantWarp = new float[grid * warpsPerBlock];
                for (int i = 0; i < n; i++) {
                    wantWarp[(i / block) * warpsPerBlock + (i % block) / 32] += x[i];
                }
                try (Dev dx = Dev.of(x); Dev down = Dev.zeros(4L * wantWarp.length); Dev butterfly = Dev.zeros(4L * n)) {
                    launch("selftest_warp_reduce_f32", LaunchConfig.of(grid, block),
                            KernelArgs.get().ptr(dx.ptr).ptr(down.ptr).ptr(butterfly.ptr));
                    assertArrayEquals(wantWarp, down.floats(), "__shfl_down_sync block=" + block + " grid=" + grid);
                    float[] lanes = butterfly.floats();
                    for (int i = 0; i < n; i++) {
                        int warpStart = (i % block) / 32 * 32;
                        if (block - warpStart >= 32) {  // full warp: every lane holds the warp's sum
                            assertEquals(wantWarp[(i / block) * warpsPerBlock + warpStart / 32], lanes[i],
                                    "__shfl_xor_sync block=" + block + " element " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void warpScanAndBroadcast() {
        for (int block : WARP_BLOCKS) {
            int grid = 2;
            int n = grid * block;
            int[] x = new int[n];
            Random r = new Random(block);
            for (int i = 0; i < n; i++) {
                x[i] = r.nextInt(1000) - 500;
            }
            int[] wantScan = new int[n];
            int[] wantFirst = new int[n];
            for (int i = 0; i < n; i++) {
                int lane = (i % block) % 32;
                wantScan[i] = lane == 0 ? x[i] : wantScan[i - 1] + x[i];
                wantFirst[i] = x[i - lane];
            }
            try (Dev dx = Dev.of(x); Dev scan = Dev.zeros(4L * n); Dev first = Dev.zeros(4L * n)) {
                launch("selftest_warp_scan_i32", LaunchConfig.of(grid, block),
                        KernelArgs.get().ptr(dx.ptr).ptr(scan.ptr).ptr(first.ptr));
                assertArrayEquals(wantScan, scan.ints(), "__shfl_up_sync scan, block " + block);
                assertArrayEquals(wantFirst, first.ints(), "__shfl_sync broadcast, block " + block);
            }
        }
    }

    @Test
    void warpVotes() {
        for (int block : WARP_BLOCKS) {
            int grid = 3;
            int n = grid * block;
            int[] pred = new int[n];
            Random r = new Random(block);
            for (int i = 0; i < n; i++) {
                int warp = i / 32;  // some warps all true, some all false, the rest random
                pred[i] = warp % 4 == 0 ? 1 : warp % 4 == 1 ? 0 : r.nextInt(2) * (1 + r.nextInt(5));
            }
            try (Dev dp = Dev.of(pred); Dev votes = Dev.zeros(12L * n)) {
                launch("selftest_vote", LaunchConfig.of(grid, block), KernelArgs.get().ptr(dp.ptr).ptr(votes.ptr));
                int[] got = votes.ints();
                for (int i = 0; i < n; i++) {
                    int inBlock = i % block;
                    int warpStart = i - inBlock % 32;
                    int lanes = Math.min(32, block - inBlock / 32 * 32);
                    int ballot = 0;
                    for (int l = 0; l < lanes; l++) {
                        if (pred[warpStart + l] != 0) {
                            ballot |= 1 << l;
                        }
                    }
                    int all = lanes == 32 ? -1 : (1 << lanes) - 1;
                    String at = "block " + block + " element " + i;
                    assertEquals(ballot, got[3 * i], "__ballot_sync " + at);
                    assertEquals(ballot == all ? 1 : 0, got[3 * i + 1], "__all_sync " + at);
                    assertEquals(ballot != 0 ? 1 : 0, got[3 * i + 2], "__any_sync " + at);
                }
            }
        }
    }

    // ---- atomics ------------------------------------------------------------------------------------------

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

    // ---- failures and validation ------------------------------------------------------------------------

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

    // ---- out-of-bounds access under AddressSanitizer ----------------------------------------------------

    @Test
    void outOfBoundsKernelInBoundsRunCopies() {
        float[] x = smallInts(1000, 7);
        try (Dev dx = Dev.of(x); Dev out = Dev.zeros(4000)) {
            launch("selftest_oob_read", LaunchConfig.of(3, 128), KernelArgs.get().ptr(dx.ptr).ptr(out.ptr).i64(1000).i32(0));
            assertArrayEquals(x, out.floats());
        }
    }

    /** Child JVM body: runs selftest_oob_read over 1000 floats, out of bounds when args[0] is "oob". */
    public static void main(String[] args) {
        int n = 1000;
        long x = EmuNative.malloc(4L * n);
        long out = EmuNative.malloc(4L * n);
        EmuNative.fill(x, n, 4, 0);
        KernelArgs a = KernelArgs.get().ptr(x).ptr(out).i64(n).i32(args.length > 0 && args[0].equals("oob") ? 1 : 0);
        EmuNative.launch(EmuNative.function("selftest_oob_read"), 2, 1, 1, 128, 1, 1, 0, a.buffer(), a.offsets(), a.count());
        System.out.println("child finished");
    }

    @Test
    void asanKillsTheProcessOnAnOutOfBoundsRead() throws Exception {
        String lib = System.getProperty(EmuNative.LIBRARY_PROPERTY, "");
        assumeTrue(lib.endsWith("_asan.so"), "runs only against libjkernels_emu_asan.so (the emu-asan test run)");
        Child ok = runChild(lib, "in-bounds");
        assertEquals(0, ok.exit, "control run without the bad read failed:\n" + ok.output);
        assertTrue(ok.output.contains("child finished"), ok.output);
        Child bad = runChild(lib, "oob");
        assertNotEquals(0, bad.exit, "out-of-bounds read was not caught:\n" + bad.output);
        assertTrue(bad.output.contains("ERROR: AddressSanitizer: heap-buffer-overflow"), bad.output);
        assertTrue(bad.output.contains("selftest_oob_read"), "report names the kernel:\n" + bad.output);
    }

    private record Child(int exit, String output) {
    }

    /**
     * The same java binary with the same environment (LD_PRELOAD, ASAN_OPTIONS) and a class path
     * holding this class and what it uses (java.class.path alone misses them under some launchers).
     */
    private static Child runChild(String lib, String mode) throws IOException, InterruptedException, URISyntaxException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (Class<?> c : List.of(EmuSelfTest.class, EmuNative.class, KernelArgs.class, Assertions.class)) {
            cp.append(File.pathSeparator).append(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
        }
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-D" + EmuNative.LIBRARY_PROPERTY + "=" + lib, "-cp", cp.toString(), EmuSelfTest.class.getName(), mode));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        return new Child(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }
}
