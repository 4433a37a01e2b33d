package io.jkernels.check;

import io.jkernels.tensor.Device;
import io.jkernels.testing.Gpu;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The golden suite on CUDA device 0 (skipped without a GPU). */
@Tag("gpu")
class CudaCaseRunnerTest {

    @Test
    void goldenSuitePassesOnCuda() throws Exception {
        Gpu.requireCuda();
        CaseRunnerTest.goldenSuitePasses(Device.cuda(0));
    }
}
