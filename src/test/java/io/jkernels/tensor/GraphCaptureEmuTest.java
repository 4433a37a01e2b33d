package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.backend.KernelGraph;
import io.jkernels.ops.Activations;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device.capture on emu: nothing runs while capturing, replay runs the recorded work, and memory
 * an op frees during the capture (its contiguous copy of a strided input) stays alive for the
 * replays until the graph is closed (under the ASan run, a replay reading freed memory fails).
 */
@Tag("emu")
class GraphCaptureEmuTest {
    @BeforeAll
    static void emu() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    @Test
    void replayRunsTheCapturedWorkAndKeepsItsTemporaries() {
        Device emu = Device.emu();
        try (Tensor x = Tensor.randn(5, DType.F32, emu, 64, 48);
             Tensor xt = x.transpose(0, 1);
             Tensor y = Tensor.full(Float.NaN, DType.F32, emu, 48, 64);
             Tensor want = Activations.relu(xt)) {
            long live = emu.liveBytes();
            KernelGraph g = emu.capture(() -> Activations.relu(xt, y));
            assertTrue(Float.isNaN(y.toFloatArray()[0]), "nothing runs during capture");
            assertEquals(2, g.size(), "the contiguous copy and the relu");
            assertTrue(emu.liveBytes() > live, "the contiguous copy is kept for the replays");
            g.replay();
            assertArrayEquals(want.toFloatArray(), y.toFloatArray());
            y.fill(Float.NaN);
            g.replay();
            assertArrayEquals(want.toFloatArray(), y.toFloatArray());
            g.close();
            assertEquals(live, emu.liveBytes(), "closing the graph frees what it kept");
            assertThrows(IllegalStateException.class, g::replay);
        }
    }

    @Test
    void anOutputAllocatedInTheCaptureOutlivesItsHandleUntilTheGraphCloses() {
        Device emu = Device.emu();
        try (Tensor x = Tensor.randn(6, DType.F32, emu, 4097)) {
            long live = emu.liveBytes();
            Tensor[] y = new Tensor[1];
            KernelGraph g = emu.capture(() -> y[0] = Activations.relu(x)); // allocates y inside the capture
            g.replay();
            try (Tensor want = Activations.relu(x)) {
                assertArrayEquals(want.toFloatArray(), y[0].toFloatArray());
            }
            y[0].close();
            assertTrue(emu.liveBytes() > live, "the graph keeps its output's memory after the handle is closed");
            g.replay(); // writes memory the graph kept (under the ASan run, freed memory would fail here)
            g.close();
            assertEquals(live, emu.liveBytes(), "closing the graph frees what it kept");
        }
    }

    @Test
    void hostTransfersCannotBeCaptured() {
        Device emu = Device.emu();
        long live = emu.liveBytes();
        try (Tensor host = Tensor.of(new float[] {1, 2, 3}); Tensor dev = Tensor.zeros(DType.F32, emu, 3)) {
            assertThrows(IllegalStateException.class, () -> emu.capture(() -> dev.copyFrom(host)));
        }
        assertEquals(live, emu.liveBytes());
    }
}
