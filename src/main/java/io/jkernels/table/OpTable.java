package io.jkernels.table;

import io.jkernels.bench.BenchEntry;
import io.jkernels.check.AttrSpec;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpRegistry;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The op table: every op jkernels defines, one {@link OpEntry} each, gathered from the
 * {@link OpFamily} classes that {@link ServiceLoader} finds. Everything that lists ops reads it:
 * the conformance registry ({@link #registry()}), the CLI demo, the bench ({@link #bench()}), the
 * bad-input catalogue test, {@code jkernels info --json} (read by the golden generators and the
 * PyTorch peer benchmark).
 */
public final class OpTable {
    private static volatile OpTable standard;

    private final List<OpFamily> families;
    private final Map<String, OpEntry> ops = new LinkedHashMap<>();
    private final List<BenchEntry> bench = new ArrayList<>();
    private final OpRegistry registry = new OpRegistry();

    /** A table of the given families (tests; {@link #standard()} for the real one). */
    public OpTable(List<OpFamily> families) {
        this.families = List.copyOf(families);
        Set<String> familyNames = new HashSet<>();
        Set<String> benchNames = new HashSet<>();
        for (OpFamily f : families) {
            if (!familyNames.add(f.name())) {
                throw new IllegalStateException("op family '" + f.name() + "' found twice");
            }
            for (OpEntry e : f.ops()) {
                if (!e.family().equals(f.name())) {
                    throw new IllegalStateException("op " + e.name() + " of family " + f.name() + " says family "
                            + e.family());
                }
                if (ops.putIfAbsent(e.name(), e) != null) {
                    throw new IllegalStateException("op '" + e.name() + "' defined twice");
                }
                registry.register(e.def());
                e.demos().forEach(registry::demo);
                addBench(benchNames, e.bench());
            }
            addBench(benchNames, f.benchOnly());
        }
    }

    private void addBench(Set<String> names, List<BenchEntry> entries) {
        for (BenchEntry b : entries) {
            if (!names.add(b.name())) {
                throw new IllegalStateException("bench entry " + b.name() + " is defined twice");
            }
            bench.add(b);
        }
    }

    /** The table of every family on the class path, in the order of the services file (built once, then shared). */
    public static OpTable standard() {
        OpTable t = standard;
        if (t == null) {
            synchronized (OpTable.class) {
                t = standard;
                if (t == null) {
                    List<OpFamily> found = new ArrayList<>();
                    ServiceLoader.load(OpFamily.class, OpTable.class.getClassLoader()).forEach(found::add);
                    if (found.isEmpty()) {
                        throw new IllegalStateException("no op family found: META-INF/services/"
                                + OpFamily.class.getName() + " is missing from the class path");
                    }
                    t = new OpTable(found);
                    standard = t;
                }
            }
        }
        return t;
    }

    /** The families, by name. */
    public List<OpFamily> families() {
        return families;
    }

    /** Every op, family by family, in definition order. */
    public List<OpEntry> ops() {
        return List.copyOf(ops.values());
    }

    /** The op of that name, if defined. */
    public Optional<OpEntry> find(String name) {
        return Optional.ofNullable(ops.get(name));
    }

    /** The conformance and demo registry derived from the table. */
    public OpRegistry registry() {
        return registry;
    }

    /** Every bench entry (each op's, then the families' non-op entries), in table order; names unique. */
    public List<BenchEntry> bench() {
        return List.copyOf(bench);
    }

    /** The bench entries whose name matches {@code regex} anywhere. */
    public static List<BenchEntry> matching(List<BenchEntry> entries, Pattern regex) {
        return entries.stream().filter(e -> regex.matcher(e.name()).find()).toList();
    }

    /**
     * The table as plain data for {@code jkernels info --json}: {@code {"ops": [{name, family,
     * torch, inputs: [{name, kind, optional}], attrs: [{name, type, default, required}], outputs,
     * rtol, atol, tolerance_reason, bit_exact, bench: [names], demos: [labels]}], "bench": [{name,
     * family, dtype}]}}.
     */
    public Map<String, Object> describe() {
        List<Object> opList = new ArrayList<>();
        for (OpEntry e : ops.values()) {
            OpDef d = e.def();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", d.name());
            m.put("family", e.family());
            m.put("torch", e.torch());
            List<Object> in = new ArrayList<>();
            for (OpDef.Input i : d.inputs()) {
                Map<String, Object> im = new LinkedHashMap<>();
                im.put("name", i.name());
                im.put("kind", i.kind().name().toLowerCase(java.util.Locale.ROOT));
                im.put("optional", i.optional());
                in.add(im);
            }
            m.put("inputs", in);
            List<Object> attrs = new ArrayList<>();
            for (AttrSpec a : d.attrs()) {
                Map<String, Object> am = new LinkedHashMap<>();
                am.put("name", a.name());
                am.put("type", a.type().name().toLowerCase(java.util.Locale.ROOT));
                am.put("required", a.required());
                am.put("default", jsonValue(a.defaultValue()));
                attrs.add(am);
            }
            m.put("attrs", attrs);
            m.put("outputs", d.outputs());
            m.put("rtol", d.rtol());
            m.put("atol", d.atol());
            m.put("tolerance_reason", e.tolerance().reason());
            m.put("bit_exact", e.tolerance().bitExact());
            m.put("bench", e.bench().stream().map(BenchEntry::name).toList());
            m.put("demos", e.demos().stream().map(DemoCase::label).toList());
            opList.add(m);
        }
        List<Object> benchList = new ArrayList<>();
        for (BenchEntry b : bench) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("name", b.name());
            bm.put("family", b.family());
            bm.put("dtype", b.dtype());
            benchList.add(bm);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ops", opList);
        out.put("bench", benchList);
        return out;
    }

    private static Object jsonValue(Object v) {
        if (v instanceof long[] l) {
            return java.util.Arrays.stream(l).boxed().toList();
        }
        if (v instanceof double[] d) {
            return java.util.Arrays.stream(d).boxed().toList();
        }
        return v;
    }
}
