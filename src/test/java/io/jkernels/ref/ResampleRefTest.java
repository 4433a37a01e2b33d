package io.jkernels.ref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The float64 references of the resampling family against values worked out by hand from OPS.md,
 * and the backward references against the forward ones through the adjoint identity
 * {@code <up(x), g> = <x, up_backward(g)>} (an independent check: the backward is written as a
 * scatter, the identity only needs the forward).
 */
class ResampleRefTest {

    private static Tensor arange(long... shape) {
        Tensor t = Tensor.empty(DType.F32, Device.cpu(), shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, i);
        }
        return t;
    }

    @Test
    void pixelShuffleMovesEachChannelToItsSubPixel() {
        // (1, 4, 1, 2) r = 2: channel i*2 + j lands at (i, j) of each 2x2 block
        try (Tensor x = arange(1, 4, 1, 2); Tensor y = Tensor.empty(DType.F32, Device.cpu(), 1, 1, 2, 4)) {
            ResampleRef.pixelShuffle(x, 2, y);
            // in[c, 0, w] = 2c + w; out[0, i, 2w + j] = in[2i + j, 0, w]
            assertArrayEquals(new float[] {0, 2, 1, 3, 4, 6, 5, 7}, y.toFloatArray());
            try (Tensor back = Tensor.empty(DType.F32, Device.cpu(), 1, 4, 1, 2)) {
                ResampleRef.pixelUnshuffle(y, 2, back);
                assertArrayEquals(x.toFloatArray(), back.toFloatArray());
            }
        }
    }

    @Test
    void pixelShuffleKeepsIntegersExactly() {
        try (Tensor x = Tensor.of(new long[] {Long.MAX_VALUE, -1, 1L << 60, 7, 8, 9, 10, 11, 12}, 9, 1, 1);
                Tensor y = Tensor.empty(DType.I64, Device.cpu(), 1, 3, 3)) {
            ResampleRef.pixelShuffle(x, 3, y);
            assertArrayEquals(new long[] {Long.MAX_VALUE, -1, 1L << 60, 7, 8, 9, 10, 11, 12}, y.toLongArray());
        }
    }

    @Test
    void nearestIndexRuleIsFloat32() {
        // OPS.md: nearest-exact, in = 2, out = 49, d = 24: float32 gives 1 (float64 would give 0)
        assertEquals(1, ResampleRef.nearestSource(24, 2, 49, Double.NaN, true));
        assertEquals(0, ResampleRef.nearestSource(23, 2, 49, Double.NaN, true));
        // nearest, scale factor 2.0002 on 10 -> 20: floor(2 * (float)(1 / 2.0002)) = 0 (CPU's d >> 1 gives 1)
        assertEquals(0, ResampleRef.nearestSource(2, 10, 20, 2.0002, false));
        assertEquals(9, ResampleRef.nearestSource(19, 10, 20, 2.0, false));
        // out == in: the index itself whatever the scale factor (floor(9 / 1.09) would be 8)
        assertEquals(9, ResampleRef.nearestSource(9, 10, 10, 1.09, false));
        assertEquals(9, ResampleRef.nearestSource(9, 10, 10, 1.09, true));
        // clamped to in - 1
        assertEquals(2, ResampleRef.nearestSource(4, 3, 5, 0.5, false));
    }

    @Test
    void bilinearCoordinates() {
        assertEquals(0.0, ResampleRef.bilinearSource(0, 4, 8, Double.NaN, false));  // max(0.25 - 0.5, 0)
        assertEquals(0.75, ResampleRef.bilinearSource(2, 4, 8, Double.NaN, false), 1e-15);
        assertEquals(3.0, ResampleRef.bilinearSource(7, 4, 8, Double.NaN, true), 1e-15);
        assertEquals(0.0, ResampleRef.bilinearSource(0, 4, 1, Double.NaN, true));
        // scale factor given: 1 / s, not in / out (10 * 2.3 -> 23 outputs)
        assertEquals((5 + 0.5) / 2.3 - 0.5, ResampleRef.bilinearSource(5, 10, 23, 2.3, false), 1e-15);
    }

    @Test
    void bilinearAlignCornersBlendsNeighbours() {
        // one row 0, 10, 20 -> 5 columns with align_corners: 0, 5, 10, 15, 20
        try (Tensor x = Tensor.of(new float[] {0, 10, 20}, 1, 1, 1, 3);
                Tensor y = Tensor.empty(DType.F32, Device.cpu(), 1, 1, 1, 5)) {
            ResampleRef.upsampleBilinear2d(x, y, null, true);
            assertArrayEquals(new float[] {0, 5, 10, 15, 20}, y.toFloatArray(), 1e-6f);
        }
        // not aligned, 2 -> 4: coordinates 0 (clamped), 0.25, 0.75, 1.25 -> i0 = 1, i1 = 1 (clamped)
        try (Tensor x = Tensor.of(new float[] {0, 8}, 1, 1, 1, 2);
                Tensor y = Tensor.empty(DType.F32, Device.cpu(), 1, 1, 1, 4)) {
            ResampleRef.upsampleBilinear2d(x, y, null, false);
            assertArrayEquals(new float[] {0, 2, 6, 8}, y.toFloatArray(), 1e-6f);
        }
    }

    /** {@code <forward(x), g> = <x, backward(g)>} for random x, g, for each mode and many sizes. */
    @Test
    void backwardIsTheAdjointOfForward() {
        SplittableRandom rnd = new SplittableRandom(7);
        long[][] sizes = {{4, 5, 9, 13}, {7, 3, 7, 3}, {10, 10, 10, 10}, {9, 8, 4, 4}, {1, 1, 5, 3}, {2, 5, 49, 1},
            {13, 6, 5, 17}};
        for (long[] s : sizes) {
            for (double[] scale : new double[][] {null, {s[2] == s[0] ? 1.09 : (double) s[2] / s[0] + 1e-9,
                s[3] == s[1] ? 1.09 : (double) s[3] / s[1] + 1e-9}}) {
                for (int mode = 0; mode < 4; mode++) {
                    if (scale != null && (Math.floor(s[0] * scale[0]) != s[2] || Math.floor(s[1] * scale[1]) != s[3])) {
                        continue;
                    }
                    try (Tensor x = rand(rnd, 2, 1, s[0], s[1]); Tensor g = rand(rnd, 2, 1, s[2], s[3]);
                            Tensor y = Tensor.empty(DType.F64, Device.cpu(), 2, 1, s[2], s[3]);
                            Tensor gx = Tensor.empty(DType.F64, Device.cpu(), 2, 1, s[0], s[1])) {
                        switch (mode) {
                            case 0, 1 -> {
                                ResampleRef.upsampleNearest2d(x, y, scale, mode == 1);
                                ResampleRef.upsampleNearest2dBackward(g, gx, scale, mode == 1);
                            }
                            default -> {
                                ResampleRef.upsampleBilinear2d(x, y, scale, mode == 3);
                                ResampleRef.upsampleBilinear2dBackward(g, gx, scale, mode == 3);
                            }
                        }
                        double lhs = dot(y, g);
                        double rhs = dot(x, gx);
                        assertEquals(lhs, rhs, 1e-9 * (1 + Math.abs(lhs)), "mode " + mode + " " + java.util.Arrays.toString(s));
                    }
                }
            }
        }
    }

    private static Tensor rand(SplittableRandom rnd, long... shape) {
        Tensor t = Tensor.empty(DType.F64, Device.cpu(), shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setDouble(i, rnd.nextDouble(-1, 1));
        }
        return t;
    }

    private static double dot(Tensor a, Tensor b) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }
}
