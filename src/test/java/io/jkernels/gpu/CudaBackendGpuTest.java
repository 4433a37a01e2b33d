package io.jkernels.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.backend.KernelGraph;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.ops.Activations;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import io.jkernels.testing.Gpu;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cuda backend end to end: memory, copies, strided copies, fills, a kernel, graph capture.
 * Runs once per binding (run.sh sets -Djkernels.cuda.binding=ffm, then jcuda); skips, saying
 * why, where there is no CUDA device.
 */
@Tag("gpu")
class CudaBackendGpuTest {
    static Device cuda;

    @BeforeAll
    static void device() {
        Gpu.requireCuda();
        cuda = Device.cuda(0);
        CudaBackend b = (CudaBackend) cuda.backend();
        System.out.println("cuda binding " + b.binding() + " on " + b.properties().name() + " (sm_"
                + b.properties().computeMajor() + b.properties().computeMinor() + ")");
        String want = System.getProperty("jkernels.cuda.binding");
        if (want != null) {
            assertEquals(want, b.binding(), "binding chosen by -Djkernels.cuda.binding");
        }
    }

    @Test
    void roundTripEveryDtype() {
        for (DType d : DType.values()) {
            try (Tensor h = Tensor.rand(7, DType.F64, Device.cpu(), 1025)) {
                double[] v = h.toDoubleArray();
                try (Tensor src = Tensor.empty(d, Device.cpu(), 1025)) {
                    for (int i = 0; i < v.length; i++) {
                        src.setDouble(i, d.isFloating() ? v[i] * 100 - 50 : (long) (v[i] * 100 - 50));
                    }
                    try (Tensor g = src.to(cuda); Tensor back = g.to(Device.cpu())) {
                        assertArrayEquals(src.toByteArray(), back.toByteArray(), "round trip of " + d);
                    }
                }
            }
        }
    }

    @Test
    void stridedCopyAndFill() {
        float[] data = new float[6 * 7 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = i;
        }
        try (Tensor h = Tensor.of(data, 6, 7, 5);
             Tensor g = h.to(cuda);
             Tensor gt = g.permute(2, 0, 1);
             Tensor gc = gt.contiguous();
             Tensor ht = h.permute(2, 0, 1);
             Tensor hc = ht.contiguous()) {
            assertArrayEquals(hc.toFloatArray(), gc.toFloatArray());
            try (Tensor col = g.select(2, 3)) {
                col.fill(-1.5);
            }
            float[] after = g.toFloatArray();
            for (int i = 0; i < after.length; i++) {
                assertEquals(i % 5 == 3 ? -1.5f : data[i], after[i], "element " + i);
            }
        }
        try (Tensor l = Tensor.full(0x1234_5678_9abc_def0L, DType.I64, cuda, 333)) {
            for (long v : l.toLongArray()) {
                assertEquals(0x1234_5678_9abc_def0L, v);
            }
        }
    }

    @Test
    void reluMatchesCpu() {
        for (long n : new long[] {1, 17, 4097, 1 << 20}) {
            try (Tensor x = Tensor.randn(n, DType.F32, Device.cpu(), n);
                 Tensor xg = x.to(cuda);
                 Tensor yc = Activations.relu(x);
                 Tensor yg = Activations.relu(xg)) {
                assertArrayEquals(yc.toFloatArray(), yg.toFloatArray(), "relu n=" + n);
            }
        }
    }

    @Test
    void graphReplay() {
        try (Tensor x = Tensor.randn(3, DType.F32, cuda, 4096);
             Tensor y = Tensor.full(Float.NaN, DType.F32, cuda, 4096)) {
            cuda.synchronize();
            try (KernelGraph graph = cuda.capture(() -> Activations.relu(x, y))) {
                assertEquals(1, graph.size());
                graph.replay();
                cuda.synchronize();
                try (Tensor want = Activations.relu(x)) {
                    assertArrayEquals(want.toFloatArray(), y.toFloatArray());
                }
            }
        }
    }

    @Test
    void unknownKernelIsAnError() {
        assertThrows(IllegalArgumentException.class,
                () -> cuda.kernels().launch("no_such_kernel", io.jkernels.backend.LaunchConfig.of(1, 1),
                        io.jkernels.backend.KernelArgs.get()));
        assertTrue(cuda.kernels().hasKernel("relu_fwd_f32"));
    }
}
