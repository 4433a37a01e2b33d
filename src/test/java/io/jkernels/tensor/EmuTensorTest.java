package io.jkernels.tensor;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/** The Tensor contract on the host emulator: copies and fills run the kernels of kernels/tensor.cu. */
@Tag("emu")
class EmuTensorTest extends TensorContractTest {

    @BeforeAll
    static void requireEmulator() {
        assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    @Override
    Device device() {
        return Device.emu();
    }
}
