package io.jkernels.ops;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Views;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The trajectory kernels on the host emulator against the float64 reference (cpu): shapes that
 * take every launch plan (one tile per column; several tiles with BX = 1 and BX = 32; partial
 * column blocks), gamma = lmbda = 1 over long columns, NaN/Inf behind done and terminated, an Inf
 * carried across tiles whose coefficient product underflows, non-contiguous inputs, NaN-poisoned
 * outputs and determinism.
 *
 * <p>Tolerance: OPS.md's rtol = atol = 1e-5. Both sides carry float64; the tile scan only
 * re-associates float64 products and sums (relative 1e-16 per step), so the f32 results agree to
 * one rounding.
 */
@Tag("emu")
class ReturnsEmuTest {
    private static final double TOL = 1e-5;

    @BeforeAll
    static void emu() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    /** (T, B): one tile; BX = 1 with 2 and 3 tiles; BX = 32 with a partial column block and many tiles. */
    private static final long[][] SHAPES = {{1, 1}, {17, 3}, {4096, 1}, {4097, 2}, {9000, 31}, {128, 32}, {129, 33},
        {700, 65}, {3, 100}, {0, 4}, {6, 0}};

    record Traj(Tensor r, Tensor v, Tensor nv, Tensor d, Tensor term, Tensor boot) implements AutoCloseable {
        static Traj random(long seed, long t, long b, double pDone, double specials) {
            SplittableRandom g = new SplittableRandom(seed);
            Tensor[] f = new Tensor[3];
            for (int k = 0; k < 3; k++) {
                f[k] = Tensor.empty(DType.F32, Device.cpu(), t, b);
                for (long i = 0; i < t * b; i++) {
                    double u = g.nextDouble();
                    f[k].setDouble(i, u < specials ? Double.NaN : u < 2 * specials ? Double.NEGATIVE_INFINITY : g.nextGaussian());
                }
            }
            Tensor d = Tensor.empty(DType.BOOL, Device.cpu(), t, b);
            Tensor term = Tensor.empty(DType.BOOL, Device.cpu(), t, b);
            for (long i = 0; i < t * b; i++) {
                boolean done = g.nextDouble() < pDone;
                d.setLong(i, done ? 1 : 0);
                term.setLong(i, done && g.nextBoolean() ? 1 : 0);
            }
            return new Traj(f[0], f[1], f[2], d, term, Tensor.randn(seed + 1, DType.F32, Device.cpu(), b));
        }

        Traj to(Device dev) {
            return new Traj(r.to(dev), v.to(dev), nv.to(dev), d.to(dev), term.to(dev), boot.to(dev));
        }

        @Override
        public void close() {
            for (Tensor x : new Tensor[] {r, v, nv, d, term, boot}) {
                x.close();
            }
        }
    }

    /** All three ops on cpu and emu (outputs NaN-poisoned), compared; emu run twice for identical bits. */
    private static void check(String what, Traj cpu, double gamma, double lmbda, boolean bootstrap) {
        long[] shape = cpu.r.shape();
        try (Traj emu = cpu.to(Device.emu());
                Tensor g = Returns.discountedReturn(cpu.r, cpu.d, bootstrap ? cpu.boot : null, gamma);
                Tensor ge = poison(shape); Tensor ge2 = poison(shape);
                Tensor l = Returns.tdLambdaReturn(cpu.r, cpu.nv, cpu.d, cpu.term, gamma, lmbda);
                Tensor le = poison(shape);
                Returns.Gae a = Returns.gae(cpu.r, cpu.v, cpu.nv, cpu.d, cpu.term, gamma, lmbda);
                Tensor ae = poison(shape); Tensor ve = poison(shape); Tensor ae2 = poison(shape); Tensor ve2 = poison(shape);
                Td.Workspace ws = new Td.Workspace(Device.emu())) {
            Returns.discountedReturn(emu.r, emu.d, bootstrap ? emu.boot : null, gamma, ge, ws);
            Returns.discountedReturn(emu.r, emu.d, bootstrap ? emu.boot : null, gamma, ge2, null);
            Returns.tdLambdaReturn(emu.r, emu.nv, emu.d, emu.term, gamma, lmbda, le, ws);
            Returns.gae(emu.r, emu.v, emu.nv, emu.d, emu.term, gamma, lmbda, ae, ve, ws);
            Returns.gae(emu.r, emu.v, emu.nv, emu.d, emu.term, gamma, lmbda, ae2, ve2, ws);
            Compare.allClose(what + " discounted_return", ge, g, TOL, TOL);
            Compare.allClose(what + " td_lambda_return", le, l, TOL, TOL);
            Compare.allClose(what + " gae advantages", ae, a.advantages(), TOL, TOL);
            Compare.allClose(what + " gae value_targets", ve, a.valueTargets(), TOL, TOL);
            Compare.bitEqual(what + " discounted_return twice", ge2, ge);
            Compare.bitEqual(what + " gae twice", ae2, ae);
            Compare.bitEqual(what + " gae value_targets twice", ve2, ve);
        }
    }

    private static Tensor poison(long[] shape) {
        return Tensor.full(Double.NaN, DType.F32, Device.emu(), shape);
    }

    @Test
    void matchesReferenceForEveryLaunchPlan() {
        long seed = 1;
        for (long[] s : SHAPES) {
            try (Traj t = Traj.random(seed++, s[0], s[1], 0.01, 0)) {
                check("(T, B) = (" + s[0] + ", " + s[1] + ")", t, 0.99, 0.95, seed % 2 == 0);
            }
        }
    }

    @Test
    void gammaAndLmbdaOneOverLongColumns() {
        // a sum of 20000 rewards: float32 carries would drift past the tolerance (NOTE [RL accumulate in double])
        try (Traj t = Traj.random(3, 20000, 1, 0, 0)) {
            check("gamma = lmbda = 1, T = 20000", t, 1.0, 1.0, true);
        }
        try (Traj t = Traj.random(4, 3000, 40, 0.001, 0)) {
            check("gamma = lmbda = 1, (3000, 40)", t, 1.0, 1.0, false);
        }
        try (Traj t = Traj.random(5, 5000, 2, 0.01, 0)) {
            check("gamma = lmbda = 0", t, 0.0, 0.0, true);
        }
    }

    @Test
    void specialsStayBehindSelectsAndInfCrossesUnderflowedTiles() {
        try (Traj t = Traj.random(6, 9000, 3, 0.02, 0.002)) {
            check("NaN/-Inf inputs", t, 0.99, 0.95, true);
        }
        // one -Inf reward at the very end of a 50000-step column, gamma lmbda = 0.94: the product over
        // the later tiles underflows to 0 in float64, yet every earlier step is -Inf, as step by step
        try (Traj t = Traj.random(7, 50000, 1, 0, 0)) {
            t.r.setDouble(49999, Double.NEGATIVE_INFINITY);
            check("-Inf at the end of a long column", t, 0.99, 0.95, false);
        }
    }

    @Test
    void nonContiguousInputs() {
        try (Traj t = Traj.random(8, 300, 33, 0.05, 0); Traj e = t.to(Device.emu());
                Tensor rs = Views.strided(e.r); Tensor ds = Views.strided(e.d); Tensor bs = Views.strided(e.boot);
                Tensor expected = Returns.discountedReturn(t.r, t.d, t.boot, 0.9);
                Tensor actual = Returns.discountedReturn(rs, ds, bs, 0.9)) {
            Compare.allClose("strided discounted_return", actual, expected, TOL, TOL);
        }
    }
}
