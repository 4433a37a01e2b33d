package io.jkernels.table.families;

import static io.jkernels.table.BadCalls.with;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.ResampleCases;
import io.jkernels.bench.Scale;
import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.ops.Resample;
import io.jkernels.ops.Resample.NearestMode;
import io.jkernels.ops.Resample.Resize;
import io.jkernels.table.BadCalls;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpEntry.ErrorSample;
import io.jkernels.table.OpFamily;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The resample ops of OPS.md "Resampling" (pixel_shuffle, pixel_unshuffle, upsample_nearest2d,
 * upsample_bilinear2d and their backward): one definition per op. Attrs a mode does not take are
 * not declared, so a call giving them (align_corners on nearest, mode on bilinear) is rejected by
 * the attr parser; the cross-attr rules (exactly one of size and scale_factor, no
 * recompute_scale_factor with size, output size >= 1) are the op API's. The public API is
 * {@link Resample}, the reference {@code ResampleRef}, the kernels kernels/resample.cu over
 * kernels/math/resample.h, the golden cases tools/golden/gen_resample.py; the bench case is
 * {@link ResampleCases} (f32, at the GPU sizes: pixel_shuffle r = 2 of (8, 256, 128, 128),
 * pixel_unshuffle r = 2 of its result, upsample x2 of (8, 64, 256, 256), forward and backward).
 */
public final class ResampleTable implements OpFamily {
    static final String FAMILY = "resample";

    /** OPS.md default for float32 outputs (nearest and its backward). */
    static final double[] DEFAULT_TOL = {1e-5, 1e-6};
    /** OPS.md: upsample_bilinear2d and its backward. */
    static final double[] BILINEAR_TOL = {1e-4, 1e-4};

    static final AttrSpec SIZE = AttrSpec.longs("size").optional().length(2).scalarForAll();
    static final AttrSpec SCALE_FACTOR = AttrSpec.doubles("scale_factor").optional().length(2).scalarForAll();
    static final AttrSpec RECOMPUTE = AttrSpec.bool("recompute_scale_factor", false);
    static final AttrSpec ALIGN_CORNERS = AttrSpec.bool("align_corners", false);
    static final AttrSpec MODE = AttrSpec.string("mode", "nearest", "nearest", "nearest-exact");
    static final AttrSpec INPUT_SIZE = AttrSpec.longs("input_size").length(2);

    private static final String PERMUTATION = "a permutation: every output element is a copied input element "
            + "(OPS.md: integer-exact, tolerance 0)";
    private static final String NEAREST = "a copy of one source pixel, chosen in float32 as PyTorch's CUDA kernels "
            + "choose it (OPS.md; NOTE [Nearest in float32], kernels/math/resample.h): kernels and reference copy the "
            + "same pixel";
    private static final String NEAREST_BACKWARD = "each input cell is the sum of the output gradients that copied "
            + "it, taken in double in a fixed order (NOTE [Deterministic backward], kernels/resample.cu) and rounded "
            + "once to float32, against the float64 sum: one rounding";
    private static final String BILINEAR = "OPS.md leaves the coordinates and weights free (float32 as PyTorch's "
            + "CUDA kernels, or float64, as here: NOTE [Bilinear in float64]): a float32 coordinate near 100 is off by "
            + "up to 4e-6, and a blend's error grows with the difference between neighbours";
    private static final String BILINEAR_BACKWARD = "the adjoint of the bilinear blend, with the forward's freedom "
            + "in the weights (a float32 coordinate near 100 is off by up to 4e-6); each input cell sums its weighted "
            + "output gradients (in double in a fixed order here: NOTE [Deterministic backward])";

