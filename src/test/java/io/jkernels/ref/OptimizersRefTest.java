package io.jkernels.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The float64 Adam / AdamW reference against values worked out by hand from OPS.md's formula
 * (independent of the code: closed forms of special steps), its NaN rules, and the tensor form
 * against the scalar form. The golden cases (CaseRunnerTest) check it against PyTorch.
 */
class OptimizersRefTest {
    private static final double LR = 1e-3;
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;

    private static double[] state(double p, double m, double v, double vmax) {
        return new double[] {p, m, v, vmax};
    }

    @Test
    void firstStepFromZeroStateIsSignDescent() {
        // step 1 from m = v = 0: m = 0.1 g, v = 0.001 g^2, so m / (1 - b1) = g and
        // sqrt(v) / sqrt(1 - b2) = |g|: the update is lr * g / (|g| + eps)
        double g = 0.25;
        double[] s = state(2.0, 0, 0, 0);
        OptimizersRef.step(s, g, LR, B1, B2, EPS, 0.01, 1, false, false, true);
        assertEquals(2.0 * (1 - LR * 0.01) - LR * g / (g + EPS), s[0], 1e-15);
        assertEquals(0.1 * g, s[1], 1e-16);
        assertEquals(0.001 * g * g, s[2], 1e-18);
    }

    @Test
    void epsIsAddedAfterTheBiasCorrection() {
        // g = 0 and v = 0: denom is eps exactly (not eps / sqrt(1 - b2^t)), so the step is
        // lr / (1 - b1^t) * m / eps
        double[] s = state(0.0, 1e-9, 0, 0);
        long t = 3;
        OptimizersRef.step(s, 0.0, LR, B1, B2, EPS, 0.0, t, false, false, true);
        double m = B1 * 1e-9;
        assertEquals(-(LR / (1 - Math.pow(B1, t))) * m / EPS, s[0], 1e-15);
        // with v > 0: sqrt(v) / sqrt(1 - b2^t) + eps
        s = state(1.0, 0.2, 0.04, 0);
        OptimizersRef.step(s, 0.0, LR, B1, B2, 1e-3, 0.0, 2, false, false, false);
        double mm = 0.18;
        double vv = 0.999 * 0.04;
        double expected = 1.0 - (LR / (1 - 0.81)) * mm / (Math.sqrt(vv) / Math.sqrt(1 - 0.998001) + 1e-3);
        assertEquals(expected, s[0], 1e-15);
    }

    @Test
    void adamAddsDecayToTheGradientAdamwToTheParam() {
        double p = 3.0;
        double g = -0.5;
        double wd = 0.1;
        double[] adam = state(p, 0.05, 0.01, 0);
        OptimizersRef.step(adam, g, LR, B1, B2, EPS, wd, 4, false, false, false);
        double[] plain = state(p, 0.05, 0.01, 0);
        OptimizersRef.step(plain, g + wd * p, LR, B1, B2, EPS, 0.0, 4, false, false, false);
        assertEquals(plain[0], adam[0], 0.0, "adam: g + wd p");
        assertEquals(plain[1], adam[1], 0.0);
        double[] adamw = state(p, 0.05, 0.01, 0);
        OptimizersRef.step(adamw, g, LR, B1, B2, EPS, wd, 4, false, false, true);
        double[] noDecay = state(p * (1 - LR * wd), 0.05, 0.01, 0);
        OptimizersRef.step(noDecay, g, LR, B1, B2, EPS, 0.0, 4, false, false, true);
        assertEquals(noDecay[0], adamw[0], 0.0, "adamw: p (1 - lr wd) first");
        assertEquals(noDecay[2], adamw[2], 0.0, "adamw: v untouched by the decay");
    }

    @Test
    void maximizeNegatesTheGradient() {
        double[] a = state(1.0, 0.3, 0.2, 0);
        double[] b = state(1.0, 0.3, 0.2, 0);
        OptimizersRef.step(a, 0.7, LR, B1, B2, EPS, 0.02, 5, false, true, true);
        OptimizersRef.step(b, -0.7, LR, B1, B2, EPS, 0.02, 5, false, false, true);
        assertEquals(b[0], a[0], 0.0);
        assertEquals(b[1], a[1], 0.0);
        assertEquals(b[2], a[2], 0.0);
    }

