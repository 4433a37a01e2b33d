package io.jkernels.check.families;

import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpFamily;
import io.jkernels.check.OpRegistry;
import io.jkernels.ops.Resample;
import io.jkernels.ops.Resample.NearestMode;
import io.jkernels.ops.Resample.Resize;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.Map;

/**
 * The resampling ops of OPS.md "Resampling" (pixel_shuffle, pixel_unshuffle, upsample_bilinear2d,
 * upsample_nearest2d and their backward) for the conformance runner and the demo. Attrs a mode
 * does not take are not declared, so a case giving them (align_corners on nearest, mode on
 * bilinear) is rejected by the attr parser; the cross-attr rules (exactly one of size and
 * scale_factor, no recompute_scale_factor with size, output size >= 1) are the op API's.
 */
public final class ResampleOps implements OpFamily {
    /** OPS.md default for float32 outputs (nearest and its backward). */
    public static final double[] DEFAULT_TOL = {1e-5, 1e-6};
    /** OPS.md: upsample_bilinear2d and its backward. */
    public static final double[] BILINEAR_TOL = {1e-4, 1e-4};

    public static final AttrSpec SIZE = AttrSpec.longs("size").optional().length(2).scalarForAll();
    public static final AttrSpec SCALE_FACTOR = AttrSpec.doubles("scale_factor").optional().length(2).scalarForAll();
    public static final AttrSpec RECOMPUTE = AttrSpec.bool("recompute_scale_factor", false);
    public static final AttrSpec ALIGN_CORNERS = AttrSpec.bool("align_corners", false);
    public static final AttrSpec MODE = AttrSpec.string("mode", "nearest", "nearest", "nearest-exact");
    public static final AttrSpec INPUT_SIZE = AttrSpec.longs("input_size").length(2);

    @Override
    public void register(OpRegistry r) {
        r.register(OpDef.builder("pixel_shuffle").input("input").attr(AttrSpec.integer("upscale_factor"))
                .outputs("output").tolerance(0, 0)
                .body((in, a) -> Map.of("output", Resample.pixelShuffle(in.get("input"), a.getLong("upscale_factor"))))
                .build());
        r.register(OpDef.builder("pixel_unshuffle").input("input").attr(AttrSpec.integer("downscale_factor"))
                .outputs("output").tolerance(0, 0)
                .body((in, a) -> Map.of("output",
                        Resample.pixelUnshuffle(in.get("input"), a.getLong("downscale_factor"))))
                .build());
        r.register(OpDef.builder("upsample_nearest2d").input("input").attrs(SIZE, SCALE_FACTOR, RECOMPUTE, MODE)
                .outputs("output").tolerance(DEFAULT_TOL[0], DEFAULT_TOL[1])
                .body((in, a) -> Map.of("output",
                        Resample.upsampleNearest2d(in.get("input"), resize(a), NearestMode.parse(a.getString("mode")))))
                .build());
        r.register(OpDef.builder("upsample_bilinear2d").input("input")
                .attrs(SIZE, SCALE_FACTOR, RECOMPUTE, ALIGN_CORNERS)
                .outputs("output").tolerance(BILINEAR_TOL[0], BILINEAR_TOL[1])
                .body((in, a) -> Map.of("output",
                        Resample.upsampleBilinear2d(in.get("input"), resize(a), a.getBool("align_corners"))))
                .build());
        r.register(OpDef.builder("upsample_nearest2d_backward").input("grad_output")
                .attrs(INPUT_SIZE, SIZE, SCALE_FACTOR, RECOMPUTE, MODE)
                .outputs("grad_input").tolerance(DEFAULT_TOL[0], DEFAULT_TOL[1])
                .body((in, a) -> Map.of("grad_input", Resample.upsampleNearest2dBackward(in.get("grad_output"),
                        a.getLongs("input_size"), resize(a), NearestMode.parse(a.getString("mode")))))
                .build());
        r.register(OpDef.builder("upsample_bilinear2d_backward").input("grad_output")
                .attrs(INPUT_SIZE, SIZE, SCALE_FACTOR, RECOMPUTE, ALIGN_CORNERS)
                .outputs("grad_input").tolerance(BILINEAR_TOL[0], BILINEAR_TOL[1])
                .body((in, a) -> Map.of("grad_input", Resample.upsampleBilinear2dBackward(in.get("grad_output"),
                        a.getLongs("input_size"), resize(a), a.getBool("align_corners"))))
                .build());

        r.demo(image("pixel_shuffle", Map.of("upscale_factor", 2L), 16, 64, 64));
        r.demo(image("pixel_unshuffle", Map.of("downscale_factor", 2L), 4, 128, 128));
        r.demo(image("upsample_nearest2d", Map.of("scale_factor", 2.0), 8, 64, 64));
        r.demo(image("upsample_bilinear2d", Map.of("scale_factor", 2.0), 8, 64, 64));
        r.demo(image("upsample_bilinear2d", Map.of("size", java.util.List.of(100L, 150L), "align_corners", true),
                8, 64, 64));
        r.demo(image("upsample_nearest2d_backward", Map.of("scale_factor", 2.0, "input_size",
                java.util.List.of(64L, 64L)), 8, 128, 128));
        r.demo(image("upsample_bilinear2d_backward", Map.of("scale_factor", 2.0, "input_size",
                java.util.List.of(64L, 64L)), 8, 128, 128));
    }

    /** The size / scale_factor / recompute_scale_factor attrs as a Resize (checked by the op). */
    public static Resize resize(Attrs a) {
        long[] size = a.has("size") ? a.getLongs("size") : null;
        double[] scale = a.has("scale_factor") ? a.getDoubles("scale_factor") : null;
        return new Resize(size, scale, a.getBool("recompute_scale_factor"));
    }

    /** A demo whose one input is a standard normal (N, c, h, w) f32 image of about n elements. */
    private static DemoCase image(String op, Map<String, Object> attrs, long c, long h, long w) {
        return new DemoCase(op, attrs, (def, n, seed) -> {
            long batch = Math.max(1, n / (c * h * w));
            String name = def.requiredInputs().get(0);
            return Map.of(name, Tensor.randn(seed, DType.F32, Device.cpu(), batch, c, h, w));
        });
    }
}
