package io.jkernels.tensor;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/**
 * The Tensor contract on the host emulator, every topic of {@link TensorContract} as a nested class:
 * copies and fills run the kernels of kernels/tensor.cu.
 */
@Tag("emu")
class EmuTensorTest {

    @BeforeAll
    static void requireEmulator() {
        assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    @Nested
    class Creation extends TensorCreationContract {
        @Override
        Device device() {
            return Device.emu();
        }
    }

    @Nested
    class Fill extends TensorFillContract {
        @Override
        Device device() {
            return Device.emu();
        }
    }

    @Nested
    class Host extends TensorHostContract {
        @Override
        Device device() {
            return Device.emu();
        }
    }

    @Nested
    class Views extends TensorViewsContract {
        @Override
        Device device() {
            return Device.emu();
        }
    }

    @Nested
    class Copies extends TensorCopiesContract {
        @Override
        Device device() {
            return Device.emu();
        }
    }

    @Nested
    class Lifetime extends TensorLifetimeContract {
        @Override
        Device device() {
            return Device.emu();
        }
    }
}
