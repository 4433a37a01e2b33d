package io.jkernels.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.backend.CudaDeviceLostException;
import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.backend.cuda.CudaDrivers;
import io.jkernels.ops.Activations;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.testing.Gpu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A fault in a kernel (a {@code __trap()}) loses the device for the process: one clear exception
 * from then on, on every call; another device of the process stays usable; a new process uses the
 * device again. The fault happens in a child JVM (it cannot be undone in this one).
 */
@Tag("gpu")
class CudaStickyErrorGpuTest {

    @Test
    void aKernelFaultLosesTheDeviceForTheProcessOnly() throws Exception {
        Gpu.requireCuda();
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        String binding = System.getProperty(CudaDrivers.BINDING_PROPERTY);
        if (binding != null) {
            cmd.add("-D" + CudaDrivers.BINDING_PROPERTY + "=" + binding);
        }
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(Child.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "the child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), "child JVM:\n" + out);
        assertTrue(out.contains("lost: CUDA device cuda:0 is lost for the rest of this process"), out);
        assertTrue(out.contains("again: CUDA device cuda:0 is lost"), out);
        if (CudaBackend.driver().deviceCount() > 1) {
            assertTrue(out.contains("cuda:1 usable"), "a sticky error on cuda:0 leaves cuda:1 usable: " + out);
        }
        // This process never faulted: the device works here (as it would in any new process).
        try (Tensor x = Tensor.randn(2, DType.F32, Device.cpu(), 333);
             Tensor xg = x.to(Device.cuda(0));
             Tensor want = Activations.relu(x);
             Tensor got = Activations.relu(xg)) {
            assertArrayEquals(want.toFloatArray(), got.toFloatArray());
        }
    }

    /**
     * This test's class path: where the test, the library and JCuda were loaded from, and the
     * JVM's class path (a JUnit console launcher's is only its own jar).
     */
    private static String classPath() {
        java.util.LinkedHashSet<String> parts = new java.util.LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {Child.class, CudaBackend.class, jcuda.driver.JCudaDriver.class}) {
            java.security.CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) {
                try {
                    parts.add(java.nio.file.Path.of(cs.getLocation().toURI()).toString());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        parts.addAll(List.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator)));
        return String.join(java.io.File.pathSeparator, parts);
    }

    /** The child: traps a kernel on cuda:0, checks what follows, uses cuda:1 when there is one. */
    public static final class Child {
        public static void main(String[] args) throws IOException {
            Device cuda = Device.cuda(0);
            try (Tensor out = Tensor.zeros(DType.F32, cuda, 256)) {
                cuda.kernels().launch("selftest_trap", LaunchConfig.of(1, 256), KernelArgs.get().i64(17).ptr(out));
                try {
                    cuda.synchronize();
                    fail("synchronize after a trapping kernel did not throw");
                } catch (CudaDeviceLostException e) {
                    System.out.println("lost: " + e.getMessage());
                    check(e.code() == 719 || e.code() == 710, "CUresult of a trap: " + e.code());
                }
                try {
                    Activations.relu(out).close();
                    fail("an op on the lost device did not throw");
                } catch (CudaDeviceLostException e) {
                    System.out.println("again: " + e.getMessage());
                }
                check(((CudaBackend) cuda.backend()).lost(), "the backend says it is lost");
            }
            if (CudaBackend.driver().deviceCount() > 1) {
                Device other = Device.cuda(1);
                try (Tensor x = Tensor.randn(3, DType.F32, Device.cpu(), 1000);
                     Tensor xg = x.to(other);
                     Tensor want = Activations.relu(x);
                     Tensor got = Activations.relu(xg)) {
                    check(java.util.Arrays.equals(want.toFloatArray(), got.toFloatArray()), "cuda:1 still computes");
                    System.out.println("cuda:1 usable");
                }
            }
            System.out.flush();
            System.exit(0);
        }

        private static void check(boolean ok, String what) {
            if (!ok) {
                fail(what);
            }
        }

        private static void fail(String what) {
            System.out.println("FAILED: " + what);
            System.out.flush();
            System.exit(3);
        }
    }
}
