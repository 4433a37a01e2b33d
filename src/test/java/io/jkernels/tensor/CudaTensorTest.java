package io.jkernels.tensor;

import io.jkernels.testing.Gpu;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/**
 * The Tensor contract on CUDA device 0, every topic of {@link TensorContract} as a nested class;
 * skips, saying why, where CUDA is unavailable.
 */
@Tag("gpu")
class CudaTensorTest {

    @BeforeAll
    static void requireCuda() {
        Gpu.requireCuda();
    }

    @Nested
    class Creation extends TensorCreationContract {
        @Override
        Device device() {
            return Device.cuda(0);
        }
    }

    @Nested
    class Fill extends TensorFillContract {
        @Override
        Device device() {
            return Device.cuda(0);
        }
    }

    @Nested
    class Host extends TensorHostContract {
        @Override
        Device device() {
            return Device.cuda(0);
        }
    }

    @Nested
    class Views extends TensorViewsContract {
        @Override
        Device device() {
            return Device.cuda(0);
        }
    }

    @Nested
    class Copies extends TensorCopiesContract {
        @Override
        Device device() {
            return Device.cuda(0);
        }
    }

    @Nested
    class Lifetime extends TensorLifetimeContract {
        @Override
        Device device() {
            return Device.cuda(0);
        }
    }
}
