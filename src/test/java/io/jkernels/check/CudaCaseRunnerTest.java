package io.jkernels.check;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkernels.tensor.Device;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The golden suite on CUDA device 0 (skipped without a GPU). */
@Tag("gpu")
class CudaCaseRunnerTest {

    @Test
    void goldenSuitePassesOnCuda() throws Exception {
        assumeTrue(Device.cudaAvailable(), () -> "CUDA unavailable: " + Device.cudaUnavailableReason());
        CaseRunnerTest.goldenSuitePasses(Device.cuda(0));
    }
}
