package io.jkernels.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.CudaException;
import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelGraph;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.ops.Activations;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.testing.Gpu;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The driver layer as a GPU driver sees it: stream order and synchronisation, what stream capture
 * forbids, launch limits, freeing and pending work. Each test holds on a real GPU too; on the
 * emulated driver (native/cudaemu) they are what keeps the bindings and CudaBackend honest.
 */
@Tag("gpu")
class CudaDriverLayerGpuTest {
    static Device cuda;
    static CudaBackend backend;
    static CudaDriver driver;

    @BeforeAll
    static void device() {
        Gpu.requireCuda();
        cuda = Device.cuda(0);
        backend = (CudaBackend) cuda.backend();
        driver = backend.cudaDriver();
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static float[] read(long p, int n) {
        ByteBuffer b = direct(4 * n);
        driver.memcpyDtoH(b, p, 4L * n);
        float[] f = new float[n];
        b.asFloatBuffer().get(f);
        return f;
    }

    /** selftest_delay_fill(out, n, value, sleepUs) on {@code stream}: slow, then writes every element. */
    private static void delayFill(long stream, long p, int n, float value, long sleepUs) {
        backend.cudaDriver();
        driver.launchKernel(backend.kernelFunction("selftest_delay_fill"), LaunchConfig.of(1, 256), stream,
                KernelArgs.get().ptr(p).i64(n).f32(value).i64(sleepUs));
    }

    @Test
    void aHostReadWithoutSynchronisationSeesStaleData() {
        int n = 1024;
        long s = driver.streamCreate(true); // non-blocking: the synchronous copy does not wait for it
        long p = driver.memAlloc(4L * n);
        try {
            driver.memcpyHtoD(p, direct(4 * n), 4L * n); // zeros
            delayFill(s, p, n, 7f, 1_000_000); // 1 s: the read below comes long before, even on a loaded machine
            float[] early = read(p, n);
            assertArrayEquals(new float[n], early, "the kernel cannot have finished: the read must see the old zeros");
            driver.streamSynchronize(s);
            float[] late = read(p, n);
            float[] sevens = new float[n];
            Arrays.fill(sevens, 7f);
            assertArrayEquals(sevens, late, "after cuStreamSynchronize the host sees the kernel's writes");
        } finally {
            driver.streamSynchronize(s);
            driver.memFree(p);
            driver.streamDestroy(s);
        }
    }

    @Test
    void theDeviceStreamOrdersSlowWorkBeforeAHostRead() {
        int n = 4096;
        try (Tensor t = Tensor.zeros(DType.F32, cuda, n)) {
            cuda.kernels().launch("selftest_delay_fill", LaunchConfig.of(2, 256),
                    KernelArgs.get().ptr(t).i64(n).f32(3f).i64(200_000));
            for (float v : t.toFloatArray()) {
                assertEquals(3f, v, "a tensor read sees the device's earlier work");
            }
        }
    }

    @Test
    void cuMemFreeWaitsForPendingWork() {
        int n = 1 << 16;
        long s = driver.streamCreate(true);
        long start = driver.eventCreate();
        long end = driver.eventCreate();
        try {
            long p = driver.memAlloc(4L * n);
            driver.eventRecord(start, s);
            delayFill(s, p, n, 1f, 200_000);
            driver.eventRecord(end, s);
            driver.memFree(p); // must wait: freed memory under a running kernel is a fault
            float ms = driver.eventElapsedTime(start, end); // CUDA_ERROR_NOT_READY if the kernel were still running
            assertTrue(ms >= 150, "the kernel ran before the free returned (" + ms + " ms)");
        } finally {
            driver.eventDestroy(start);
            driver.eventDestroy(end);
            driver.streamDestroy(s);
        }
    }

    @Test
    void unsafeCallsInsideACaptureFailAndInvalidateIt() {
        long s = driver.streamCreate(true);
        try {
            driver.streamBeginCapture(s);
            CudaException alloc = assertThrows(CudaException.class, () -> driver.memAlloc(256));
            assertEquals(900, alloc.code(), alloc.getMessage()); // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED
            CudaException end = assertThrows(CudaException.class, () -> driver.streamEndCapture(s));
            assertEquals(901, end.code(), end.getMessage()); // CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
            // relaxed mode allows it, and the thread's mode comes back
            driver.streamBeginCapture(s);
            int before = driver.threadExchangeStreamCaptureMode(CudaDriver.CaptureMode.RELAXED);
            long p = driver.memAlloc(256);
            assertEquals(CudaDriver.CaptureMode.RELAXED, driver.threadExchangeStreamCaptureMode(before));
            long graph = driver.streamEndCapture(s);
            assertEquals(0, driver.graphNodeCount(graph));
            driver.graphDestroy(graph);
            driver.memFree(p);
        } finally {
            driver.streamDestroy(s);
        }
    }

    @Test
    void aHostTransferInsideACaptureIsAClearError() {
        try (Tensor h = Tensor.of(new float[] {1, 2, 3}, 3); Tensor g = Tensor.zeros(DType.F32, cuda, 3)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cuda.capture(() -> g.copyFrom(h)));
            assertTrue(e.getMessage().contains("host transfers cannot be captured"), e.getMessage());
            g.copyFrom(h); // the device is still usable
            assertArrayEquals(new float[] {1, 2, 3}, g.toFloatArray());
        }
    }

