package io.jkernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.table.OpTable;
import io.jkernels.tensor.Device;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Every registered entry prepares, runs and passes its check at the tiny scale. */
class BenchRegistryTest {

    @Test
    void namesAreUniqueAndCarryTheirDtype() {
        List<BenchEntry> all = OpTable.standard().bench();
        Set<String> names = new HashSet<>();
        for (BenchEntry e : all) {
            assertTrue(names.add(e.name()), e.name());
            assertTrue(e.name().endsWith("_" + e.dtype()), e.name());
        }
        assertTrue(names.containsAll(List.of("copy_f32", "copy_bf16", "relu_f32", "relu_bf16", "relu_backward_f32",
                "relu_backward_bf16")), names.toString());
    }

    @Test
    void everyEntryPassesItsCheckOnCpu() {
        checkAll(Device.cpu());
    }

    @Tag("emu")
    @Test
    void everyEntryPassesItsCheckOnEmu() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
        checkAll(Device.emu());
    }

    private static void checkAll(Device d) {
        for (BenchEntry e : OpTable.standard().bench()) {
            try (BenchCase c = e.prepare(d, Scale.TINY, 42)) {
                BenchCase.Verdict v = c.check();
                assertTrue(v.passed(), e.name() + " on " + d + ": " + v.message());
                assertTrue(c.bytes() > 0, e.name());
            }
        }
    }

    @Test
    void largeTensorsAreCheckedInWindowsCoveringHeadAndTail() {
        long n = 1L << 28;
        List<long[]> w = ElementwiseBench.windows(n);
        assertEquals(ElementwiseBench.WINDOWS + 1, w.size());
        assertEquals(0, w.get(0)[0]);
        long[] last = w.get(w.size() - 1);
        assertEquals(n, last[0] + last[1]);
        for (long[] x : w) {
            assertTrue(x[0] >= 0 && x[0] + x[1] <= n);
        }
        assertEquals(List.of(0L, 1000L), List.of(ElementwiseBench.windows(1000).get(0)[0],
                ElementwiseBench.windows(1000).get(0)[1]));
    }

    @Test
    void aLargeTensorIsCheckedInWindowsAndAFaultInOneIsFound() {
        ElementwiseBench.Sizes big = new ElementwiseBench.Sizes(1L << 23, 1L << 23, 1L << 23);
        BenchEntry relu = ElementwiseBench.entry("test", "relu", io.jkernels.tensor.DType.F32, 1, 1, big,
                ElementwiseBench.Tolerance.EXACT, (in, o) -> io.jkernels.ops.Activations.relu(in[0], o[0]),
                (in, o) -> io.jkernels.ref.ActivationsRef.relu(in[0], o[0]));
        try (BenchCase c = relu.prepare(Device.cpu(), Scale.HOST, 3)) {
            BenchCase.Verdict v = c.check();
            assertTrue(v.passed(), v.message());
            assertEquals((ElementwiseBench.WINDOWS + 1) * ElementwiseBench.WINDOW, v.checked());
        }
        // the op leaves the last element unwritten (NaN from the poisoning): the tail window sees it
        BenchEntry lastUnwritten = ElementwiseBench.entry("test", "relu_but_last", io.jkernels.tensor.DType.F32, 1, 1,
                big, ElementwiseBench.Tolerance.EXACT, (in, o) -> {
                    try (var head = in[0].narrow(0, 0, (1L << 23) - 1); var out = o[0].narrow(0, 0, (1L << 23) - 1)) {
                        io.jkernels.ops.Activations.relu(head, out);
                    }
                }, (in, o) -> io.jkernels.ref.ActivationsRef.relu(in[0], o[0]));
        try (BenchCase c = lastUnwritten.prepare(Device.cpu(), Scale.HOST, 3)) {
            BenchCase.Verdict v = c.check();
            assertTrue(!v.passed() && v.message().contains("at " + ((1L << 23) - 1) + " got NaN"), v.message());
        }
    }

    @Test
    void countsArePrintedAsPowersOfTwo() {
        assertEquals("2^28", ElementwiseBench.count(1L << 28));
        assertEquals("4099", ElementwiseBench.count(4099));
    }
}
