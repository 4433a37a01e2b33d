package io.jkernels.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AllCloseTest {
    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    private static AllClose.Result cmp(float[] actual, float[] expected, double rtol, double atol) {
        try (Tensor a = Tensor.of(actual); Tensor e = Tensor.of(expected)) {
            return AllClose.compare(a, e, rtol, atol);
        }
    }

    @Test
    void withinTolerancePasses() {
        AllClose.Result r = cmp(new float[] {1.0f, 2.0f, -4.0f}, new float[] {1.0f, 2.00002f, -4.0f}, 1e-5, 1e-6);
        assertTrue(r.passed(), r.message());
        assertEquals(0, r.failures());
        assertEquals(1, r.worstIndex());
        assertEquals(Math.abs(2.0f - 2.00002f), r.maxAbs(), 1e-12);
        assertEquals(Math.abs(2.0f - 2.00002f) / 2.00002f, r.maxRel(), 1e-12);
    }

    @Test
    void boundaryIsInclusiveAndOutsideFails() {
        assertTrue(cmp(new float[] {1.5f}, new float[] {1.0f}, 0, 0.5).passed());
        AllClose.Result r = cmp(new float[] {1.5f, 0f, 3f}, new float[] {1.0f, 0f, 2f}, 0, 0.25);
        assertFalse(r.passed());
        assertEquals(2, r.failures());
        assertEquals(2, r.worstIndex()); // |3 - 2| / 0.25 = 4 beats |1.5 - 1| / 0.25 = 2
        assertEquals(3.0, r.actual());
        assertEquals(2.0, r.expected());
        assertTrue(r.message().contains("2 of 3 elements differ"), r.message());
        assertTrue(r.message().contains("[2]"), r.message());
    }

    @Test
    void worstIsTheLargestErrorOverTolerance() {
        // 0.5 off at expected 100 (tol 0.1 + 0.01 * 100 = 1.1: ratio 0.45) is better than 0.3 off at 0 (ratio 3)
        AllClose.Result r = cmp(new float[] {100.5f, 0.3f}, new float[] {100f, 0f}, 0.01, 0.1);
        assertEquals(1, r.worstIndex());
        assertEquals(0.5, r.maxAbs(), 1e-6);
        assertEquals(0.005, r.maxRel(), 1e-6); // only the non-zero expected counts
    }

    @Test
    void nanMeetsNanOnly() {
        assertTrue(cmp(new float[] {NAN, 1f}, new float[] {NAN, 1f}, 0, 0).passed());
        AllClose.Result r = cmp(new float[] {1f, NAN, 2f}, new float[] {1f, 1f, 2f}, 1, 1);
        assertFalse(r.passed());
        assertEquals(1, r.worstIndex());
        assertEquals(Double.POSITIVE_INFINITY, r.maxAbs());
        assertEquals(Double.POSITIVE_INFINITY, r.maxRel());
        assertFalse(cmp(new float[] {0f}, new float[] {NAN}, 1, 1).passed());
    }

    @Test
    void infinitiesMustMatch() {
        assertTrue(cmp(new float[] {INF, -INF}, new float[] {INF, -INF}, 1e-5, 1e-6).passed());
        AllClose.Result r = cmp(new float[] {0f, -INF}, new float[] {0f, INF}, 1e-5, 1e-6);
        assertFalse(r.passed());
        assertEquals(1, r.worstIndex());
        assertFalse(cmp(new float[] {Float.MAX_VALUE}, new float[] {INF}, 1, 1).passed());
        assertFalse(cmp(new float[] {INF}, new float[] {Float.MAX_VALUE}, 1, 1).passed());
        assertFalse(cmp(new float[] {NAN}, new float[] {INF}, 1, 1).passed());
    }

    @Test
    void signedZerosMeet() {
        AllClose.Result r = cmp(new float[] {-0.0f}, new float[] {0.0f}, 0, 0);
        assertTrue(r.passed(), r.message());
        assertEquals(0.0, r.maxAbs());
    }

    @Test
    void zeroToleranceIsExact() {
        AllClose.Result r = cmp(new float[] {1f, Math.nextUp(1f)}, new float[] {1f, 1f}, 0, 0);
        assertFalse(r.passed());
        assertEquals(1, r.worstIndex());
        assertEquals(Double.POSITIVE_INFINITY, r.worstRatio());
    }

    @Test
    void integersAndBoolsAreExact() {
        try (Tensor a = Tensor.of(new long[] {1, 9007199254740993L, -3}); Tensor e = Tensor.of(new long[] {1, 9007199254740992L, -3})) {
            AllClose.Result r = AllClose.compare(a, e, 1, 1);
            assertFalse(r.passed());
            assertEquals(1, r.worstIndex());
            assertEquals(1, r.failures());
            assertTrue(r.message().contains("9007199254740993"), r.message());
        }
        try (Tensor a = Tensor.of(new int[] {4, 5}); Tensor e = Tensor.of(new long[] {4, 5})) {
            assertTrue(AllClose.compare(a, e, 0, 0).passed()); // int32 and int64 values compare
        }
        try (Tensor a = Tensor.of(new boolean[] {true, false}); Tensor e = Tensor.of(new boolean[] {true, true})) {
            AllClose.Result r = AllClose.compare(a, e, 1, 1);
            assertFalse(r.passed());
            assertEquals(1, r.worstIndex());
        }
        try (Tensor a = Tensor.of(new float[] {1f}); Tensor e = Tensor.of(new long[] {1})) {
            AllClose.Result r = AllClose.compare(a, e, 1, 1);
            assertFalse(r.passed());
            assertTrue(r.message().contains("dtype"), r.message());
        }
    }

    @Test
    void shapeMismatchFails() {
        try (Tensor a = Tensor.of(new float[6], 2, 3); Tensor e = Tensor.of(new float[6], 3, 2)) {
            AllClose.Result r = AllClose.compare(a, e, 1, 1);
            assertFalse(r.passed());
            assertEquals("shape [2, 3] does not match expected shape [3, 2]", r.message());
        }
    }

    @Test
    void worstIndexIsMultiDimensionalAndStridesAreHonoured() {
        float[] data = {0, 1, 2, 3, 4, 5};
        try (Tensor base = Tensor.of(data, 2, 3); Tensor a = base.transpose(0, 1);
             Tensor e = Tensor.of(new float[] {0, 3, 1, 4, 2, 7}, 3, 2)) {
            AllClose.Result r = AllClose.compare(a, e, 0, 0.5);
            assertFalse(r.passed());
            assertEquals(5, r.worstIndex());
            assertEquals("[2, 1]", r.worstIndexString());
        }
    }

    @Test
    void emptyTensorsPass() {
        try (Tensor a = Tensor.of(new float[0], 2, 0); Tensor e = Tensor.of(new float[0], 2, 0)) {
            AllClose.Result r = AllClose.compare(a, e, 0, 0);
            assertTrue(r.passed());
            assertEquals(-1, r.worstIndex());
            assertEquals("-", r.worstIndexString());
        }
    }
}
