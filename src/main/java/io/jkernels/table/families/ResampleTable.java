package io.jkernels.table.families;

import io.jkernels.bench.ResampleBench;
import io.jkernels.check.families.ResampleOps;
import java.util.Map;

/** pixel_shuffle, pixel_unshuffle, upsample_* (OPS.md); the ops of {@link ResampleOps} with {@link ResampleBench}'s entries. */
public final class ResampleTable extends RegisteredFamily {
    public ResampleTable() {
        super("resample", new ResampleOps(), new ResampleBench(), Map.of(), Map.of(
                "pixel_shuffle", "torch.nn.functional.pixel_shuffle",
                "pixel_unshuffle", "torch.nn.functional.pixel_unshuffle",
                "upsample_nearest2d", "torch.nn.functional.interpolate(mode='nearest')",
                "upsample_bilinear2d", "torch.nn.functional.interpolate(mode='bilinear')"));
    }
}
