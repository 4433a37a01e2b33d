package io.jkernels.table.families;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The error samples of every op in the table, run as the conformance runner runs an
 * {@code expect_error} case (input names, attrs, preparation by kind, the op on the device): the
 * valid sample (with the op's first demo's attrs, else the defaults) is accepted; each bad call
 * is rejected with a {@link TensorException} subclass whose message names the sample's argument,
 * and leaves every input as it was.
 */
class ErrorSamplesTest {
    /** Elements of the valid sample. */
    private static final long N = 1000;

    @Test
    void everyOpHasAValidSampleAndAtLeastTwoErrorSamples() {
        for (OpEntry e : OpTable.standard().ops()) {
            assertNotNull(e.sample(), e.name());
            assertTrue(e.errors().size() >= 2, e.name() + " has " + e.errors().size() + " error samples");
            assertNotEquals("OPS.md's tolerance for " + e.name(), e.tolerance().reason(), e.name());
        }
    }

    @Test
    void everyErrorSampleIsRejectedOnCpu() {
        checkAll(Device.cpu());
    }

    @Tag("emu")
    @Test
    void everyErrorSampleIsRejectedOnEmu() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
        checkAll(Device.emu());
    }

    private static void checkAll(Device device) {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (OpEntry e : OpTable.standard().ops()) {
            Map<String, Object> validAttrs = e.demos().isEmpty() ? Map.of() : e.demos().get(0).attrs();
            long live = device.liveBytes();
            long liveCpu = Device.cpu().liveBytes();
            Map<String, Tensor> valid = e.sample().make(e.def(), N, 7);
            try {
                Outcome ok = call(e.def(), valid, validAttrs, device);
                if (ok.thrown != null || ok.problem != null) {
                    problems.add(e.name() + ": the valid sample fails: "
                            + (ok.problem != null ? ok.problem : ok.thrown.toString()));
                }
                for (OpEntry.ErrorSample s : e.errors()) {
                    String p = rejects(e.def(), valid, s, device);
                    if (p != null) {
                        problems.add(e.name() + " / " + s.what() + ": " + p);
                    }
                    checked++;
                }
            } finally {
                valid.values().forEach(Tensor::close);
            }
            if (device.liveBytes() != live || Device.cpu().liveBytes() != liveCpu) {
                problems.add(e.name() + ": " + (device.liveBytes() - live) + " bytes on " + device + " and "
                        + (Device.cpu().liveBytes() - liveCpu) + " on cpu left allocated");
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " of " + checked + " error samples on " + device + ":\n  "
                    + String.join("\n  ", problems));
        }
    }

    /** Null when the bad call is rejected as it must be, else what went wrong. */
    private static String rejects(OpDef def, Map<String, Tensor> valid, OpEntry.ErrorSample s, Device device) {
        Map<String, Tensor> bad = s.mutate().apply(valid);
        Set<Tensor> owned = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor t : bad.values()) {
            if (!valid.containsValue(t)) {
                owned.add(t);
            }
        }
        try {
            Outcome o = call(def, bad, s.attrs(), device);
            if (o.thrown == null) {
                return o.problem != null ? o.problem : "accepted";
            }
            if (!(o.thrown instanceof TensorException) || o.thrown.getClass() == TensorException.class) {
                return "rejected with " + o.thrown.getClass().getName() + " (" + o.thrown.getMessage()
                        + "), not a TensorException subclass";
            }
            String m = String.valueOf(o.thrown.getMessage());
            if (!m.contains(s.argument())) {
                return "the message does not name '" + s.argument() + "': " + m;
            }
            return o.problem;
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    private record Outcome(RuntimeException thrown, String problem) {
    }

    /**
     * The runner's sequence on {@code device}: thrown is the rejection (or null); problem is set when
     * the op threw something else, or changed an input while rejecting the call.
     */
    private static Outcome call(OpDef def, Map<String, Tensor> inputs, Map<String, Object> rawAttrs, Device device) {
        List<Tensor> own = new ArrayList<>();
        Map<String, Tensor> host = new LinkedHashMap<>();
        Map<String, Tensor> onDevice = new LinkedHashMap<>();
        try {
            try {
                def.checkInputNames(inputs.keySet());
                Attrs attrs = def.parseAttrs(rawAttrs);
                for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
                    Tensor p = def.prepare(e.getKey(), e.getValue());
                    own.add(p);
                    host.put(e.getKey(), p);
                }
                for (Map.Entry<String, Tensor> e : host.entrySet()) {
                    Tensor d = device.isCpu() ? e.getValue().copy() : e.getValue().to(device);
                    own.add(d);
                    onDevice.put(e.getKey(), d);
                }
                Map<String, Tensor> out = def.run(onDevice, attrs);
                out.values().forEach(own::add);
                return new Outcome(null, null);
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                for (Map.Entry<String, Tensor> d : onDevice.entrySet()) {
                    if (!sameValues(d.getValue(), host.get(d.getKey()))) {
                        return new Outcome(e, "changed input '" + d.getKey() + "' while rejecting the call");
                    }
                }
                return new Outcome(e, null);
            } catch (RuntimeException e) {
                return new Outcome(null, "threw " + e);
            }
        } finally {
            own.forEach(Tensor::close);
        }
    }

    private static boolean sameValues(Tensor a, Tensor b) {
        try (Tensor ha = a.to(Device.cpu())) {
            if (!java.util.Arrays.equals(ha.shape(), b.shape()) || ha.dtype() != b.dtype()) {
                return false;
            }
            return java.util.Arrays.equals(ha.toDoubleArray(), b.toDoubleArray());
        }
    }

    @Test
    void samplesAreTheInputsTheOpDeclares() {
        for (OpEntry e : OpTable.standard().ops()) {
            Map<String, Tensor> m = e.sample().make(e.def(), N, 3);
            try {
                assertEquals(Set.copyOf(e.def().requiredInputs()), m.keySet(), e.name());
                for (Tensor t : m.values()) {
                    assertTrue(t.device().isCpu(), e.name());
                    assertNotEquals(0, t.numel(), e.name());
                }
            } finally {
                m.values().forEach(Tensor::close);
            }
        }
    }

    /** The demo rows and the samples agree on which inputs an op takes (one demo's maker per op). */
    @Test
    void demoInputsAreTheInputsTheOpDeclares() {
        for (OpEntry e : OpTable.standard().ops()) {
            for (DemoCase d : e.demos()) {
                Map<String, Tensor> m = d.inputs().make(e.def(), 256, 1);
                try {
                    e.def().checkInputNames(m.keySet());
                } finally {
                    m.values().forEach(Tensor::close);
                }
            }
        }
    }
}