    private static final Map<String, Object> R2 = Map.of("upscale_factor", 2L);
    private static final Map<String, Object> D2 = Map.of("downscale_factor", 2L);
    private static final Map<String, Object> X2 = Map.of("scale_factor", 2.0);
    /** The backward demos and samples: grad_output (N, C, 128, 128) of an input (N, C, 64, 64) upsampled x2. */
    private static final Map<String, Object> BACK = Map.of("scale_factor", 2.0, "input_size", List.of(64L, 64L));

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public List<OpEntry> ops() {
        Resize two = Resize.scale(2);
        return List.of(
                op(OpDef.builder("pixel_shuffle").input("input").attr(AttrSpec.integer("upscale_factor"))
                                .outputs("output").tolerance(0, 0)
                                .body((in, a) -> Map.of("output",
                                        Resample.pixelShuffle(in.get("input"), a.getLong("upscale_factor"))))
                                .build(),
                        "torch.nn.functional.pixel_shuffle", PERMUTATION, true,
                        bench("pixel_shuffle", ResampleTable::shuffleShape, x -> Resample.pixelShape(x, 2, false),
                                new double[] {0, 0}, (x, y) -> Resample.pixelShuffle(x, 2, y)),
                        List.of(image("pixel_shuffle", R2, 16, 64, 64)), image(8, 6, 6), List.of(
                                BadCalls.reshaped("7 channels, not divisible by upscale_factor^2 = 4", "input",
                                        BadCalls.axis(1, -1), R2),
                                BadCalls.attrs("upscale_factor 0", "upscale_factor", Map.of("upscale_factor", 0L)),
                                BadCalls.reshaped("input of 2 dims (H, W)", "input", s -> new long[] {s[2], s[3]},
                                        R2))),
                op(OpDef.builder("pixel_unshuffle").input("input").attr(AttrSpec.integer("downscale_factor"))
                                .outputs("output").tolerance(0, 0)
                                .body((in, a) -> Map.of("output",
                                        Resample.pixelUnshuffle(in.get("input"), a.getLong("downscale_factor"))))
                                .build(),
                        "torch.nn.functional.pixel_unshuffle", PERMUTATION, true,
                        bench("pixel_unshuffle", s -> Resample.pixelShape(shuffleShape(s), 2, false),
                                x -> Resample.pixelShape(x, 2, true), new double[] {0, 0},
                                (x, y) -> Resample.pixelUnshuffle(x, 2, y)),
                        List.of(image("pixel_unshuffle", D2, 4, 128, 128)), image(4, 6, 6), List.of(
                                BadCalls.reshaped("width 5, not divisible by downscale_factor 2", "input",
                                        BadCalls.axis(3, -1), D2),
                                BadCalls.attrs("downscale_factor 0", "downscale_factor",
                                        Map.of("downscale_factor", 0L)),
                                BadCalls.attrs("downscale_factor 1.5 (not an integer)", "downscale_factor",
                                        Map.of("downscale_factor", 1.5)))),
                op(OpDef.builder("upsample_nearest2d").input("input").attrs(SIZE, SCALE_FACTOR, RECOMPUTE, MODE)
                                .outputs("output").tolerance(DEFAULT_TOL[0], DEFAULT_TOL[1])
                                .body((in, a) -> Map.of("output", Resample.upsampleNearest2d(in.get("input"),
                                        resize(a), NearestMode.parse(a.getString("mode")))))
                                .build(),
                        "torch.nn.functional.interpolate(mode='nearest' | 'nearest-exact')", NEAREST, true,
                        bench("upsample_nearest2d", ResampleTable::upsampleShape, ResampleTable::upsampled,
                                DEFAULT_TOL, (x, y) -> Resample.upsampleNearest2d(x, two, NearestMode.NEAREST, y)),
                        List.of(image("upsample_nearest2d", X2, 8, 64, 64)), image(3, 5, 7), List.of(
                                BadCalls.attrs("both size and scale_factor", "scale_factor",
                                        with(X2, "size", List.of(10L, 14L))),
                                BadCalls.attrs("align_corners on a nearest mode", "align_corners",
                                        with(X2, "align_corners", true)),
                                BadCalls.attrs("mode 'bilinear' (nearest takes nearest, nearest-exact)", "mode",
                                        with(X2, "mode", "bilinear")),
                                BadCalls.retyped("input", DType.I32, X2),
                                BadCalls.reshaped("input of 3 dims (C, H, W)", "input",
                                        s -> new long[] {s[1], s[2], s[3]}, X2))),
                op(OpDef.builder("upsample_nearest2d_backward").input("grad_output")
                                .attrs(INPUT_SIZE, SIZE, SCALE_FACTOR, RECOMPUTE, MODE)
                                .outputs("grad_input").tolerance(DEFAULT_TOL[0], DEFAULT_TOL[1])
                                .body((in, a) -> Map.of("grad_input", Resample.upsampleNearest2dBackward(
                                        in.get("grad_output"), a.getLongs("input_size"), resize(a),
                                        NearestMode.parse(a.getString("mode")))))
                                .build(),
                        "torch.ops.aten.upsample_nearest2d_backward (nearest-exact: "
                                + "torch.ops.aten._upsample_nearest_exact2d_backward)", NEAREST_BACKWARD, false,
                        bench("upsample_nearest2d_backward", s -> upsampled(upsampleShape(s)),
                                ResampleTable::downsampled, DEFAULT_TOL,
                                (g, gx) -> Resample.upsampleNearest2dBackward(g, spatial(gx), two, NearestMode.NEAREST,
                                        gx)),
                        List.of(image("upsample_nearest2d_backward", BACK, 8, 128, 128)), image(2, 128, 128),
                        backwardErrors()),
                op(OpDef.builder("upsample_bilinear2d").input("input")
                                .attrs(SIZE, SCALE_FACTOR, RECOMPUTE, ALIGN_CORNERS)
                                .outputs("output").tolerance(BILINEAR_TOL[0], BILINEAR_TOL[1])
                                .body((in, a) -> Map.of("output", Resample.upsampleBilinear2d(in.get("input"),
                                        resize(a), a.getBool("align_corners"))))
                                .build(),
                        "torch.nn.functional.interpolate(mode='bilinear', align_corners=...)", BILINEAR, false,
                        bench("upsample_bilinear2d", ResampleTable::upsampleShape, ResampleTable::upsampled,
                                BILINEAR_TOL, (x, y) -> Resample.upsampleBilinear2d(x, two, false, y)),
                        List.of(image("upsample_bilinear2d", X2, 8, 64, 64),
                                image("upsample_bilinear2d", Map.of("size", List.of(100L, 150L), "align_corners", true),
                                        8, 64, 64)),
                        image(3, 5, 7), List.of(
                                BadCalls.attrs("recompute_scale_factor with size", "recompute_scale_factor",
                                        Map.of("size", List.of(10L, 14L), "recompute_scale_factor", true)),
                                BadCalls.attrs("mode on bilinear", "mode", with(X2, "mode", "nearest")),
                                BadCalls.attrs("scale_factor 0", "scale_factor", Map.of("scale_factor", 0.0)),
                                BadCalls.retyped("input", DType.I32, X2))),
                op(OpDef.builder("upsample_bilinear2d_backward").input("grad_output")
                                .attrs(INPUT_SIZE, SIZE, SCALE_FACTOR, RECOMPUTE, ALIGN_CORNERS)
                                .outputs("grad_input").tolerance(BILINEAR_TOL[0], BILINEAR_TOL[1])
                                .body((in, a) -> Map.of("grad_input", Resample.upsampleBilinear2dBackward(
                                        in.get("grad_output"), a.getLongs("input_size"), resize(a),
                                        a.getBool("align_corners"))))
                                .build(),
                        "torch.ops.aten.upsample_bilinear2d_backward", BILINEAR_BACKWARD, false,
                        bench("upsample_bilinear2d_backward", s -> upsampled(upsampleShape(s)),
                                ResampleTable::downsampled, BILINEAR_TOL,
                                (g, gx) -> Resample.upsampleBilinear2dBackward(g, spatial(gx), two, false, gx)),
                        List.of(image("upsample_bilinear2d_backward", BACK, 8, 128, 128)), image(2, 128, 128),
                        backwardErrors()));
    }

