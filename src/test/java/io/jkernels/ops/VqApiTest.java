package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import io.jkernels.testing.Compare;
import org.junit.jupiter.api.Test;

/** VectorQuantizer's argument checks and shapes, and EmaCodebook, on cpu (and on emu where available). */
class VqApiTest {

    @Test
    void shapesFollowTheLeadingDimensions() {
        try (Tensor x = Tensor.randn(1, DType.F32, Device.cpu(), 2, 3, 4); Tensor cb = Tensor.randn(2, DType.F32,
                Device.cpu(), 5, 4); VectorQuantizer.Nearest q = VectorQuantizer.nearest(x, cb)) {
            assertArrayEquals(new long[] {2, 3}, q.indices().shape());
            assertArrayEquals(new long[] {2, 3, 4}, q.quantized().shape());
            assertArrayEquals(new long[] {2, 3}, q.distance().shape());
            assertEquals(DType.I64, q.indices().dtype());
        }
    }

    @Test
    void badNearestArguments() {
        try (Tensor x = Tensor.randn(1, DType.F32, Device.cpu(), 4, 3); Tensor cb = Tensor.randn(2, DType.F32,
                Device.cpu(), 5, 3); Tensor cb4 = Tensor.randn(3, DType.F32, Device.cpu(), 5, 4);
                Tensor k0 = Tensor.empty(DType.F32, Device.cpu(), 0, 3);
                Tensor bf = Tensor.zeros(DType.BF16, Device.cpu(), 5, 3);
                Tensor flat = Tensor.randn(4, DType.F32, Device.cpu(), 15);
                VectorQuantizer.Nearest good = VectorQuantizer.nearest(x, cb)) {
            assertThrows(TensorException.Shape.class, () -> VectorQuantizer.nearest(x, cb4), "D mismatch");
            assertThrows(TensorException.Shape.class, () -> VectorQuantizer.nearest(x, k0), "K = 0");
            assertThrows(TensorException.DTypeMismatch.class, () -> VectorQuantizer.nearest(x, bf));
            assertThrows(TensorException.Shape.class, () -> VectorQuantizer.nearest(x, flat), "codebook rank");
            try (Tensor x5 = Tensor.randn(5, DType.F32, Device.cpu(), 5, 3)) {
                assertThrows(TensorException.Shape.class, () -> VectorQuantizer.nearest(x5, cb, good), "out shape");
            }
            Tensor closed = Tensor.randn(6, DType.F32, Device.cpu(), 4, 3);
            closed.close();
            assertThrows(IllegalStateException.class, () -> VectorQuantizer.nearest(closed, cb));
        }
    }

    @Test
    void badEmaArguments() {
        try (Tensor x = Tensor.randn(1, DType.F32, Device.cpu(), 4, 3); Tensor idx = Tensor.of(new long[] {0, 1, 1, 0}, 4);
                Tensor cs = Tensor.full(1, DType.F32, Device.cpu(), 2); Tensor es = Tensor.zeros(DType.F32, Device.cpu(), 2, 3);
                Tensor es4 = Tensor.zeros(DType.F32, Device.cpu(), 2, 4); Tensor idx3 = Tensor.of(new long[] {0, 1, 1}, 3);
                Tensor esT = Tensor.zeros(DType.F32, Device.cpu(), 3, 2); Tensor esView = esT.transpose(0, 1)) {
            assertThrows(TensorException.Shape.class, () -> VectorQuantizer.emaUpdate(x, idx, cs, es4));
            assertThrows(TensorException.Shape.class, () -> VectorQuantizer.emaUpdate(x, idx3, cs, es));
            assertThrows(TensorException.Shape.class, () -> VectorQuantizer.emaUpdate(x, idx, cs, esView), "in place needs contiguous");
            assertThrows(TensorException.BadAttr.class, () -> VectorQuantizer.emaUpdate(x, idx, cs, es, -0.1, 1e-5));
            assertThrows(TensorException.BadAttr.class, () -> VectorQuantizer.emaUpdate(x, idx, cs, es, 0.5, -1));
            try (Tensor zeros = Tensor.zeros(DType.F32, Device.cpu(), 2, 3)) {
                Compare.bitEqual("es unchanged", es, zeros);
            }
        }
    }

    @Test
    void emaCodebookMovesCodesTowardTheirRows() {
        for (Device device : Device.emuAvailable() ? new Device[] {Device.cpu(), Device.emu()} : new Device[] {Device.cpu()}) {
            // two clusters at -5 and +5; codes start at -1 and +1; decay 0 jumps straight to the means
            float[] rows = new float[40];
            for (int i = 0; i < 20; i++) {
                rows[2 * i] = i % 2 == 0 ? -5 : 5;
                rows[2 * i + 1] = i % 2 == 0 ? -5 : 5;
            }
            try (Tensor initHost = Tensor.of(new float[] {-1, -1, 1, 1}, 2, 2); Tensor init = initHost.to(device);
                    Tensor xHost = Tensor.of(rows, 20, 2); Tensor x = xHost.to(device);
                    EmaCodebook vq = new EmaCodebook(init, 0.0, 1e-5)) {
                try (VectorQuantizer.Nearest q = vq.step(x)) {
                    assertEquals(0, q.indices().toLongArray()[0]);
                    assertEquals(1, q.indices().toLongArray()[1]);
                }
                float[] c = vq.codebook().toFloatArray();
                // smoothed = (10 + 1e-5) / (20 + 2e-5) * 20 = 10 exactly up to rounding
                assertArrayEquals(new float[] {-5, -5, 5, 5}, c, 1e-5f, device.toString());
                assertArrayEquals(new float[] {10, 10}, vq.clusterSize().toFloatArray(), device.toString());
            }
        }
    }

    @Test
    void emaUpdateRejectsMoreColumnsThanItsGridCovers() {
        long d = 65535L * 256 + 1;
        try (Tensor x = Tensor.zeros(DType.F32, Device.cpu(), 0, d);
             Tensor idx = Tensor.of(new long[0]);
             Tensor cs = Tensor.zeros(DType.F32, Device.cpu(), 1);
             Tensor es = Tensor.zeros(DType.F32, Device.cpu(), 1, d)) {
            assertThrows(TensorException.Shape.class,
                    () -> VectorQuantizer.emaUpdate(x, idx, cs, es, 0.99, 1e-5));
        }
    }
}
