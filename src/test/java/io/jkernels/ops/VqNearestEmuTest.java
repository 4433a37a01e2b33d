package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jkernels.ref.VqRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Poison;
import io.jkernels.testing.Views;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * vq_nearest's kernels (kernels/vq.cu) on the host emulator against {@link VqRef}: shapes around
 * every tile edge (N, K around 128, D odd, D % 4 == 0 for the vector path), adversarial inputs for
 * the float32 certificate (near-duplicate codes, data at a large offset with tiny distances,
 * exact ties, NaN and Inf, float32-overflowing magnitudes), layouts, poisoned outputs, determinism.
 *
 * <p>What is checked, per row: the index is one OPS.md accepts (the float64 argmin, an exact tie
 * resolved to the lowest index, or within d - d_best <= 1e-6 d_best; NaN: the first NaN index),
 * quantized is the chosen code exactly, distance is the float64 distance to the chosen code
 * rounded once (OPS.md's default rtol 1e-5, atol 1e-6; the kernel sums in float64, so it is in
 * fact within one float32 rounding). The certificate makes the kernel return the exact argmin, so
 * {@link #check} also counts rows that differ from the reference and the adversarial tests require 0.
 */
@Tag("emu")
class VqNearestEmuTest {

    @BeforeAll
    static void emu() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    static Tensor randn(long seed, double scale, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.empty(DType.F32, Device.cpu(), shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, scale * r.nextGaussian());
        }
        return t;
    }

    /**
     * Runs nearest on emu (outputs NaN/-1 poisoned) and checks it against the reference as the
     * class comment says; returns how many indices differ from the reference's exact argmin.
     */
    static int check(String what, Tensor x, Tensor cb) {
        long d = cb.size(1);
        long[] lead = Arrays.copyOf(x.shape(), x.dim() - 1);
        try (Tensor xe = x.to(Device.emu()); Tensor ce = cb.to(Device.emu());
                VectorQuantizer.Nearest out = new VectorQuantizer.Nearest(
                        Tensor.full(-1, DType.I64, Device.emu(), lead), Poison.nan(DType.F32, Device.emu(), x.shape()),
                        Poison.nan(DType.F32, Device.emu(), lead))) {
            VectorQuantizer.nearest(xe, ce, out);
            return verify(what, x, cb, out.indices().toLongArray(), out.quantized().toFloatArray(),
                    out.distance().toFloatArray(), d);
        }
    }

    static int verify(String what, Tensor x, Tensor cb, long[] idx, float[] q, float[] dist, long dl) {
        int d = (int) dl;
        int k = (int) cb.size(0);
        double[] xv = x.toDoubleArray();
        double[] cv = cb.toDoubleArray();
        int differ = 0;
        for (int r = 0; r < idx.length; r++) {
            int ref = VqRef.nearestRow(xv, r, cv, k, d);
            long got = idx[r];
            if (got < 0 || got >= k) {
                fail(what + ": row " + r + " index " + got + " out of range (unwritten?)");
            }
            double dref = VqRef.distance(xv, r, cv, ref, d);
            double dgot = VqRef.distance(xv, r, cv, got, d);
            if (got != ref) {
                differ++;
                boolean ok = !Double.isNaN(dref) && !Double.isNaN(dgot) && dgot - dref <= 1e-6 * dref;
                if (!ok) {
                    fail(what + ": row " + r + " index " + got + " (d = " + dgot + "), expected " + ref + " (d = " + dref
                            + ")");
                }
            }
            for (int j = 0; j < d; j++) {
                float e = (float) cv[(int) got * d + j];
                if (Float.floatToRawIntBits(q[r * d + j]) != Float.floatToRawIntBits(e)
                        && !(Float.isNaN(e) && Float.isNaN(q[r * d + j]))) {
                    fail(what + ": quantized[" + r + ", " + j + "] = " + q[r * d + j] + ", code " + got + " has " + e);
                }
            }
            double m = Compare.mismatch(dist[r], (float) dgot, 1e-5, 1e-6);
            if (m > 1) {
                fail(what + ": distance[" + r + "] = " + dist[r] + ", expected " + (float) dgot);
            }
        }
        return differ;
    }

    @ParameterizedTest(name = "N={0} K={1} D={2}")
    @CsvSource({"1,1,1", "3,2,3", "17,5,4", "127,129,8", "128,128,16", "129,127,255", "300,300,3", "257,1,64",
        "2,257,1", "130,3,12", "200,130,33", "5,1000,6"})
    void randomMatchesReference(long n, long k, long d) {
        try (Tensor x = randn(n * 31 + k, 1.0, n, d); Tensor cb = randn(k * 7 + d, 1.0, k, d)) {
            check("random", x, cb);
        }
    }

    @Test
    void emptyAndZeroDimension() {
        try (Tensor x = randn(1, 1, 0, 5); Tensor cb = randn(2, 1, 3, 5)) {
            check("N = 0", x, cb);
        }
        try (Tensor x = randn(1, 1, 7, 0); Tensor cb = randn(2, 1, 3, 0)) {
            // D = 0: every distance is 0, an exact tie: code 0
            check("D = 0", x, cb);
        }
    }

    @Test
    void nearDuplicateCodesAreDecidedExactly() {
        // pairs of codes one float32 ulp apart (relative 6e-8, far inside the float32 noise of the
        // expanded form) and rows placed near their midpoints: the float32 ranking cannot be trusted
        int k = 130;
        int d = 37;
        int n = 260;
        try (Tensor cb = randn(11, 1.0, k, d); Tensor x = Tensor.empty(DType.F32, Device.cpu(), n, d)) {
            SplittableRandom r = new SplittableRandom(5);
            for (int c = 1; c < k; c += 2) {
                for (int j = 0; j < d; j++) {
                    float v = (float) cb.getDouble((long) (c - 1) * d + j);
                    cb.setDouble((long) c * d + j, r.nextBoolean() ? Math.nextUp(v) : Math.nextDown(v));
                }
            }
            for (int i = 0; i < n; i++) {
                int c = (i % (k / 2)) * 2;
                for (int j = 0; j < d; j++) {
                    double a = cb.getDouble((long) c * d + j);
                    double b = cb.getDouble((long) (c + 1) * d + j);
                    x.setDouble((long) i * d + j, (a + b) / 2 + 1e-7 * r.nextGaussian());
                }
            }
            assertEquals(0, check("near-duplicates", x, cb), "rows differing from the exact argmin");
        }
    }

    @Test
    void largeOffsetSmallDistances() {
        // |x| ~ 1e3, distances ~ 1e-2: the expanded form in float32 has an absolute error ~ 1e-1
        // without centring; the kernel must still return the exact argmin and the distance to 1e-5
        int k = 150;
        int d = 64;
        int n = 200;
        try (Tensor base = randn(3, 1000.0, 1, d); Tensor cb = Tensor.empty(DType.F32, Device.cpu(), k, d);
                Tensor x = Tensor.empty(DType.F32, Device.cpu(), n, d)) {
            SplittableRandom r = new SplittableRandom(9);
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    cb.setDouble((long) c * d + j, base.getDouble(j) + 0.01 * r.nextGaussian());
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    x.setDouble((long) i * d + j, base.getDouble(j) + 0.01 * r.nextGaussian());
                }
            }
            assertEquals(0, check("offset 1e3", x, cb));
        }
    }

    @Test
    void exactTiesTakeTheLowestIndex() {
        // duplicated codes (bitwise equal) and symmetric codes +-e_j around x = 0
        int d = 9;
        try (Tensor cb = randn(21, 1.0, 140, d); Tensor x = randn(22, 1.0, 133, d)) {
            for (int c = 70; c < 140; c++) {  // codes 70.. repeat codes 0..
                for (int j = 0; j < d; j++) {
                    cb.setDouble((long) c * d + j, cb.getDouble((long) (c - 70) * d + j));
                }
            }
            assertEquals(0, check("duplicates", x, cb));
        }
        try (Tensor cb = Tensor.zeros(DType.F32, Device.cpu(), 6, 3); Tensor x = Tensor.zeros(DType.F32, Device.cpu(), 4, 3)) {
            for (int j = 0; j < 3; j++) {
                cb.setDouble(j * 3 + j, -1.0);
                cb.setDouble((j + 3) * 3 + j, 1.0);
            }
            try (Tensor xe = x.to(Device.emu()); Tensor ce = cb.to(Device.emu());
                    VectorQuantizer.Nearest q = VectorQuantizer.nearest(xe, ce)) {
                assertArrayEquals(new long[] {0, 0, 0, 0}, q.indices().toLongArray(), "6-way tie at distance 1");
                assertArrayEquals(new float[] {1, 1, 1, 1}, q.distance().toFloatArray());
            }
        }
    }

    @Test
    void nanAndInfFollowTorchArgmin() {
        int d = 5;
        try (Tensor cb = randn(31, 1.0, 140, d); Tensor x = randn(32, 1.0, 9, d)) {
            cb.setDouble(131L * d + 2, Double.NaN);  // code 131 NaN: any row picks it (the first NaN)
            cb.setDouble(135L * d, Double.NaN);
            x.setDouble(4L * d + 3, Double.NaN);     // row 4 NaN: all distances NaN -> code 0
            x.setDouble(6L * d, Double.POSITIVE_INFINITY);  // row 6: Inf distances, then the NaN code
            check("NaN", x, cb);
            try (Tensor xe = x.to(Device.emu()); Tensor ce = cb.to(Device.emu());
                    VectorQuantizer.Nearest q = VectorQuantizer.nearest(xe, ce)) {
                long[] idx = q.indices().toLongArray();
                for (int i = 0; i < 9; i++) {
                    assertEquals(i == 4 ? 0 : 131, idx[i], "row " + i);
                    assertTrue(Float.isNaN(q.distance().toFloatArray()[i]));
                }
            }
        }
        try (Tensor cb = randn(33, 1.0, 20, 4); Tensor x = randn(34, 1.0, 3, 4)) {
            cb.setDouble(7L * 4 + 1, Double.POSITIVE_INFINITY);  // an infinite code: never the nearest
            x.setDouble(1, 3e38);                                 // float32 would overflow in the expanded form
            check("Inf / overflow", x, cb);
        }
    }

    @Test
    void hugeAndTinyMagnitudes() {
        try (Tensor cb = randn(41, 1e18, 70, 8); Tensor x = randn(42, 1e18, 40, 8)) {
            assertEquals(0, check("1e18 (squares overflow float32)", x, cb));
        }
        try (Tensor cb = randn(43, 1e-22, 70, 8); Tensor x = randn(44, 1e-22, 40, 8)) {
            assertEquals(0, check("1e-22 (squares underflow float32)", x, cb));
        }
    }

    @Test
    void layoutsAndLeadingDimensions() {
        try (Tensor x = randn(51, 1.0, 3, 7, 12); Tensor cb = randn(52, 1.0, 130, 12)) {
            check("rank 3", x, cb);
            try (Tensor xm = Views.misaligned(x); Tensor cm = Views.misaligned(cb)) {
                check("misaligned (scalar path)", xm, cm);
            }
            try (Tensor xt = x.transpose(0, 1)) {
                check("non-contiguous input", xt, cb);
            }
        }
    }

    @Test
    void deterministicAndOutFormMatchesNew() {
        try (Tensor x = randn(61, 1.0, 300, 20); Tensor cb = randn(62, 0.3, 260, 20);
                Tensor xe = x.to(Device.emu()); Tensor ce = cb.to(Device.emu());
                VectorQuantizer.Nearest a = VectorQuantizer.nearest(xe, ce);
                VectorQuantizer.Nearest b = VectorQuantizer.nearest(xe, ce)) {
            Compare.bitEqual("indices", b.indices(), a.indices());
            Compare.bitEqual("quantized", b.quantized(), a.quantized());
            Compare.bitEqual("distance", b.distance(), a.distance());
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (Tensor xh = randn(71, 1.0, 4, 3); Tensor x = xh.to(Device.emu()); Tensor cbh = randn(72, 1.0, 5, 4);
                Tensor cb = cbh.to(Device.emu());
                Tensor empty = Tensor.empty(DType.F32, Device.emu(), 0, 3);
                Tensor ci = Tensor.zeros(DType.I32, Device.emu(), 5, 3);
                Tensor cpuCb = randn(73, 1.0, 5, 3)) {
            assertThrows(TensorException.Shape.class, () -> VectorQuantizer.nearest(x, cb));
            assertThrows(TensorException.Shape.class, () -> VectorQuantizer.nearest(x, empty));
            assertThrows(TensorException.DTypeMismatch.class, () -> VectorQuantizer.nearest(x, ci));
            assertThrows(TensorException.DeviceMismatch.class, () -> VectorQuantizer.nearest(x, cpuCb));
        }
    }
}
