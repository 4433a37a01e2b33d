package io.jkernels.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The Tensor contract, lifetimes: close is idempotent and frees once (concurrent closes too), a
 * view outlives its base and a base its view, every use after close is an IllegalStateException,
 * live bytes return to the start, and the Cleaner frees a leaked tensor. See
 * {@link TensorContract}.
 */
abstract class TensorLifetimeContract extends TensorContract {

    @Test
    void closeIsIdempotentAndFreesOnce() {
        long start = device().liveBytes();
        Tensor t = Tensor.zeros(DType.F32, device(), 3, 5);
        assertEquals(start + 60, device().liveBytes(), "3 x 5 f32 = 60 bytes");
        Tensor v = t.transpose(0, 1);
        assertEquals(start + 60, device().liveBytes(), "a view allocates nothing");
        t.close();
        t.close();
        assertTrue(t.isClosed());
        assertEquals(start + 60, device().liveBytes(), "the view still holds the memory");
        assertValues(new double[15], v, "a view stays valid after its base is closed");
        v.close();
        v.close();
        assertEquals(start, device().liveBytes());
        assertTrue(t.toString().contains("closed"), t.toString());
    }

    @Test
    void concurrentClosesReleaseEachHandleOnce() throws InterruptedException {
        long start = device().liveBytes();
        List<Tensor> handles = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Tensor t = Tensor.zeros(DType.I32, device(), 4);
            handles.add(t);
            handles.add(t.alias());
        }
        Runnable closeAll = () -> handles.forEach(Tensor::close);
        Thread a = new Thread(closeAll);
        Thread b = new Thread(closeAll);
        a.start();
        b.start();
        closeAll.run();
        a.join();
        b.join();
        assertEquals(start, device().liveBytes(), "each allocation freed exactly once");
    }

    @Test
    void baseStaysValidAfterItsViewIsClosed() {
        long start = device().liveBytes();
        double[] v = values(DType.I32, 6, 0);
        try (Tensor t = make(DType.I32, v, 2, 3)) {
            Tensor view = t.select(0, 1);
            view.close();
            assertValues(v, t, "base after its view closed");
            try (Tensor again = t.narrow(1, 1, 2)) {
                assertValues(new double[] {v[1], v[2], v[4], v[5]}, again, "new view of the base");
            }
        }
        assertEquals(start, device().liveBytes());
    }

    @Test
    void useAfterCloseIsIllegalState() {
        Tensor other = Tensor.zeros(DType.F32, device(), 2, 3);
        Tensor t = Tensor.zeros(DType.F32, device(), 2, 3);
        t.close();
        List<Executable> uses = List.of(
                t::dataAddress, () -> t.reshape(6), () -> t.view(6), () -> t.narrow(0, 0, 1), () -> t.select(0, 0),
                () -> t.transpose(0, 1), () -> t.permute(1, 0), t::alias, t::contiguous, t::copy,
                () -> t.to(Device.cpu()), () -> t.to(device()), t::toFloatArray, t::toDoubleArray, t::toLongArray,
                t::toBooleanArray, t::toByteArray, t::toIntArray, () -> t.fill(1), t::item, () -> t.copyFrom(other),
                () -> other.copyFrom(t), t::flatten);
        for (int i = 0; i < uses.size(); i++) {
            IllegalStateException e = assertThrows(IllegalStateException.class, uses.get(i), "use #" + i + " after close");
            assertMessage(e, "closed");
        }
        // metadata stays readable
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertEquals(6, t.numel());
        assertValues(new double[6], other, "a failed copy into a closed tensor leaves the source alone");
        other.close();
    }

    @Test
    void liveBytesReturnToStartAfterClosingEverything() {
        long start = device().liveBytes();
        List<Tensor> all = new ArrayList<>();
        long expected = 0;
        for (DType dt : DType.values()) {
            Tensor t = Tensor.zeros(dt, device(), 3, 7);
            expected += 21L * dt.bytes();
            Tensor tr = t.transpose(0, 1);
            all.add(t);
            all.add(tr);
            all.add(t.narrow(1, 2, 3));
            all.add(tr.contiguous()); // a copy: new memory
            expected += 21L * dt.bytes();
            all.add(t.to(Device.cpu())); // counted on cpu (an alias when this is cpu)
        }
        assertEquals(start + expected, device().liveBytes());
        for (Tensor t : all) {
            t.close();
        }
        assertEquals(start, device().liveBytes());
    }

    /** Allocates and drops a tensor without closing it. */
    private static void leak(Device d, long bytes) {
        Tensor.empty(DType.BOOL, d, bytes);
    }

    @Test
    void aLeakedTensorIsFreedByTheCleaner() throws InterruptedException {
        long bytes = (1 << 20) + 13;
        long start = device().liveBytes();
        leak(device(), bytes);
        assertTrue(device().liveBytes() >= start + bytes, "the leaked tensor is counted while reachable by nobody");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (device().liveBytes() > start && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(device().liveBytes() <= start, "the Cleaner freed the leaked tensor within 10 s: live "
                + device().liveBytes() + ", started at " + start);
    }
}