    @Test
    void ffmCriticalDowncallsAreOnlyPureQueries() throws ReflectiveOperationException {
        assumeTrue(driver.name().equals("ffm"), "the jcuda binding has no critical downcalls");
        // A critical downcall must be short and never block (it holds up safepoints): only queries
        // that take no driver lock; cuCtxSetCurrent, for one, may block on the driver's lock.
        Object calls = driver.getClass().getMethod("criticalCalls").invoke(null);
        assertEquals(Set.of("cuDriverGetVersion", "cuDeviceGetAttribute", "cuGetErrorName"), calls);
    }

    @Test
    void launchLimitsAreTheDrivers() {
        long f = backend.kernelFunction("relu_fwd_f32");
        try (Tensor x = Tensor.zeros(DType.F32, cuda, 16); Tensor y = Tensor.zeros(DType.F32, cuda, 16)) {
            KernelArgs a = KernelArgs.get().ptr(x).ptr(y).i64(16);
            for (LaunchConfig bad : new LaunchConfig[] {
                new LaunchConfig(1, 1, 1, 2048, 1, 1, 0),     // more than 1024 threads
                new LaunchConfig(1, 1, 1, 32, 32, 2, 0),      // 2048 threads over three dimensions
                new LaunchConfig(1, 65536, 1, 32, 1, 1, 0),   // grid y beyond 65535
                new LaunchConfig(1, 1, 65536, 32, 1, 1, 0),   // grid z beyond 65535
                new LaunchConfig(1, 1, 1, 32, 1, 1, 48 * 1024 + 16), // over 48 KB without the opt-in attribute
            }) {
                CudaException e = assertThrows(CudaException.class, () -> driver.launchKernel(f, bad, backend.stream(), a),
                        bad::toString);
                assertEquals(1, e.code(), bad + ": " + e.getMessage()); // CUDA_ERROR_INVALID_VALUE
                assertFalse(backend.lost(), "a rejected launch does not lose the device");
            }
        }
    }

    @Test
    void opsThatAllocateInsideACaptureReplayOnNewInput() {
        long before = cuda.liveBytes();
        int n = 4097;
        try (Tensor x = Tensor.randn(5, DType.F32, cuda, 17, n / 17 + 1); Tensor xt = x.transpose(0, 1)) {
            Tensor[] out = new Tensor[2];
            KernelGraph graph = cuda.capture(() -> {
                out[0] = Activations.relu(x);   // allocates its output inside the capture
                out[1] = Activations.silu(xt);  // and a contiguous copy of the transposed view, freed inside
            });
            try {
                for (int round = 0; round < 2; round++) {
                    if (round == 1) {
                        try (Tensor fresh = Tensor.randn(99, DType.F32, cuda, x.shape())) {
                            x.copyFrom(fresh);
                        }
                    }
                    graph.replay();
                    try (Tensor want0 = Activations.relu(x); Tensor want1 = Activations.silu(xt)) {
                        assertArrayEquals(want0.toFloatArray(), out[0].toFloatArray(), "relu, round " + round);
                        assertArrayEquals(want1.toFloatArray(), out[1].toFloatArray(), "silu, round " + round);
                    }
                }
                out[0].close(); // the graph keeps its memory until it is closed
                out[1].close();
                graph.replay();
                cuda.synchronize();
            } finally {
                graph.close();
            }
        }
        assertEquals(before, cuda.liveBytes(), "closing the graph frees what it kept");
    }
}
