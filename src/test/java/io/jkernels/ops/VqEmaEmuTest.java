package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jkernels.ref.VqRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Poison;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * vq_ema_update's kernels on the host emulator against {@link VqRef}: shapes around the kernels'
 * edges (8 codes per block, 2048 indices per step, 256 columns per block), skewed index
 * distributions, N = 0, identical bits over repeated runs, and every rejected call leaving
 * every tensor unchanged.
 *
 * <p>Tolerance: the kernels and the reference both compute in float64 and round once; they differ
 * only in the order of the float64 sums (total: a tree instead of a loop), so the outputs agree to
 * one float32 rounding: 2 ulp. cluster_size's counts are exact integers, so its only rounding is
 * the final one: 1 ulp would do, 2 is used throughout.
 */
@Tag("emu")
class VqEmaEmuTest {

    @BeforeAll
    static void emu() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    record State(Tensor x, Tensor idx, Tensor cs, Tensor es) implements AutoCloseable {
        @Override
        public void close() {
            x.close();
            idx.close();
            cs.close();
            es.close();
        }

        /** Fresh copies on {@code d} (never aliases, also on cpu). */
        State to(Device d) {
            return new State(put(x, d), put(idx, d), put(cs, d), put(es, d));
        }

        private static Tensor put(Tensor t, Device d) {
            return d.isCpu() ? t.copy() : t.to(d);
        }
    }

