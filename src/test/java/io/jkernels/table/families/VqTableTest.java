package io.jkernels.table.families;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The near-tie allowance of vq_nearest's conformance comparison (OPS.md "vq_nearest"). */
class VqTableTest {

    /** x = (1, 0); code 0 at distance 1; code 1 at (code1x, 0). The op answered code 1, the case code 0. */
    private static Map<String, Tensor> reconcile(float code1x) {
        Map<String, Tensor> in = Map.of("input", Tensor.of(new float[] {1, 0}, 1, 2),
                "codebook", Tensor.of(new float[] {0, 0, code1x, 0}, 2, 2));
        Map<String, Tensor> actual = Map.of("indices", Tensor.of(new long[] {1}, 1));
        Map<String, Tensor> expected = new LinkedHashMap<>();
        expected.put("indices", Tensor.of(new long[] {0}, 1));
        expected.put("quantized", Tensor.of(new float[] {0, 0}, 1, 2));
        expected.put("distance", Tensor.of(new float[] {1}, 1));
        Map<String, Tensor> out = VqTable.acceptNearTies(in, actual, expected);
        for (Map<String, Tensor> m : List.of(in, actual, expected)) {
            m.values().forEach(Tensor::close);
        }
        return out == expected ? null : out;
    }

    @Test
    void aCodeWithinOneMillionthOfTheBestIsAccepted() {
        float x1 = 2f + 0x1p-22f; // distance 1 + 2^-21 + 2^-44: 4.8e-7 above the best
        Map<String, Tensor> out = reconcile(x1);
        assertArrayEquals(new long[] {1}, out.get("indices").toLongArray());
        assertArrayEquals(new float[] {x1, 0}, out.get("quantized").toFloatArray());
        assertEquals((float) ((1.0 - x1) * (1.0 - x1)), out.get("distance").toFloatArray()[0]);
        out.values().forEach(Tensor::close);
    }

    @Test
    void aCodeOutsideTheWindowIsNotAccepted() {
        assertSame(null, reconcile(2f + 0x1p-18f)); // 7.6e-6 above the best
        assertSame(null, reconcile(2.01f));
    }
}
