package io.jkernels.tensor;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The Tensor contract on CUDA device 0; skips, saying why, where CUDA is unavailable. */
@Tag("gpu")
class CudaTensorTest extends TensorContractTest {

    @BeforeAll
    static void requireCuda() {
        assumeTrue(Device.cudaAvailable(), Device.cudaUnavailableReason());
    }

    @Override
    Device device() {
        return Device.cuda(0);
    }
}
