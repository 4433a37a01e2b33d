package io.jkernels.check;

import io.jkernels.check.families.ActivationOps;
import io.jkernels.check.families.OptimizerOps;
import io.jkernels.check.families.ResampleOps;
import io.jkernels.check.families.RlOps;
import io.jkernels.check.families.VqOps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ops the conformance runner and the demo know, by OPS.md name. Each op family registers its
 * ops and demo rows from one {@link OpFamily} class listed in {@link #FAMILIES}; adding a family is
 * that class plus one line there.
 */
public final class OpRegistry {
    /** The families of {@link #standard()}: append a new family here. */
    public static final List<OpFamily> FAMILIES = List.of(
            new ActivationOps(),
            new OptimizerOps(),
            new ResampleOps(),
            new VqOps(),
            new RlOps());

    private static volatile OpRegistry standard;

    private final Map<String, OpDef> ops = new TreeMap<>();
    private final List<DemoCase> demos = new ArrayList<>();

    /** An empty registry (tests; {@link #standard()} for the real one). */
    public OpRegistry() {
    }

    /** The registry of every family in {@link #FAMILIES} (built once, then shared; do not modify it). */
    public static OpRegistry standard() {
        OpRegistry r = standard;
        if (r == null) {
            synchronized (OpRegistry.class) {
                r = standard;
                if (r == null) {
                    r = of(FAMILIES);
                    standard = r;
                }
            }
        }
        return r;
    }

    /** A registry of the given families; checks that every demo names a registered op. */
    public static OpRegistry of(List<OpFamily> families) {
        OpRegistry r = new OpRegistry();
        for (OpFamily f : families) {
            f.register(r);
        }
        for (DemoCase d : r.demos) {
            if (!r.ops.containsKey(d.op())) {
                throw new IllegalStateException("demo names op '" + d.op() + "', which is not registered");
            }
        }
        return r;
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