    private static OpEntry op(OpDef def, String torch, String why, boolean bitExact, BenchEntry bench,
                              List<DemoCase> demos, DemoCase.InputMaker sample, List<ErrorSample> errors) {
        return new OpEntry(FAMILY, def, torch, new OpEntry.Tolerance(why, bitExact), List.of(bench), demos, sample,
                errors, null, null);
    }

    /** Bad calls of either backward, from a grad_output (N, 2, 128, 128) with {@link #BACK}. */
    private static List<ErrorSample> backwardErrors() {
        return List.of(
                BadCalls.reshaped("grad_output one row taller than input_size * scale_factor", "grad_output",
                        BadCalls.axis(2, 1), BACK),
                BadCalls.attrs("no input_size (required)", "input_size", X2),
                BadCalls.attrs("input_size of 3 elements", "input_size",
                        with(BACK, "input_size", List.of(64L, 64L, 1L))),
                BadCalls.retyped("grad_output", DType.I32, BACK));
    }

    /** The size / scale_factor / recompute_scale_factor attrs as a Resize (checked by the op). */
    static Resize resize(Attrs a) {
        long[] size = a.has("size") ? a.getLongs("size") : null;
        double[] scale = a.has("scale_factor") ? a.getDoubles("scale_factor") : null;
        return new Resize(size, scale, a.getBool("recompute_scale_factor"));
    }

