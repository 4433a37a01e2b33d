package io.jkernels.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.ops.Activations;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import io.jkernels.testing.Gpu;
import io.jkernels.testing.Rejects;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two CUDA devices in one process (the emulated driver presents two in the test runs:
 * JK_CUDAEMU_DEVICES=2; skipped where fewer exist): both used at once from two threads, copies
 * between them, mixed-device arguments rejected, and a context set behind jkernels' back.
 */
@Tag("gpu")
class CudaTwoDevicesGpuTest {
    static Device d0;
    static Device d1;

    @BeforeAll
    static void twoDevices() {
        Gpu.requireCuda();
        int n = CudaBackend.driver().deviceCount();
        assumeTrue(n >= 2, "one CUDA device only (JK_CUDAEMU_DEVICES=2 gives the emulated driver two)");
        d0 = Device.cuda(0);
        d1 = Device.cuda(1);
    }

    private static void reluMatchesCpu(Device d, long seed, int n) {
        try (Tensor x = Tensor.randn(seed, DType.F32, Device.cpu(), n);
             Tensor xg = x.to(d);
             Tensor want = Activations.relu(x);
             Tensor got = Activations.relu(xg)) {
            assertArrayEquals(want.toFloatArray(), got.toFloatArray(), d + " seed " + seed);
        }
    }

    @Test
    void bothDevicesFromTwoThreadsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2); // truly concurrent (the common pool may have one thread)
        CompletableFuture<Void> a = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 30; i++) {
                reluMatchesCpu(d0, i, 3000 + i);
            }
        }, pool);
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 30; i++) {
                reluMatchesCpu(d1, 100 + i, 5000 - i);
            }
        }, pool);
        try {
            CompletableFuture.allOf(a, b).get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void copiesBetweenDevices() {
        try (Tensor h = Tensor.randn(7, DType.F32, Device.cpu(), 37, 41);
             Tensor g0 = h.to(d0);
             Tensor g1 = g0.to(d1);
             Tensor g0t = g0.transpose(0, 1);
             Tensor t1 = g0t.to(d1);
             Tensor back = g1.to(Device.cpu());
             Tensor hv = h.transpose(0, 1);
             Tensor ht = hv.contiguous()) {
            assertArrayEquals(h.toFloatArray(), back.toFloatArray());
            assertArrayEquals(ht.toFloatArray(), t1.toFloatArray());
        }
    }

    @Test
    void aPeerCopyThroughTheDriver() {
        CudaBackend b0 = (CudaBackend) d0.backend();
        CudaBackend b1 = (CudaBackend) d1.backend();
        try (Tensor src = Tensor.randn(9, DType.F32, d0, 1024); Tensor dst = Tensor.zeros(DType.F32, d1, 1024)) {
            CudaDriver drv = b1.cudaDriver(); // device 1 current
            drv.memcpyPeerAsync(dst.dataAddress(), b1.context(), src.dataAddress(), b0.context(), 4096, b1.stream());
            d1.synchronize();
            assertArrayEquals(src.toFloatArray(), dst.toFloatArray());
        }
    }

    @Test
    void anOpWithTensorsOnTwoDevicesIsATypedError() {
        try (Tensor x = Tensor.randn(1, DType.F32, d0, 64); Tensor y = Tensor.zeros(DType.F32, d1, 64)) {
            TensorException.DeviceMismatch e = Rejects.rejects(TensorException.DeviceMismatch.class, List.of(x, y),
                    () -> Activations.relu(x, y));
            assertTrue(e.getMessage().contains("cuda:1") && e.getMessage().contains("cuda:0"), e.getMessage());
        }
    }

    @Test
    void aContextSetBehindJkernelsBackIsNoticed() {
        reluMatchesCpu(d0, 1, 999); // device 0's context is now current on this thread
        CudaDriver drv = CudaBackend.driver();
        drv.contextSetCurrent(drv.primaryContextRetain(1)); // other code on the thread switches to device 1
        reluMatchesCpu(d0, 2, 999);
        drv.contextSetCurrent(0L);
        reluMatchesCpu(d0, 3, 999);
        reluMatchesCpu(d1, 4, 999);
    }
}
