package io.jkernels.check;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jkernels.tensor.Device;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The golden suite on the host emulator: the same kernels, grids and arguments as on a GPU. */
@Tag("emu")
class EmuCaseRunnerTest {

    @Test
    void goldenSuitePassesOnEmu() throws Exception {
        assumeTrue(Device.emuAvailable(), () -> "emu unavailable: " + Device.emuUnavailableReason());
        CaseRunnerTest.goldenSuitePasses(Device.emu());
    }
}
