package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Outputs that share memory with an input: exactly the input's view is the in-place form of an
 * elementwise op; any other overlap is rejected before anything is written (as PyTorch's "some
 * elements of the input tensor and the written-to tensor refer to a single memory location").
 * Also: a failed copy frees what it allocated, and a workspace must be on the tensors' device.
 */
class OutputOverlapTest {
    private static final float[] DATA = {-1, 2, -3, 4, -5, 6, -7, 8, -9};

    @Test
    void shiftedOutputViewIsRejectedAndNothingWritten() {
        try (Tensor base = Tensor.of(DATA); Tensor in = base.narrow(0, 0, 8); Tensor out = base.narrow(0, 1, 8)) {
            TensorException e = assertThrows(TensorException.class, () -> Activations.relu(in, out));
            assertTrue(e.getMessage().contains("overlaps input"), e.getMessage());
            assertArrayEquals(DATA, base.toFloatArray(), "nothing written");
        }
    }

    @Test
    void exactInPlaceViewIsAllowed() {
        try (Tensor base = Tensor.of(DATA); Tensor v = base.narrow(0, 1, 8)) {
            Activations.relu(v, v);
            assertArrayEquals(new float[] {-1, 2, 0, 4, 0, 6, 0, 8, 0}, base.toFloatArray());
        }
    }

    @Test
    void gatedGradientsMustNotOverlapEachOther() {
        try (Tensor g = Tensor.of(new float[] {1, 1, 1, 1});
             Tensor gate = Tensor.of(new float[] {1, 2, 3, 4});
             Tensor up = Tensor.of(new float[] {4, 3, 2, 1});
             Tensor both = Tensor.full(7, DType.F32, Device.cpu(), 4)) {
            assertThrows(TensorException.class, () -> Activations.swigluBackward(g, gate, up, both, both));
            assertArrayEquals(new float[] {7, 7, 7, 7}, both.toFloatArray());
        }
    }

    @Test
    void disjointViewsOfOneAllocationAreFine() {
        try (Tensor base = Tensor.of(DATA); Tensor in = base.narrow(0, 0, 4); Tensor out = base.narrow(0, 4, 4)) {
            Activations.relu(in, out);
            assertArrayEquals(new float[] {-1, 2, -3, 4, 0, 2, 0, 4, -9}, base.toFloatArray());
        }
    }

    @Test
    @Tag("emu")
    void failedContiguousCopyFreesItsAllocation() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
        // nine non-mergeable dimensions: more than the strided-copy kernel takes
        try (Tensor t = Tensor.zeros(DType.F32, Device.emu(), 2, 3, 2, 3, 2, 3, 2, 3, 2);
             Tensor p = t.permute(8, 7, 6, 5, 4, 3, 2, 1, 0)) {
            long before = Device.emu().liveBytes();
            assertThrows(UnsupportedOperationException.class, p::contiguous);
            assertEquals(before, Device.emu().liveBytes(), "bytes left allocated by the failed copy");
        }
    }

    @Test
    @Tag("emu")
    void workspaceOnAnotherDeviceIsATypedError() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
        try (Tensor r = Tensor.randn(1, DType.F32, Device.emu(), 16, 4);
             Tensor d = Tensor.zeros(DType.BOOL, Device.emu(), 16, 4);
             Td.Workspace ws = new Td.Workspace(Device.cpu())) {
            assertThrows(TensorException.DeviceMismatch.class, () -> Returns.discountedReturn(r, d, null, 0.9, null, ws));
        }
    }
}