    @Test
    void amsgradUsesTheRunningMaxNanPropagating() {
        // vmax above the new v: the update uses vmax, which stays
        double[] s = state(1.0, 0.1, 0.01, 0.5);
        OptimizersRef.step(s, 0.2, LR, B1, B2, EPS, 0.0, 2, true, false, true);
        assertEquals(0.5, s[3], 0.0);
        double expected = 1.0 - (LR / (1 - 0.81)) * s[1] / (Math.sqrt(0.5) / Math.sqrt(1 - 0.998001) + EPS);
        assertEquals(expected, s[0], 1e-15);
        // vmax below: it becomes v
        s = state(1.0, 0.1, 0.01, 0.0);
        OptimizersRef.step(s, 0.2, LR, B1, B2, EPS, 0.0, 2, true, false, true);
        assertEquals(s[2], s[3], 0.0);
        // NaN in vmax or in v gives NaN (torch.maximum), and a NaN param
        s = state(1.0, 0.1, 0.01, Double.NaN);
        OptimizersRef.step(s, 0.2, LR, B1, B2, EPS, 0.0, 2, true, false, true);
        assertTrue(Double.isNaN(s[3]) && Double.isNaN(s[0]));
        s = state(1.0, 0.1, Double.NaN, 0.3);
        OptimizersRef.step(s, 0.2, LR, B1, B2, EPS, 0.0, 2, true, false, true);
        assertTrue(Double.isNaN(s[3]));
    }

    @Test
    void nanFollowsTheFormula() {
        double[] s = state(1.0, 0.1, 0.01, 0);
        OptimizersRef.step(s, Double.NaN, LR, B1, B2, EPS, 0.01, 3, false, false, true);
        assertTrue(Double.isNaN(s[0]) && Double.isNaN(s[1]) && Double.isNaN(s[2]));
        // adam with weight_decay 0 skips the L2 term (as torch): an infinite param leaves m finite
        s = state(Double.POSITIVE_INFINITY, 0.1, 0.01, 0);
        OptimizersRef.step(s, 0.5, LR, B1, B2, EPS, 0.0, 3, false, false, false);
        assertEquals(Double.POSITIVE_INFINITY, s[0]);
        assertEquals(0.9 * 0.1 + 0.1 * 0.5, s[1], 1e-16);
    }

    @Test
    void tensorFormMatchesScalarForm() {
        float[] p = {1f, -2f, 0.5f};
        float[] g = {0.3f, 0.1f, -0.7f};
        float[] m = {0.01f, -0.02f, 0.2f};
        float[] v = {0.04f, 0.001f, 0.3f};
        float[] x = {0.05f, 0.0f, 0.2f};
        try (Tensor tp = Tensor.of(p, 3); Tensor tg = Tensor.of(g, 3); Tensor tm = Tensor.of(m, 3);
                Tensor tv = Tensor.of(v, 3); Tensor tx = Tensor.of(x, 3)) {
            OptimizersRef.adam(tp, tg, tm, tv, tx, 0.01, 0.8, 0.99, 1e-6, 0.1, 7, true, true);
            for (int i = 0; i < 3; i++) {
                double[] s = state(p[i], m[i], v[i], x[i]);
                OptimizersRef.step(s, g[i], 0.01, 0.8, 0.99, 1e-6, 0.1, 7, true, true, false);
                assertEquals((float) s[0], tp.getDouble(i), 0.0, "param " + i);
                assertEquals((float) s[1], tm.getDouble(i), 0.0, "exp_avg " + i);
                assertEquals((float) s[2], tv.getDouble(i), 0.0, "exp_avg_sq " + i);
                assertEquals((float) s[3], tx.getDouble(i), 0.0, "max_exp_avg_sq " + i);
            }
        }
    }
}