    /** Random state; {@code skew}: most rows go to code 0 (one long segment). */
    static State state(long seed, long n, long k, long d, boolean skew) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = VqNearestEmuTest.randn(seed, 1.0, n, d);
        Tensor idx = Tensor.empty(DType.I64, Device.cpu(), n);
        for (long i = 0; i < n; i++) {
            idx.setLong(i, skew && r.nextInt(4) != 0 ? 0 : r.nextLong(k));
        }
        Tensor cs = Tensor.empty(DType.F32, Device.cpu(), k);
        for (long i = 0; i < k; i++) {
            cs.setDouble(i, r.nextDouble() * 5);
        }
        Tensor es = VqNearestEmuTest.randn(seed + 1, 2.0, k, d);
        return new State(x, idx, cs, es);
    }

    @ParameterizedTest(name = "N={0} K={1} D={2} skew={3}")
    @CsvSource({"1,1,1,false", "0,3,5,false", "7,9,3,false", "2049,17,4,false", "4100,8,7,true", "300,130,257,false",
        "5000,1,2,false", "129,600,16,true"})
    void matchesReference(long n, long k, long d, boolean skew) {
        double decay = 0.9;
        double eps = 1e-3;
        try (State host = state(n * 13 + k, n, k, d, skew); State ref = new State(host.x.copy(), host.idx.copy(),
                host.cs.copy(), host.es.copy()); State dev = host.to(Device.emu());
                Tensor expected = Tensor.empty(DType.F32, Device.cpu(), k, d);
                Tensor cb = Poison.nan(DType.F32, Device.emu(), k, d)) {
            VqRef.emaUpdate(ref.x, ref.idx, ref.cs, ref.es, decay, eps, expected);
            VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es, decay, eps, cb);
            Compare.withinUlps("cluster_size", dev.cs, ref.cs, 2);
            Compare.withinUlps("embed_sum", dev.es, ref.es, 2);
            Compare.withinUlps("codebook", cb, expected, 2);
            Compare.bitEqual("input unchanged", dev.x, host.x);
        }
    }

    @Test
    void identicalBitsEveryRun() {
        try (State host = state(5, 6000, 40, 33, true)) {
            Tensor[] cs = new Tensor[3];
            Tensor[] es = new Tensor[3];
            Tensor[] cb = new Tensor[3];
            try {
                for (int i = 0; i < 3; i++) {
                    try (State dev = host.to(Device.emu())) {
                        cb[i] = VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es);
                        cs[i] = dev.cs.to(Device.cpu());
                        es[i] = dev.es.to(Device.cpu());
                    }
                }
                for (int i = 1; i < 3; i++) {
                    Compare.bitEqual("cluster_size", cs[i], cs[0]);
                    Compare.bitEqual("embed_sum", es[i], es[0]);
                    Compare.bitEqual("codebook", cb[i], cb[0]);
                }
            } finally {
                for (int i = 0; i < 3; i++) {
                    for (Tensor t : new Tensor[] {cs[i], es[i], cb[i]}) {
                        if (t != null) {
                            t.close();
                        }
                    }
                }
            }
        }
    }

    /** Runs a call that must fail with {@code type} and checks that no tensor changed. */
    static void rejects(Class<? extends Throwable> type, State dev, Tensor cb, Runnable call) {
        try (State before = new State(dev.x.to(Device.cpu()), dev.idx.to(Device.cpu()), dev.cs.to(Device.cpu()),
                dev.es.to(Device.cpu())); Tensor cbBefore = cb.to(Device.cpu())) {
            assertThrows(type, call::run);
            Compare.bitEqual("input", dev.x, before.x);
            Compare.bitEqual("indices", dev.idx, before.idx);
            Compare.bitEqual("cluster_size", dev.cs, before.cs);
            Compare.bitEqual("embed_sum", dev.es, before.es);
            Compare.bitEqual("codebook", cb, cbBefore);
        }
    }

    @Test
    void errorsWriteNothing() {
        for (Device device : new Device[] {Device.cpu(), Device.emu()}) {
            try (State host = state(7, 3000, 12, 5, false); State dev = host.to(device);
                    Tensor cb = Tensor.zeros(DType.F32, device, 12, 5)) {
                dev.idx.copyFrom(host.idx);
                try (Tensor bad = host.idx.copy()) {
                    bad.setLong(2500, 12);
                    dev.idx.copyFrom(bad);
                }
                rejects(IndexOutOfBoundsException.class, dev, cb,
                        () -> VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es, 0.99, 1e-5, cb));
                try (Tensor bad = host.idx.copy()) {
                    bad.setLong(0, -1);
                    dev.idx.copyFrom(bad);
                }
                rejects(IndexOutOfBoundsException.class, dev, cb,
                        () -> VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es, 0.99, 1e-5, cb));
                dev.idx.copyFrom(host.idx);
                rejects(TensorException.BadAttr.class, dev, cb,
                        () -> VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es, 1.5, 1e-5, cb));
                rejects(TensorException.BadAttr.class, dev, cb,
                        () -> VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es, Double.NaN, 1e-5, cb));
                rejects(TensorException.BadAttr.class, dev, cb,
                        () -> VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es, 0.99, 0.0, cb));
                // decay 1 keeps cluster_size, all 0 here: total = 0
                dev.cs.fill(0);
                rejects(TensorException.class, dev, cb,
                        () -> VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es, 1.0, 1e-5, cb));
                try (Tensor x0 = Tensor.empty(DType.F32, device, 0, 5); Tensor i0 = Tensor.empty(DType.I64, device, 0)) {
                    rejects(TensorException.class, dev, cb,
                            () -> VectorQuantizer.emaUpdate(x0, i0, dev.cs, dev.es, 0.5, 1e-5, cb));
                }
                try (Tensor i32 = Tensor.zeros(DType.I32, device, 3000)) {
                    rejects(TensorException.DTypeMismatch.class, dev, cb,
                            () -> VectorQuantizer.emaUpdate(dev.x, i32, dev.cs, dev.es, 0.5, 1e-5, cb));
                }
            }
        }
    }

    @Test
    void emptyBatchDecaysTheState() {
        try (State host = state(9, 0, 6, 4, false); State dev = host.to(Device.emu());
                Tensor cb = VectorQuantizer.emaUpdate(dev.x, dev.idx, dev.cs, dev.es, 0.5, 1e-5)) {
            for (int i = 0; i < 6; i++) {
                assertEquals((float) (0.5 * host.cs.getDouble(i)), dev.cs.toFloatArray()[i]);
            }
            assertEquals(24, cb.numel());
        }
    }
}
