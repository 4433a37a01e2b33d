package io.jkernels.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkernels.tensor.Device;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the gpu-tagged tests run. They skip, saying why, where there is no CUDA device; but where
 * the build made the emulated driver and the test run points at it (the property
 * {@code jkernels.test.cudaemu}, set by the pom's cuda-ffm and cuda-jcuda executions), CUDA being
 * unavailable is a failure: a broken driver layer must not turn into skipped tests.
 */
public final class Gpu {
    /** System property naming the emulated libcuda.so.1 the test run expects to use. */
    public static final String CUDAEMU_PROPERTY = "jkernels.test.cudaemu";

    private Gpu() {
    }

    /** Skips the calling test (or class) without CUDA, or fails when the emulated driver was expected. */
    public static void requireCuda() {
        if (expectsEmulatedDriver()) {
            assertTrue(Device.cudaAvailable(), () -> "the emulated driver " + System.getProperty(CUDAEMU_PROPERTY)
                    + " was built and is on the library path, yet CUDA is unavailable: " + Device.cudaUnavailableReason());
        } else {
            assumeTrue(Device.cudaAvailable(), () -> "skipped: " + Device.cudaUnavailableReason());
        }
    }

    /** Whether this run is meant to use the emulated driver (the property names a file that exists). */
    public static boolean expectsEmulatedDriver() {
        String lib = System.getProperty(CUDAEMU_PROPERTY);
        return lib != null && !lib.isBlank() && Files.exists(Path.of(lib));
    }

    /** Whether CUDA device 0 is the emulated one (native/cudaemu), by its name. */
    public static boolean emulated() {
        return Device.cudaAvailable() && Device.cuda(0).kernels().properties().name().contains("cudaemu");
    }
}
