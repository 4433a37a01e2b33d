package io.jkernels.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.table.OpEntry;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpRegistryTest {

    /** An op with one attr of every kind, for the parser. */
    static final OpDef ALL = OpDef.builder("all")
            .input("x")
            .input("states", OpDef.InputKind.INDEX)
            .optionalInput("dones", OpDef.InputKind.MASK)
            .optionalInput("counts", OpDef.InputKind.COUNT)
            .attrs(AttrSpec.real("lr", 1e-3).atLeast(0),
                    AttrSpec.real("beta1", 0.9).where(v -> (double) v >= 0 && (double) v < 1, "in [0, 1)"),
                    AttrSpec.integer("step").atLeast(1),
                    AttrSpec.bool("amsgrad", false),
                    AttrSpec.string("mode", "nearest", "nearest", "nearest-exact"),
                    AttrSpec.longs("size").optional().length(2).atLeast(1),
                    AttrSpec.doubles("scale_factor").optional().length(2).scalarForAll())
            .outputs("y")
            .check(a -> {
                if (a.has("size") == a.has("scale_factor")) {
                    throw new TensorException.BadAttr("give exactly one of size and scale_factor");
                }
            })
            .body((in, a) -> Map.of("y", in.get("x").alias()))
            .build();

    private static Map<String, Object> attrs(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String badAttr(Map<String, Object> raw) {
        return assertThrows(TensorException.BadAttr.class, () -> ALL.parseAttrs(raw)).getMessage();
    }

    @Test
    void parsesDefaultsAndGivenValues() {
        Attrs a = ALL.parseAttrs(attrs("step", 3L, "size", List.of(4L, 5L), "lr", 2L, "mode", "nearest-exact",
                "scale_factor", null));
        assertEquals(2.0, a.getDouble("lr"));
        assertEquals(0.9, a.getDouble("beta1"));
        assertEquals(3, a.getLong("step"));
        assertEquals(3, a.getInt("step"));
        assertFalse(a.getBool("amsgrad"));
        assertEquals("nearest-exact", a.getString("mode"));
        assertArrayEquals(new long[] {4, 5}, a.getLongs("size"));
        assertFalse(a.has("scale_factor"));
        assertTrue(a.isGiven("lr"));
        assertFalse(a.isGiven("beta1"));
        assertThrows(IllegalStateException.class, () -> a.getDoubles("scale_factor"));
        assertThrows(IllegalStateException.class, () -> a.getLong("lr"));
    }

    @Test
    void aSingleNumberStandsForBothAxes() {
        Attrs a = ALL.parseAttrs(attrs("step", 1L, "scale_factor", 2.5));
        assertArrayEquals(new double[] {2.5, 2.5}, a.getDoubles("scale_factor"));
        Attrs b = ALL.parseAttrs(attrs("step", 1L, "scale_factor", List.of(2L, 1.5)));
        assertArrayEquals(new double[] {2.0, 1.5}, b.getDoubles("scale_factor"));
    }

    @Test
    void attrErrorsAreClear() {
        assertEquals("unknown attr 'align_corners' for all: it takes lr, beta1, step, amsgrad, mode, size, scale_factor",
                badAttr(attrs("step", 1L, "size", List.of(1L, 1L), "align_corners", true)));
        assertTrue(badAttr(attrs("size", List.of(1L, 1L))).startsWith("missing required attr 'step' for all"));
        assertEquals("attr 'step' of all must be an integer, got a number (2.0)",
                badAttr(attrs("step", 2.0, "size", List.of(1L, 1L))));
        assertEquals("attr 'step' of all must be >= 1, got 0", badAttr(attrs("step", 0L, "size", List.of(1L, 1L))));
        assertEquals("attr 'lr' of all must be >= 0, got -1.0",
                badAttr(attrs("step", 1L, "lr", -1.0, "size", List.of(1L, 1L))));
        assertEquals("attr 'beta1' of all must be in [0, 1), got 1.0",
                badAttr(attrs("step", 1L, "beta1", 1.0, "size", List.of(1L, 1L))));
        assertEquals("attr 'lr' of all must be a number, got a string (1e-3)",
                badAttr(attrs("step", 1L, "lr", "1e-3", "size", List.of(1L, 1L))));
        assertEquals("attr 'amsgrad' of all must be true or false, got an integer (1)",
                badAttr(attrs("step", 1L, "amsgrad", 1L, "size", List.of(1L, 1L))));
        assertEquals("attr 'mode' of all must be one of [\"nearest\", \"nearest-exact\"], got \"bilinear\"",
                badAttr(attrs("step", 1L, "mode", "bilinear", "size", List.of(1L, 1L))));
        assertEquals("attr 'size' of all must have 2 elements, got 3", badAttr(attrs("step", 1L, "size", List.of(1L, 2L, 3L))));
        assertEquals("attr 'size' of all must be a list of integers, got an integer (4)", badAttr(attrs("step", 1L, "size", 4L)));
        assertEquals("attr 'size' of all must be >= 1, got [0, 2]", badAttr(attrs("step", 1L, "size", List.of(0L, 2L))));
        assertEquals("attr 'scale_factor' of all must be a list of numbers or a single number, got a string (x)",
                badAttr(attrs("step", 1L, "scale_factor", "x")));
        assertEquals("give exactly one of size and scale_factor", badAttr(attrs("step", 1L)));
    }

    @Test
    void inputNamesAreChecked() {
        ALL.checkInputNames(Set.of("x", "states"));
        ALL.checkInputNames(Set.of("x", "states", "dones", "counts"));
        TensorException missing = assertThrows(TensorException.class, () -> ALL.checkInputNames(Set.of("x")));
        assertEquals("missing input 'states': all takes x, states, optional dones, counts", missing.getMessage());
        TensorException extra = assertThrows(TensorException.class,
                () -> ALL.checkInputNames(Set.of("x", "states", "bootstrap")));
        assertEquals("extra input 'bootstrap': all takes x, states, optional dones, counts", extra.getMessage());
        assertEquals(List.of("x", "states"), ALL.requiredInputs());
        assertEquals(List.of("dones", "counts"), ALL.optionalInputs());
    }

    @Test
    void inputsArePreparedByKind() {
        try (Tensor f8 = Tensor.of(new double[] {0.1, 1.0000000000000002, 3.4e39}); Tensor p = ALL.prepare("x", f8)) {
            assertEquals(DType.F32, p.dtype());
            assertEquals(0.1f, (float) p.getDouble(0));
            assertEquals(1.0f, (float) p.getDouble(1));
            assertEquals(Double.POSITIVE_INFINITY, p.getDouble(2));
        }
        try (Tensor i4 = Tensor.of(new int[] {-1, 7}); Tensor p = ALL.prepare("states", i4)) {
            assertEquals(DType.I64, p.dtype());
            assertArrayEquals(new long[] {-1, 7}, p.toLongArray());
        }
        try (Tensor f4 = Tensor.of(new float[] {1}); Tensor i8 = Tensor.of(new long[] {1})) {
            assertTrue(assertThrows(TensorException.DTypeMismatch.class, () -> ALL.prepare("states", f4)).getMessage()
                    .contains("int64"));
            assertTrue(assertThrows(TensorException.DTypeMismatch.class, () -> ALL.prepare("dones", f4)).getMessage()
                    .contains("must be bool"));
            assertThrows(TensorException.DTypeMismatch.class, () -> ALL.prepare("counts", f4));
            try (Tensor p = ALL.prepare("x", i8)) {
                assertEquals(DType.I64, p.dtype()); // a float input of another dtype goes to the op, which rejects it
            }
        }
    }

    @Test
    void standardRegistryHasReluAndItsDemos() {
        OpRegistry r = OpTable.standard().registry();
        assertEquals(List.of("input"), r.op("relu").requiredInputs());
        assertEquals(List.of("grad_output", "input"), r.op("relu_backward").requiredInputs());
        assertEquals(List.of("grad_input"), r.op("relu_backward").outputs());
        assertEquals(1e-6, r.op("relu").atol());
        assertEquals(1e-5, r.op("relu_backward").atol());
        assertTrue(r.demos().stream().anyMatch(d -> d.op().equals("relu")));
        for (DemoCase d : r.demos()) {
            assertTrue(r.find(d.op()).isPresent(), d.op());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> r.op("nope")).getMessage()
                .startsWith("unknown op 'nope'"));
    }

    @Test
    void duplicatesAndUnknownDemoOpsAreRejected() {
        OpRegistry r = new OpRegistry().register(ALL);
        assertThrows(IllegalStateException.class, () -> r.register(ALL));
        // a demo names its op: the table's entries reject one listed under another op
        assertThrows(IllegalStateException.class, () -> new OpEntry("test", ALL, "", new OpEntry.Tolerance("", false),
                List.of(), List.of(DemoCase.of("missing", Map.of())), null, List.of(), "not benchmarked", null));
    }
}
