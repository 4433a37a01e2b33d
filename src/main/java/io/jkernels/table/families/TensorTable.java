package io.jkernels.table.families;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.TensorBench;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpFamily;
import java.util.List;

/** The tensor family: no ops, only the bench's device copies (the roofline every op is compared with). */
public final class TensorTable implements OpFamily {
    @Override
    public String name() {
        return "tensor";
    }

    @Override
    public List<OpEntry> ops() {
        return List.of();
    }

    @Override
    public List<BenchEntry> benchOnly() {
        return new TensorBench().entries();
    }
}
