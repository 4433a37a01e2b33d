package io.jkernels.ops;

import io.jkernels.ops.Resample.NearestMode;
import io.jkernels.ops.Resample.Resize;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Inputs;
import io.jkernels.testing.Poison;
import io.jkernels.testing.Views;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The resampling kernels (kernels/resample.cu) on the host emulator against the float64 reference
 * on cpu: pixel ops over dtypes of every width, factors 1..4 (the r = 2 and r = 4 register paths
 * and the run-time r path), aligned (16-byte units) and misaligned / strided layouts; upsamples
 * in every mode over odd sizes, fractional, integer, 2.0002 and out == in scale factors, size and
 * recompute, large up- and downsampling factors (long reader ranges in the backward), many planes
 * (the forward's plane chunks, the backward's 4-plane items with a tail); NaN-poisoned outputs;
 * determinism of the backward.
 *
 * <p>Tolerances (f32). Pixel ops and the nearest forward: exact (a copy of the same element; the
 * kernel and the reference use the same float32 index rule). Backward ops: rtol 1e-6, atol 1e-7:
 * kernel and reference both sum in double (in different orders) and round once, so they differ
 * by at most one float32 rounding. Bilinear forward: rtol = atol = 1e-5, tighter than OPS.md's
 * 1e-4: the kernel blends in float32 with float32 weights (errors of a few 1e-7 of values ~3),
 * the reference in float64. 16-bit dtypes: one rounding of the result to the dtype apart from the
 * reference computed in float64 on the same inputs: one ulp relative to the bottom of a binade (rtol 2^-7
 * bf16, 2^-10 f16; atol 1e-5).
 */
@Tag("emu")
class ResampleEmuTest {

    @BeforeAll
    static void emu() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    // ---- pixel shuffle ---------------------------------------------------------------------------

    private static final DType[] PIXEL_DTYPES = {DType.F32, DType.BF16, DType.F64, DType.I32, DType.I64, DType.BOOL};

    /** A cpu tensor of random values of any dtype. */
    static Tensor random(long seed, DType dtype, long... shape) {
        if (dtype.isFloating()) {
            return Inputs.mixed(seed, dtype, 3.0, 0, new double[0], shape);
        }
        SplittableRandom r = new SplittableRandom(seed);
        Tensor t = Tensor.empty(dtype, Device.cpu(), shape);
        for (long i = 0; i < t.numel(); i++) {
            t.setLong(i, dtype == DType.BOOL ? r.nextInt(2) : r.nextLong());
        }
        return t;
    }

    enum Layout { ALIGNED, MISALIGNED_INPUT, MISALIGNED_OUTPUT, STRIDED }

    static Tensor place(Tensor emu, Layout layout) {
        return switch (layout) {
            case MISALIGNED_INPUT -> Views.misaligned(emu);
            case STRIDED -> Views.strided(emu);
            default -> emu.alias();
        };
    }

    static Tensor poisonedOut(DType dtype, Layout layout, long... shape) {
        try (Tensor o = Tensor.full(dtype.isFloating() ? Double.NaN : dtype == DType.BOOL ? 1 : 5, dtype, Device.emu(), shape)) {
            return layout == Layout.MISALIGNED_OUTPUT ? Views.misaligned(o) : o.alias();
        }
    }

