package io.jkernels.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ops the conformance runner and the demo know, by OPS.md name, with the demo rows. The
 * standard one is derived from the op table ({@code io.jkernels.table.OpTable#registry()}); this
 * class only holds and checks what is put in it.
 */
public final class OpRegistry {
    private final Map<String, OpDef> ops = new TreeMap<>();
    private final List<DemoCase> demos = new ArrayList<>();

    /** An empty registry. */
    public OpRegistry() {
    }

    /** Adds an op; a second op of the same name is an error. */
    public OpRegistry register(OpDef op) {
        if (ops.putIfAbsent(op.name(), op) != null) {
            throw new IllegalStateException("op '" + op.name() + "' registered twice");
        }
        return this;
    }

    /** Adds a demo row whose inputs are standard normal f32 vectors (see {@link DemoCase#of}). */
    public OpRegistry demo(String op) {
        return demo(DemoCase.of(op, Map.of()));
    }

    /** Adds a demo row with attrs and standard normal f32 inputs. */
    public OpRegistry demo(String op, Map<String, Object> attrs) {
        return demo(DemoCase.of(op, attrs));
    }

    /** Adds a demo row (with its own input maker for index, mask or shaped inputs). */
    public OpRegistry demo(DemoCase demo) {
        demos.add(demo);
        return this;
    }

    /** The op of that name, if registered. */
    public Optional<OpDef> find(String name) {
        return Optional.ofNullable(ops.get(name));
    }

    /** The op of that name; {@link IllegalArgumentException} naming the known ops otherwise. */
    public OpDef op(String name) {
        OpDef d = ops.get(name);
        if (d == null) {
            throw new IllegalArgumentException("unknown op '" + name + "' (known: " + String.join(", ", ops.keySet()) + ")");
        }
        return d;
    }

    /** Every op, sorted by name. */
    public List<OpDef> ops() {
        return List.copyOf(ops.values());
    }

    /** The demo rows in registration order. */
    public List<DemoCase> demos() {
        return Collections.unmodifiableList(demos);
    }
}
