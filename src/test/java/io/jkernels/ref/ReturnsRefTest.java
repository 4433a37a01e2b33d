package io.jkernels.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** ReturnsRef on hand-worked columns (expected values computed by hand from OPS.md's formulas). */
class ReturnsRefTest {
    private static final float TOL = 1e-6f;

    @Test
    void discountedReturnWithDoneAndBootstrap() {
        // one column, r = [1, 2, 3], done at t = 0, bootstrap 10, gamma 0.5
        try (Tensor r = Tensor.of(new float[] {1, 2, 3}, 3, 1); Tensor d = Tensor.of(new boolean[] {true, false, false}, 3, 1);
                Tensor boot = Tensor.of(new float[] {10}); Tensor out = Tensor.of(new float[3], 3, 1)) {
            ReturnsRef.discountedReturn(r, d, boot, 0.5, out);
            assertArrayEquals(new float[] {1, 2 + 0.5f * 8, 3 + 5}, out.toFloatArray(), TOL);
        }
    }

    @Test
    void gaeAndTdLambdaOnTwoColumns() {
        // column 0: r = [1, 1], v = [0.5, 0.5], nv = [2, 4], no ends; column 1: terminated at t = 0,
        // next_values NaN there (not read). gamma 0.5, lmbda 0.5.
        float nan = Float.NaN;
        try (Tensor r = Tensor.of(new float[] {1, 0, 1, 1}, 2, 2); Tensor v = Tensor.of(new float[] {0.5f, 1, 0.5f, 1}, 2, 2);
                Tensor nv = Tensor.of(new float[] {2, nan, 4, 2}, 2, 2);
                Tensor d = Tensor.of(new boolean[] {false, true, false, false}, 2, 2);
                Tensor term = Tensor.of(new boolean[] {false, true, false, false}, 2, 2);
                Tensor adv = Tensor.of(new float[4], 2, 2); Tensor vt = Tensor.of(new float[4], 2, 2);
                Tensor g = Tensor.of(new float[4], 2, 2)) {
            ReturnsRef.gae(r, v, nv, d, term, 0.5, 0.5, adv, vt);
            // col 0: delta1 = 1 + 2 - 0.5 = 2.5, A1 = 2.5; delta0 = 1 + 1 - 0.5 = 1.5, A0 = 1.5 + 0.25 * 2.5
            // col 1: delta1 = 1 + 1 - 1 = 1; t = 0 terminated and done: A0 = 0 + 0 - 1 = -1
            assertArrayEquals(new float[] {2.125f, -1, 2.5f, 1}, adv.toFloatArray(), TOL);
            assertArrayEquals(new float[] {2.625f, 0, 3, 2}, vt.toFloatArray(), TOL);
            ReturnsRef.tdLambdaReturn(r, nv, d, term, 0.5, 0.5, g);
            // col 0: G1 = 1 + 0.5 * 4 = 3; G0 = 1 + 0.5 * (0.5 * 2 + 0.5 * 3) = 2.25; col 1: G1 = 1 + 1 = 2, G0 = 0
            assertArrayEquals(new float[] {2.25f, 0, 3, 2}, g.toFloatArray(), TOL);
        }
    }
}
