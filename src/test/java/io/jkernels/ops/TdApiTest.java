package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jkernels.ops.Td.Reduction;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Argument checks of {@link Td} and {@link Returns} on cpu and (when available) emu: every bad
 * argument is a typed exception and leaves the table and every input as it was.
 */
class TdApiTest {

    private static List<Device> devices() {
        List<Device> d = new ArrayList<>(List.of(Device.cpu()));
        if (Device.emuAvailable()) {
            d.add(Device.emu());
        }
        return d;
    }

    private static void rejects(Class<? extends Throwable> type, Tensor table, Executable call) {
        float[] before = table.toFloatArray();
        assertThrows(type, call);
        assertArrayEquals(before, table.toFloatArray(), "the table changed on a rejected call");
    }

    @Test
    void tabularArgumentsAreChecked() {
        for (Device dev : devices()) {
            try (Tensor q = Tensor.randn(1, DType.F32, dev, 4, 3); Tensor s = Tensor.of(new long[] {0, 1, 2}).to(dev);
                    Tensor a = Tensor.of(new int[] {0, 1, 2}).to(dev); Tensor r = Tensor.randn(2, DType.F32, dev, 3);
                    Tensor d = Tensor.zeros(DType.BOOL, dev, 3); Tensor df = Tensor.zeros(DType.F32, dev, 3);
                    Tensor r4 = Tensor.randn(3, DType.F32, dev, 4); Tensor sf = Tensor.zeros(DType.F32, dev, 3);
                    Tensor bad = Tensor.of(new long[] {0, 4, 1}).to(dev); Tensor neg = Tensor.of(new long[] {0, -1, 1}).to(dev);
                    Tensor qt = q.transpose(0, 1); Tensor q0 = Tensor.zeros(DType.F32, dev, 4, 0)) {
                Reduction sum = Reduction.SUM;
                rejects(TensorException.DTypeMismatch.class, q, () -> Td.qLearningUpdate(q, s, a, r, s, df, 0.9, 0.1, sum));
                rejects(TensorException.DTypeMismatch.class, q, () -> Td.qLearningUpdate(q, sf, a, r, s, d, 0.9, 0.1, sum));
                rejects(TensorException.Shape.class, q, () -> Td.qLearningUpdate(q, s, a, r4, s, d, 0.9, 0.1, sum));
                rejects(TensorException.BadAttr.class, q, () -> Td.qLearningUpdate(q, s, a, r, s, d, 1.5, 0.1, sum));
                rejects(TensorException.BadAttr.class, q, () -> Td.qLearningUpdate(q, s, a, r, s, d, 0.9, -0.1, sum));
                rejects(TensorException.BadAttr.class, q, () -> Td.qLearningUpdate(q, s, a, r, s, d, Double.NaN, 0.1, sum));
                rejects(TensorException.BadAttr.class, q,
                        () -> Td.expectedSarsaUpdate(q, s, a, r, s, d, 0.9, 0.1, 1.1, sum));
                rejects(TensorException.Shape.class, qt, () -> Td.qLearningUpdate(qt, s, a, r, s, d, 0.9, 0.1, sum));
                rejects(IndexOutOfBoundsException.class, q, () -> Td.qLearningUpdate(q, bad, a, r, s, d, 0.9, 0.1, sum));
                rejects(IndexOutOfBoundsException.class, q, () -> Td.qLearningUpdate(q, s, a, r, neg, d, 0.9, 0.1, sum));
                rejects(IndexOutOfBoundsException.class, q, () -> Td.sarsaUpdate(q, s, a, r, s, bad, d, 0.9, 0.1, sum));
                rejects(TensorException.Shape.class, q0, () -> Td.qLearningUpdate(q0, s, a, r, s, d, 0.9, 0.1, sum));
                rejects(TensorException.Shape.class, q0, () -> Td.dqnTarget(q0, r4, d, null, 0.9, null));
                assertThrows(TensorException.BadAttr.class, () -> Reduction.parse("max"));
                assertThrows(IllegalStateException.class, () -> {
                    Tensor c = Tensor.randn(4, DType.F32, dev, 3);
                    c.close();
                    Td.qLearningUpdate(q, s, a, c, s, d, 0.9, 0.1, sum);
                });
            }
        }
    }

    @Test
    void emptyBatchChangesNothingAndInt32IndicesAreWidened() {
        for (Device dev : devices()) {
            try (Tensor v = Tensor.randn(5, DType.F32, dev, 6); Tensor e = Tensor.zeros(DType.I64, dev, 0);
                    Tensor er = Tensor.zeros(DType.F32, dev, 0); Tensor ed = Tensor.zeros(DType.BOOL, dev, 0)) {
                float[] before = v.toFloatArray();
                assertEquals(v, Td.td0Update(v, e, er, e, ed, 0.9, 0.1, Reduction.SUM));
                assertArrayEquals(before, v.toFloatArray());
            }
            // the same update with int32 and int64 indices gives the same bits
            try (Tensor v32 = Tensor.randn(6, DType.F32, dev, 6); Tensor v64 = v32.copy();
                    Tensor s32 = Tensor.of(new int[] {0, 5, 5, 2}).to(dev); Tensor s64 = Tensor.of(new long[] {0, 5, 5, 2}).to(dev);
                    Tensor r = Tensor.randn(7, DType.F32, dev, 4); Tensor d = Tensor.zeros(DType.BOOL, dev, 4)) {
                Td.td0Update(v32, s32, r, s32, d, 0.9, 0.1, Reduction.MEAN);
                Td.td0Update(v64, s64, r, s64, d, 0.9, 0.1, Reduction.MEAN);
                assertArrayEquals(v64.toFloatArray(), v32.toFloatArray());
            }
        }
    }

    @Test
    void trajectoryArgumentsAreChecked() {
        for (Device dev : devices()) {
            try (Tensor r = Tensor.randn(1, DType.F32, dev, 5, 2); Tensor d = Tensor.zeros(DType.BOOL, dev, 5, 2);
                    Tensor df = Tensor.zeros(DType.F32, dev, 5, 2); Tensor d3 = Tensor.zeros(DType.BOOL, dev, 5, 3);
                    Tensor r1 = Tensor.randn(2, DType.F32, dev, 5); Tensor boot3 = Tensor.randn(3, DType.F32, dev, 3)) {
                assertThrows(TensorException.DTypeMismatch.class, () -> Returns.discountedReturn(r, df, null, 0.9));
                assertThrows(TensorException.Shape.class, () -> Returns.discountedReturn(r, d3, null, 0.9));
                assertThrows(TensorException.Shape.class, () -> Returns.discountedReturn(r1, d, null, 0.9));
                assertThrows(TensorException.Shape.class, () -> Returns.discountedReturn(r, d, boot3, 0.9));
                assertThrows(TensorException.BadAttr.class, () -> Returns.discountedReturn(r, d, null, -0.5));
                assertThrows(TensorException.BadAttr.class, () -> Returns.gae(r, r, r, d, d, 0.9, 1.2));
                assertThrows(TensorException.DTypeMismatch.class, () -> Returns.tdLambdaReturn(r, r, d, df, 0.9, 0.9));
            }
        }
    }
}
