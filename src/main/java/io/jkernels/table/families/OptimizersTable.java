package io.jkernels.table.families;

import io.jkernels.bench.OptimizerBench;
import io.jkernels.check.families.OptimizerOps;
import java.util.Map;

/** adamw and adam (OPS.md "Optimizers"); the ops of {@link OptimizerOps} with {@link OptimizerBench}'s entries. */
public final class OptimizersTable extends RegisteredFamily {
    public OptimizersTable() {
        super("optimizers", new OptimizerOps(), new OptimizerBench(), Map.of(),
                Map.of("adamw", "torch.optim.AdamW(fused=True)", "adam", "torch.optim.Adam(fused=True)"));
    }
}
