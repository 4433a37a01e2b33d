package io.jkernels.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import org.junit.jupiter.api.Test;

/** The float64 references of vq_nearest and vq_ema_update on hand-worked examples (values computed by hand). */
class VqRefTest {

    @Test
    void argminOrderFollowsTorch() {
        double nan = Double.NaN;
        assertTrue(VqRef.before(1.0, 5, 2.0, 0), "smaller value first");
        assertTrue(VqRef.before(1.0, 0, 1.0, 5), "tie: lower index");
        assertFalse(VqRef.before(1.0, 5, 1.0, 0));
        assertTrue(VqRef.before(nan, 9, 0.0, 0), "NaN before any number");
        assertFalse(VqRef.before(0.0, 0, nan, 9));
        assertTrue(VqRef.before(nan, 2, nan, 3), "first NaN");
        assertFalse(VqRef.before(nan, 3, nan, 2));
    }

    @Test
    void nearestOnAHandExample() {
        // codes (0,0), (3,4), (1,1), (3,4) again; rows (2,3) -> code 1 at distance 2 (code 2: 5),
        // (0.5, 0.5) -> codes 0 and 2 tie at 0.5 -> 0, (3,4) -> codes 1 and 3 tie at 0 -> 1
        try (Tensor cb = Tensor.of(new float[] {0, 0, 3, 4, 1, 1, 3, 4}, 4, 2);
                Tensor x = Tensor.of(new float[] {2, 3, 0.5f, 0.5f, 3, 4}, 3, 2);
                Tensor idx = Tensor.empty(DType.I64, Device.cpu(), 3);
                Tensor q = Tensor.empty(DType.F32, Device.cpu(), 3, 2);
                Tensor dist = Tensor.empty(DType.F32, Device.cpu(), 3)) {
            VqRef.nearest(x, cb, idx, q, dist);
            assertArrayEquals(new long[] {1, 0, 1}, idx.toLongArray());
            assertArrayEquals(new float[] {3, 4, 0, 0, 3, 4}, q.toFloatArray());
            assertArrayEquals(new float[] {2, 0.5f, 0}, dist.toFloatArray());
        }
    }

    @Test
    void nanDistancesWinAsInTorch() {
        try (Tensor cb = Tensor.of(new float[] {0, 0, Float.NaN, 1, 5, 5, 1, Float.NaN}, 4, 2);
                Tensor x = Tensor.of(new float[] {5, 5, Float.NaN, 0}, 2, 2);
                Tensor idx = Tensor.empty(DType.I64, Device.cpu(), 2);
                Tensor q = Tensor.empty(DType.F32, Device.cpu(), 2, 2);
                Tensor dist = Tensor.empty(DType.F32, Device.cpu(), 2)) {
            VqRef.nearest(x, cb, idx, q, dist);
            // row 0: code 2 is at distance 0 but code 1 (the first NaN) wins; row 1: all NaN -> 0
            assertArrayEquals(new long[] {1, 0}, idx.toLongArray());
            assertTrue(Float.isNaN(dist.toFloatArray()[0]) && Float.isNaN(dist.toFloatArray()[1]));
        }
    }

    @Test
    void emaUpdateOnAHandExample() {
        // K = 2, D = 1, decay 0.5, eps 1: rows 2, 4 -> code 0, row 6 -> code 1
        // count (2, 1), sum (6, 6); cluster_size (2, 0) -> (2, 0.5); embed_sum (4, 2) -> (5, 4)
        // total 2.5; smoothed = (cs + 1) / (2.5 + 2) * 2.5 = (5/3, 5/6); codebook (3, 4.8)
        try (Tensor x = Tensor.of(new float[] {2, 4, 6}, 3, 1); Tensor idx = Tensor.of(new long[] {0, 0, 1}, 3);
                Tensor cs = Tensor.of(new float[] {2, 0}, 2); Tensor es = Tensor.of(new float[] {4, 2}, 2, 1);
                Tensor cb = Tensor.empty(DType.F32, Device.cpu(), 2, 1)) {
            VqRef.emaUpdate(x, idx, cs, es, 0.5, 1.0, cb);
            assertArrayEquals(new float[] {2, 0.5f}, cs.toFloatArray());
            assertArrayEquals(new float[] {5, 4}, es.toFloatArray());
            assertEquals(3.0f, cb.toFloatArray()[0], 1e-6f);
            assertEquals(4.8f, cb.toFloatArray()[1], 1e-6f);
        }
    }

    @Test
    void emaErrorsWriteNothing() {
        try (Tensor x = Tensor.of(new float[] {2, 4}, 2, 1); Tensor bad = Tensor.of(new long[] {0, 2}, 2);
                Tensor ok = Tensor.of(new long[] {0, 1}, 2);
                Tensor cs = Tensor.of(new float[] {0, 0}, 2); Tensor es = Tensor.of(new float[] {4, 2}, 2, 1);
                Tensor cb = Tensor.zeros(DType.F32, Device.cpu(), 2, 1)) {
            assertThrows(IndexOutOfBoundsException.class, () -> VqRef.emaUpdate(x, bad, cs, es, 0.5, 1e-5, cb));
            // decay 1 keeps the zero cluster sizes: total = 0
            assertThrows(TensorException.class, () -> VqRef.emaUpdate(x, ok, cs, es, 1.0, 1e-5, cb));
            assertArrayEquals(new float[] {0, 0}, cs.toFloatArray());
            assertArrayEquals(new float[] {4, 2}, es.toFloatArray());
            assertArrayEquals(new float[] {0, 0}, cb.toFloatArray());
        }
    }
}
