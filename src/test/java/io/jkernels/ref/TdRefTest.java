package io.jkernels.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** TdRef on hand-worked examples (expected values computed by hand from OPS.md's formulas). */
class TdRefTest {
    private static final double EPS = 1e-6;

    private static Tensor q(float[] v, long s, long a) {
        return Tensor.of(v, s, a);
    }

    @Test
    void qLearningIsSynchronousAndSumsCollisions() {
        // Q = [[0, 1], [2, 4]]; transitions (s, a, r, s', d): (0, 0, 1, 1, F), (0, 0, 0, 0, F), (1, 1, 2, 1, T)
        try (Tensor t = q(new float[] {0, 1, 2, 4}, 2, 2);
                Tensor s = Tensor.of(new long[] {0, 0, 1}); Tensor a = Tensor.of(new long[] {0, 0, 1});
                Tensor r = Tensor.of(new float[] {1, 0, 2}); Tensor ns = Tensor.of(new long[] {1, 0, 1});
                Tensor d = Tensor.of(new boolean[] {false, false, true})) {
            TdRef.qLearningUpdate(t, s, a, r, ns, d, 0.5, 0.1, false);
            // deltas from the old table: 1 + 0.5 * 4 - 0 = 3; 0 + 0.5 * 1 - 0 = 0.5; 2 - 4 = -2
            assertArrayEquals(new float[] {0.35f, 1, 2, 3.8f}, t.toFloatArray(), 1e-6f);
        }
        try (Tensor t = q(new float[] {0, 1, 2, 4}, 2, 2);
                Tensor s = Tensor.of(new long[] {0, 0}); Tensor a = Tensor.of(new long[] {0, 0});
                Tensor r = Tensor.of(new float[] {1, 0}); Tensor ns = Tensor.of(new long[] {1, 0});
                Tensor d = Tensor.of(new boolean[] {false, false})) {
            TdRef.qLearningUpdate(t, s, a, r, ns, d, 0.5, 0.1, true);
            assertEquals(0.1 * (3 + 0.5) / 2, t.getDouble(0), EPS);
        }
    }

    @Test
    void doneSelectsAwayNaNAndMaxPropagatesNaN() {
        try (Tensor t = q(new float[] {1, 2, Float.NaN, 0}, 2, 2);
                Tensor s = Tensor.of(new long[] {0, 0}); Tensor a = Tensor.of(new long[] {0, 1});
                Tensor r = Tensor.of(new float[] {1, 1}); Tensor ns = Tensor.of(new long[] {1, 1});
                Tensor d = Tensor.of(new boolean[] {true, false})) {
            TdRef.qLearningUpdate(t, s, a, r, ns, d, 0.9, 0.5, false);
            assertEquals(1 + 0.5 * (1 - 1), t.getDouble(0), EPS);  // done: Q[1] (holding NaN) not read
            assertEquals(Double.NaN, t.getDouble(1));              // max over [NaN, 0] is NaN
        }
        try (Tensor row = Tensor.of(new float[] {1, 3, 3, Float.NaN, Float.NaN})) {
            assertEquals(3, TdRef.argmax(row, 0, 5));
            assertEquals(1, TdRef.argmax(row, 0, 3));
            // epsilon-greedy over [1, 3, 3]: 0.3/3 each, + 0.7 on index 1
            assertEquals(0.1 * 1 + 0.8 * 3 + 0.1 * 3, TdRef.expectedQ(row, 0, 3, 0.3), EPS);
        }
    }

    @Test
    void anIndexOutOfRangeLeavesTheTableUnchanged() {
        try (Tensor t = Tensor.of(new float[] {1, 2, 3}); Tensor s = Tensor.of(new long[] {0, 3});
                Tensor r = Tensor.of(new float[] {1, 1}); Tensor ns = Tensor.of(new int[] {1, 1});
                Tensor d = Tensor.of(new boolean[] {false, false})) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                    () -> TdRef.td0Update(t, s, r, ns, d, 0.9, 0.1, false));
            assertEquals("states[1] = 3 is out of range [0, 3)", e.getMessage());
            assertArrayEquals(new float[] {1, 2, 3}, t.toFloatArray());
        }
    }

    @Test
    void runningMeanLinearTdAndDqnTarget() {
        try (Tensor m = Tensor.of(new float[] {2, 0}); Tensor c = Tensor.of(new long[] {2, 0});
                Tensor s = Tensor.of(new long[] {0, 1, 0}); Tensor x = Tensor.of(new float[] {5, 7, 8})) {
            TdRef.runningMeanUpdate(m, c, s, x);
            assertArrayEquals(new float[] {(2 * 2 + 5 + 8) / 4f, 7}, m.toFloatArray(), 1e-6f);
            assertArrayEquals(new long[] {4, 1}, c.toLongArray());
        }
        // w = [1, 2]; phi = [1, 0], phi' = [0, 1], r = 1, gamma 0.5: delta = 1 + 1 - 1 = 1; w0 += 0.1
        try (Tensor w = Tensor.of(new float[] {1, 2}); Tensor f = Tensor.of(new float[] {1, 0}, 1, 2);
                Tensor fn = Tensor.of(new float[] {0, 1}, 1, 2); Tensor r = Tensor.of(new float[] {1});
                Tensor d = Tensor.of(new boolean[] {false})) {
            TdRef.linearTdUpdate(w, f, r, fn, d, 0.5, 0.1, false);
            assertArrayEquals(new float[] {1.1f, 2}, w.toFloatArray(), 1e-6f);
        }
        try (Tensor nq = Tensor.of(new float[] {1, 5, 2, 9, Float.NaN, 3}, 2, 3);
                Tensor on = Tensor.of(new float[] {0, 0, 1, Float.NaN, 1, 1}, 2, 3);
                Tensor r = Tensor.of(new float[] {1, 2}); Tensor d = Tensor.of(new boolean[] {false, false});
                Tensor out = Tensor.of(new float[2])) {
            TdRef.dqnTarget(nq, r, d, null, 0.5, out);
            assertEquals(1 + 2.5, out.getDouble(0), EPS);
            assertEquals(Double.NaN, out.getDouble(1));
            TdRef.dqnTarget(nq, r, d, on, 0.5, out);
            assertArrayEquals(new float[] {1 + 1, 2 + 4.5f}, out.toFloatArray(), 1e-6f);
        }
    }
}
