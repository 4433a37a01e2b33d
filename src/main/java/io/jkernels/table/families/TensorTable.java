package io.jkernels.table.families;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.ElementwiseBench;
import io.jkernels.bench.ElementwiseBench.Call;
import io.jkernels.bench.ElementwiseBench.Tolerance;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpFamily;
import io.jkernels.tensor.DType;
import java.util.List;

/**
 * The tensor family: no ops, only the bench's data movement of the tensor API, the roofline every
 * op is compared with. {@code copy_<dtype>} is {@code out.copyFrom(x)} between two contiguous
 * tensors of one device (a device-to-device copy on cuda, torch's {@code out.copy_(x)}). Its
 * fraction of the copy baseline is about 1 by construction: a check of the harness itself.
 */
public final class TensorTable implements OpFamily {
    static final String FAMILY = "tensor";
    private static final Call COPY = (in, out) -> out[0].copyFrom(in[0]);

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public List<OpEntry> ops() {
        return List.of();
    }

    @Override
    public List<BenchEntry> benchOnly() {
        return List.of(copy(DType.F32), copy(DType.BF16));
    }

    private static BenchEntry copy(DType dtype) {
        return ElementwiseBench.entry(FAMILY, "copy", dtype, 1, 1, ElementwiseBench.ELEMENTWISE, Tolerance.EXACT, COPY,
                COPY);
    }
}