    static Stream<Arguments> pixelCases() {
        long[][] shapes = {{1, 4, 1, 1}, {2, 8, 3, 5}, {2, 16, 4, 8}, {1, 32, 4, 8}, {2, 3, 18, 4, 3}, {3, 9, 5, 12},
            {1, 4, 16, 17}, {2, 64, 9, 40}, {0, 4, 2, 2}, {9, 3, 7}};
        long[] factors = {2, 2, 2, 4, 3, 3, 1, 2, 2, 3};
        List<Arguments> out = new ArrayList<>();
        for (DType d : PIXEL_DTYPES) {
            for (Layout l : Layout.values()) {
                out.add(Arguments.of(d, l, shapes, factors));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pixelCases")
    void pixelShuffleMatchesReference(DType dtype, Layout layout, long[][] shapes, long[] factors) {
        for (int k = 0; k < shapes.length; k++) {
            long r = factors[k];
            try (Tensor x = random(k * 31L + dtype.ordinal(), dtype, shapes[k]); Tensor y = Resample.pixelShuffle(x, r)) {
                String what = "pixel_shuffle " + dtype + " " + layout + " " + Arrays.toString(shapes[k]) + " r=" + r;
                try (Tensor e = x.to(Device.emu()); Tensor in = place(e, layout);
                        Tensor out = poisonedOut(dtype, layout, y.shape());
                        Tensor res = Resample.pixelShuffle(in, r, out); Tensor back = res.to(Device.cpu())) {
                    Compare.bitEqual(what, back, y);
                }
                // and back: unshuffle of the shuffled tensor is the input
                try (Tensor e = y.to(Device.emu()); Tensor in = place(e, layout);
                        Tensor out = poisonedOut(dtype, layout, x.shape());
                        Tensor res = Resample.pixelUnshuffle(in, r, out); Tensor back = res.to(Device.cpu());
                        Tensor ref = Resample.pixelUnshuffle(y, r)) {
                    Compare.bitEqual("un" + what, back, ref);
                    Compare.bitEqual("un" + what + " is the inverse", back, x);
                }
            }
        }
    }

    @Test
    void pixelShuffleOverTheSizeSweep() {
        long[] sizes = {1, 2, 3, 15, 16, 17, 31};
        for (long h : sizes) {
            for (long w : sizes) {
                try (Tensor x = random(h * 100 + w, DType.F32, 2, 4, h, w); Tensor y = Resample.pixelShuffle(x, 2);
                        Tensor e = x.to(Device.emu()); Tensor out = poisonedOut(DType.F32, Layout.ALIGNED, y.shape());
                        Tensor res = Resample.pixelShuffle(e, 2, out); Tensor back = res.to(Device.cpu())) {
                    Compare.bitEqual("pixel_shuffle " + h + "x" + w, back, y);
                }
            }
        }
    }

    // ---- upsample ----------------------------------------------------------------------------------

    /** One upsample configuration: input shape (N, C, H, W) and how the output size is given. */
    record Config(long[] shape, Resize resize) {
        @Override
        public String toString() {
            return Arrays.toString(shape) + " " + resize;
        }
    }

    static final List<Config> CONFIGS = List.of(
            new Config(new long[] {1, 1, 1, 1}, Resize.size(1)),
            new Config(new long[] {2, 3, 4, 5}, Resize.scale(2)),
            new Config(new long[] {2, 3, 8, 8}, Resize.scale(2)),
            new Config(new long[] {1, 2, 10, 7}, Resize.scale(2.3)),
            new Config(new long[] {1, 2, 9, 8}, Resize.scale(0.5)),
            new Config(new long[] {1, 3, 10, 10}, Resize.scale(1.09)),
            new Config(new long[] {1, 2, 10, 6}, Resize.scale(2.0002)),
            new Config(new long[] {1, 1, 2, 3}, Resize.size(49, 5)),
            new Config(new long[] {3, 1, 13, 3}, Resize.size(9, 20)),
            new Config(new long[] {1, 1, 3, 5}, Resize.scale(8)),
            new Config(new long[] {1, 1, 17, 13}, Resize.scale(0.37, 0.61).recompute()),
            new Config(new long[] {3, 37, 6, 9}, Resize.scale(1.5, 2)),
            new Config(new long[] {1, 1, 200, 3}, Resize.size(3, 130)),
            new Config(new long[] {1, 2, 3, 30}, Resize.size(2, 1000)),
            new Config(new long[] {2, 1, 5, 5}, Resize.size(1, 1)),
            new Config(new long[] {0, 3, 4, 5}, Resize.scale(2)));

    enum Mode { NEAREST, NEAREST_EXACT, BILINEAR, BILINEAR_ALIGN }

    static Tensor forward(Mode m, Tensor x, Resize rs, Tensor out) {
        return switch (m) {
            case NEAREST -> Resample.upsampleNearest2d(x, rs, NearestMode.NEAREST, out);
            case NEAREST_EXACT -> Resample.upsampleNearest2d(x, rs, NearestMode.NEAREST_EXACT, out);
            case BILINEAR -> Resample.upsampleBilinear2d(x, rs, false, out);
            case BILINEAR_ALIGN -> Resample.upsampleBilinear2d(x, rs, true, out);
        };
    }

    static Tensor backward(Mode m, Tensor g, long[] inputSize, Resize rs, Tensor out) {
        return switch (m) {
            case NEAREST -> Resample.upsampleNearest2dBackward(g, inputSize, rs, NearestMode.NEAREST, out);
            case NEAREST_EXACT -> Resample.upsampleNearest2dBackward(g, inputSize, rs, NearestMode.NEAREST_EXACT, out);
            case BILINEAR -> Resample.upsampleBilinear2dBackward(g, inputSize, rs, false, out);
            case BILINEAR_ALIGN -> Resample.upsampleBilinear2dBackward(g, inputSize, rs, true, out);
        };
    }

    static Stream<Arguments> upsampleCases() {
        List<Arguments> out = new ArrayList<>();
        for (Mode m : Mode.values()) {
            for (Layout l : new Layout[] {Layout.ALIGNED, Layout.MISALIGNED_OUTPUT, Layout.STRIDED}) {
                out.add(Arguments.of(m, DType.F32, l));
            }
            out.add(Arguments.of(m, DType.BF16, Layout.ALIGNED));
            out.add(Arguments.of(m, DType.F16, Layout.MISALIGNED_OUTPUT));
        }
        return out.stream();
    }

    private static void compare(String what, Tensor actual, Tensor expected, boolean exact, double f32Tol) {
        DType d = actual.dtype();
        if (exact) {
            Compare.sameValues(what, actual, expected);
        } else if (d == DType.F32) {
            Compare.allClose(what, actual, expected, f32Tol, f32Tol == 1e-6 ? 1e-7 : f32Tol);
        } else {
            Compare.allClose(what, actual, expected, d == DType.BF16 ? 0x1p-7 : 0x1p-10, 1e-5);
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("upsampleCases")
    void upsampleMatchesReference(Mode mode, DType dtype, Layout layout) {
        long seed = mode.ordinal() * 1000L + dtype.ordinal() * 100 + layout.ordinal();
        boolean bilinear = mode == Mode.BILINEAR || mode == Mode.BILINEAR_ALIGN;
        for (Config c : CONFIGS) {
            String what = mode + " " + dtype + " " + layout + " " + c;
            long[] s = c.shape();
            long[] o = Resample.outputSize(s[2], s[3], c.resize());
            long[] oshape = {s[0], s[1], o[0], o[1]};
            long[] isize = {s[2], s[3]};
            try (Tensor x = Inputs.mixed(seed++, dtype, 3.0, 0, new double[0], s);
                    Tensor y = forward(mode, x, c.resize(), null);
                    Tensor e = x.to(Device.emu()); Tensor in = place(e, layout);
                    Tensor out = poisonedOut(dtype, layout, oshape);
                    Tensor res = forward(mode, in, c.resize(), out); Tensor back = res.to(Device.cpu())) {
                compare("forward " + what, back, y, !bilinear, 1e-5);
            }
            try (Tensor g = Inputs.mixed(seed++, dtype, 3.0, 0, new double[0], oshape);
                    Tensor gx = backward(mode, g, isize, c.resize(), null);
                    Tensor e = g.to(Device.emu()); Tensor in = place(e, layout);
                    Tensor out = poisonedOut(dtype, layout, s);
                    Tensor res = backward(mode, in, isize, c.resize(), out); Tensor back = res.to(Device.cpu())) {
                compare("backward " + what, back, gx, false, 1e-6);
            }
        }
    }

    @Test
    void upsampleOverTheSizeSweep() {
        long[] sizes = {1, 2, 3, 15, 16, 17, 31};
        long seed = 1;
        for (long h : sizes) {
            for (long w : sizes) {
                for (Mode m : new Mode[] {Mode.NEAREST, Mode.BILINEAR}) {
                    try (Tensor x = Inputs.mixed(seed++, DType.F32, 3.0, 0, new double[0], 1, 3, h, w);
                            Tensor y = forward(m, x, Resize.scale(2), null); Tensor e = x.to(Device.emu());
                            Tensor res = forward(m, e, Resize.scale(2), null); Tensor back = res.to(Device.cpu());
                            Tensor g = Inputs.mixed(seed++, DType.F32, 3.0, 0, new double[0], y.shape());
                            Tensor gx = backward(m, g, new long[] {h, w}, Resize.scale(2), null);
                            Tensor ge = g.to(Device.emu());
                            Tensor gres = backward(m, ge, new long[] {h, w}, Resize.scale(2), null);
                            Tensor gback = gres.to(Device.cpu())) {
                        compare(m + " forward " + h + "x" + w, back, y, m == Mode.NEAREST, 1e-5);
                        compare(m + " backward " + h + "x" + w, gback, gx, false, 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void nanPropagatesThroughUpsample() {
        try (Tensor x = Inputs.mixed(3, DType.F32, 3.0, 0.05, new double[] {Double.NaN}, 2, 3, 7, 9);
                Tensor e = x.to(Device.emu())) {
            for (Mode m : Mode.values()) {
                try (Tensor y = forward(m, x, Resize.scale(2.5), null); Tensor res = forward(m, e, Resize.scale(2.5), null);
                        Tensor back = res.to(Device.cpu());
                        Tensor gx = backward(m, y, new long[] {7, 9}, Resize.scale(2.5), null);
                        Tensor ye = y.to(Device.emu());
                        Tensor gres = backward(m, ye, new long[] {7, 9}, Resize.scale(2.5), null);
                        Tensor gback = gres.to(Device.cpu())) {
                    boolean bil = m == Mode.BILINEAR || m == Mode.BILINEAR_ALIGN;
                    compare(m + " forward with NaN", back, y, !bil, 1e-5);
                    compare(m + " backward with NaN", gback, gx, false, 1e-6);
                }
            }
        }
    }

    @Test
    void backwardIsDeterministic() {
        for (Mode m : Mode.values()) {
            try (Tensor g = Inputs.mixed(11, DType.F32, 3.0, 0, new double[0], 3, 5, 37, 41); Tensor e = g.to(Device.emu());
                    Tensor a = backward(m, e, new long[] {13, 7}, Resize.size(37, 41), null);
                    Tensor b = backward(m, e, new long[] {13, 7}, Resize.size(37, 41), null);
                    Tensor ah = a.to(Device.cpu()); Tensor bh = b.to(Device.cpu())) {
                Compare.bitEqual(m + " backward run twice", ah, bh);
            }
        }
    }

    @Test
    void manyPlanesUseChunksAndTails() {
        // nc = 2 * 513: the forward loops over plane chunks, the backward's last 4-plane item is partial
        for (Mode m : new Mode[] {Mode.NEAREST_EXACT, Mode.BILINEAR}) {
            try (Tensor x = Inputs.mixed(12, DType.F32, 3.0, 0, new double[0], 2, 513, 3, 4);
                    Tensor y = forward(m, x, Resize.size(5, 8), null); Tensor e = x.to(Device.emu());
                    Tensor res = forward(m, e, Resize.size(5, 8), null); Tensor back = res.to(Device.cpu());
                    Tensor gx = backward(m, y, new long[] {3, 4}, Resize.size(5, 8), null);
                    Tensor ye = y.to(Device.emu());
                    Tensor gres = backward(m, ye, new long[] {3, 4}, Resize.size(5, 8), null);
                    Tensor gback = gres.to(Device.cpu())) {
                compare(m + " forward, many planes", back, y, m == Mode.NEAREST_EXACT, 1e-5);
                compare(m + " backward, many planes", gback, gx, false, 1e-6);
            }
        }
    }
}
