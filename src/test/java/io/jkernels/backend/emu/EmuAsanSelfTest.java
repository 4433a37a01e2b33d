package io.jkernels.backend.emu;

import static io.jkernels.backend.emu.EmuSelfTestSupport.launch;
import static io.jkernels.backend.emu.EmuSelfTestSupport.smallInts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.emu.EmuSelfTestSupport.Dev;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Out-of-bounds access under AddressSanitizer: the out-of-bounds test kernel run in bounds copies
 * its input, and (only against libjkernels_emu_asan.so, the emu-asan test run) a child JVM whose
 * launch reads out of bounds is killed with an AddressSanitizer report naming the kernel.
 */
@Tag("emu")
class EmuAsanSelfTest {
    @BeforeAll
    static void emulatorAvailable() {
        EmuSelfTestSupport.assumeEmulator();
    }

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
        for (Class<?> c : List.of(EmuAsanSelfTest.class, EmuNative.class, KernelArgs.class, Assertions.class)) {
            cp.append(File.pathSeparator).append(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
        }
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-D" + EmuNative.LIBRARY_PROPERTY + "=" + lib, "-cp", cp.toString(), EmuAsanSelfTest.class.getName(), mode));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM timed out");
        return new Child(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }
}
