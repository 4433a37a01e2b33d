package io.jkernels.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jkernels.backend.KernelGraph;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.ops.Activations;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.testing.Gpu;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A graph capture records only the capturing thread's work: while one thread captures, another
 * computing on the same device gets its results, and the graph holds exactly its own nodes.
 */
@Tag("gpu")
class CudaCaptureIsolationGpuTest {

    @Test
    void aCaptureOnOneThreadLeavesAnotherThreadsWorkAlone() throws Exception {
        Gpu.requireCuda();
        Device cuda = Device.cuda(0);
        CudaBackend backend = (CudaBackend) cuda.backend();
        int rounds = 40;
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2); // truly concurrent (the common pool may have one thread)
        CompletableFuture<Void> capturer = CompletableFuture.runAsync(() -> {
            try (Tensor x = Tensor.randn(1, DType.F32, cuda, 4096); Tensor y = Tensor.zeros(DType.F32, cuda, 4096);
                 Tensor want = Activations.relu(x)) {
                float[] expected = want.toFloatArray();
                await(start);
                for (int r = 0; r < rounds; r++) {
                    y.fill(Float.NaN);
                    try (KernelGraph g = cuda.capture(() -> Activations.relu(x, y))) {
                        assertEquals(1, g.size(), "nodes counted by jkernels");
                        assertEquals(1, backend.driverNodeCount(g), "nodes in the driver's graph (round " + r + ")");
                        g.replay();
                        assertArrayEquals(expected, y.toFloatArray(), "replay, round " + r);
                    }
                }
            }
        }, pool);
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
            await(start);
            for (int r = 0; r < rounds * 3; r++) {
                try (Tensor x = Tensor.randn(100 + r, DType.F32, Device.cpu(), 1000 + r);
                     Tensor xg = x.to(cuda);
                     Tensor yc = Activations.silu(x);
                     Tensor yg = Activations.silu(xg)) {
                    float[] got = yg.toFloatArray();
                    float[] want = yc.toFloatArray();
                    for (int i = 0; i < want.length; i++) {
                        // silu: float32 kernel vs float64 reference, a few ulps apart at most
                        assertEquals(want[i], got[i], 4 * Math.ulp(want[i]) + 1e-30f, "round " + r + " element " + i);
                    }
                }
            }
        }, pool);
        try {
            CompletableFuture.allOf(capturer, worker).get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