    // ---- bench ---------------------------------------------------------------------------------

    /** The f32 entry {@code op_f32}: input of {@code inShape(scale)}, output of {@code outShape(in)}. */
    private static BenchEntry bench(String op, Function<Scale, long[]> inShape, UnaryOperator<long[]> outShape,
                                    double[] tol, ResampleCases.Op call) {
        return new BenchEntry(op + "_f32", FAMILY, "f32", (device, scale, seed) ->
                ResampleCases.of(device, inShape.apply(scale), outShape, tol[0], tol[1], call, seed));
    }

    /** Batch, channels and spatial size of the upsample input at each scale. */
    private static long[] upsampleShape(Scale s) {
        return switch (s) {
            case GPU -> new long[] {8, 64, 256, 256};
            case HOST -> new long[] {2, 8, 64, 64};
            case TINY -> new long[] {1, 3, 9, 7};
        };
    }

    /** The pixel_shuffle input at each scale. */
    private static long[] shuffleShape(Scale s) {
        return switch (s) {
            case GPU -> new long[] {8, 256, 128, 128};
            case HOST -> new long[] {2, 32, 32, 32};
            case TINY -> new long[] {1, 8, 5, 6};
        };
    }

    private static long[] upsampled(long[] s) {
        return new long[] {s[0], s[1], 2 * s[2], 2 * s[3]};
    }

    private static long[] downsampled(long[] s) {
        return new long[] {s[0], s[1], s[2] / 2, s[3] / 2};
    }

    private static long[] spatial(Tensor t) {
        return new long[] {t.shape()[2], t.shape()[3]};
    }

    // ---- demo and sample inputs ----------------------------------------------------------------

    /** A demo whose one input is a standard normal (N, c, h, w) f32 image of about n elements. */
    private static DemoCase image(String op, Map<String, Object> attrs, long c, long h, long w) {
        return new DemoCase(op, attrs, image(c, h, w));
    }

    /** The op's one input, a standard normal (N, c, h, w) f32 image of about n elements (N >= 1). */
    private static DemoCase.InputMaker image(long c, long h, long w) {
        return (def, n, seed) -> {
            long batch = Math.max(1, n / (c * h * w));
            String name = def.requiredInputs().get(0);
            return Map.of(name, Tensor.randn(seed, DType.F32, Device.cpu(), batch, c, h, w));
        };
    }
}
