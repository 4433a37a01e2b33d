package io.jkernels.table.families;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.BenchFamily;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpRegistry;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpFamily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A family whose ops are still written as a conformance registration (check/families/*Ops) and a
 * bench family (bench/*Bench) apart, joined here into table entries: each bench entry goes to the
 * op whose name is the longest prefix of the entry's name. The step before a family gets one
 * definition per op, as {@link ActivationsTable} has (see docs/ADDING_AN_OP.md).
 */
abstract class RegisteredFamily implements OpFamily {
    private final String name;
    private final io.jkernels.check.OpFamily registration;
    private final BenchFamily bench;
    private final Map<String, String> benchExemptions;
    private final Map<String, String> torch;
    private volatile List<OpEntry> ops;

    /**
     * @param benchExemptions op -> why it has no bench entry
     * @param torch           op -> the PyTorch expression it matches
     */
    RegisteredFamily(String name, io.jkernels.check.OpFamily registration, BenchFamily bench,
                     Map<String, String> benchExemptions, Map<String, String> torch) {
        this.name = name;
        this.registration = registration;
        this.bench = bench;
        this.benchExemptions = Map.copyOf(benchExemptions);
        this.torch = Map.copyOf(torch);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final List<OpEntry> ops() {
        List<OpEntry> o = ops;
        if (o == null) {
            o = build();
            ops = o;
        }
        return o;
    }

    private List<OpEntry> build() {
        OpRegistry r = new OpRegistry();
        registration.register(r);
        Map<String, List<BenchEntry>> benchOf = new LinkedHashMap<>();
        for (OpDef d : r.ops()) {
            benchOf.put(d.name(), new ArrayList<>());
        }
        for (BenchEntry e : bench.entries()) {
            String best = null;
            for (String op : benchOf.keySet()) {
                if (e.name().startsWith(op + "_") && (best == null || op.length() > best.length())) {
                    best = op;
                }
            }
            if (best == null) {
                throw new IllegalStateException("bench entry " + e.name() + " of family " + name + " names no op");
            }
            benchOf.get(best).add(e);
        }
        List<OpEntry> out = new ArrayList<>();
        for (OpDef d : r.ops()) {
            List<DemoCase> demos = r.demos().stream().filter(c -> c.op().equals(d.name())).toList();
            out.add(new OpEntry(name, d, torch.getOrDefault(d.name(), ""),
                    new OpEntry.Tolerance("OPS.md's tolerance for " + d.name(), false), benchOf.get(d.name()), demos,
                    null, List.of(), benchExemptions.get(d.name()), null));
        }
        return out;
    }
}
