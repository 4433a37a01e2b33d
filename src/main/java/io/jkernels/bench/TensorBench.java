package io.jkernels.bench;

import io.jkernels.bench.ElementwiseBench.Call;
import io.jkernels.bench.ElementwiseBench.Tolerance;
import io.jkernels.tensor.DType;
import java.util.List;

/**
 * Data movement of the tensor API: {@code copy_<dtype>} is {@code out.copyFrom(x)} between two
 * contiguous tensors of one device (a device-to-device copy on cuda, torch's
 * {@code out.copy_(x)}). Its fraction of the copy baseline is about 1 by construction: a check
 * of the harness itself.
 */
public final class TensorBench implements BenchFamily {
    private static final Call COPY = (in, out) -> out[0].copyFrom(in[0]);

    @Override
    public String name() {
        return "tensor";
    }

    @Override
    public List<BenchEntry> entries() {
        return List.of(copy(DType.F32), copy(DType.BF16));
    }

    private BenchEntry copy(DType dtype) {
        return ElementwiseBench.entry(name(), "copy", dtype, 1, 1, ElementwiseBench.ELEMENTWISE, Tolerance.EXACT,
                COPY, COPY);
    }
}
