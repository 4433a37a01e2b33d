package io.jkernels.tensor;

import org.junit.jupiter.api.BeforeAll;
import io.jkernels.testing.Gpu;
import org.junit.jupiter.api.Tag;

/** The Tensor contract on CUDA device 0; skips, saying why, where CUDA is unavailable. */
@Tag("gpu")
class CudaTensorTest extends TensorContractTest {

    @BeforeAll
    static void requireCuda() {
        Gpu.requireCuda();
    }

    @Override
    Device device() {
        return Device.cuda(0);
    }
}
