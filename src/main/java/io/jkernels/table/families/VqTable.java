package io.jkernels.table.families;

import io.jkernels.bench.VqBench;
import io.jkernels.check.families.VqOps;
import java.util.Map;

/** vq_nearest and vq_ema_update (OPS.md); the ops of {@link VqOps} with {@link VqBench}'s entries. */
public final class VqTable extends RegisteredFamily {
    public VqTable() {
        super("vq", new VqOps(), new VqBench(), Map.of(), Map.of());
    }
}
