package io.jkernels.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.bench.BenchEntry;
import io.jkernels.check.Json;
import io.jkernels.check.OpDef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The op table against the rest of the project: every op has golden cases (or says why not) and
 * bench entries (or says why not), every golden case names an op of the table, each golden case
 * sits in its op's family directory, and the table is what the conformance registry, the demo and
 * the bench read.
 */
class OpTableTest {
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    /** op -> number of golden cases, from every case.json under the golden directory. */
    private static Map<String, Integer> goldenOps(Map<String, String> familyDirOfCase) throws IOException {
        Map<String, Integer> ops = new TreeMap<>();
        List<Path> cases;
        try (Stream<Path> s = Files.walk(GOLDEN)) {
            cases = s.filter(p -> p.getFileName().toString().equals("case.json")).sorted().toList();
        }
        assertTrue(cases.size() > 100, "golden cases found under " + GOLDEN + ": " + cases.size());
        for (Path c : cases) {
            Object json = Json.parse(Files.readString(c));
            String op = (String) ((Map<?, ?>) json).get("op");
            ops.merge(op, 1, Integer::sum);
            familyDirOfCase.put(GOLDEN.relativize(c.getParent()).toString(),
                    GOLDEN.relativize(c).getName(0).toString() + " " + op);
        }
        return ops;
    }

    @Test
    void everyOpHasGoldenCasesAndEveryCaseNamesAnOp() throws IOException {
        Map<String, String> dirs = new TreeMap<>();
        Map<String, Integer> golden = goldenOps(dirs);
        OpTable t = OpTable.standard();
        Set<String> missing = new TreeSet<>();
        for (OpEntry e : t.ops()) {
            boolean has = golden.containsKey(e.name());
            if (e.goldenExemption() == null && !has) {
                missing.add(e.name());
            }
            assertFalse(e.goldenExemption() != null && has,
                    e.name() + " has golden cases but still an exemption: " + e.goldenExemption());
        }
        assertEquals(Set.of(), missing, "ops of the table without golden cases (and no goldenExemption)");
        Set<String> unknown = new TreeSet<>(golden.keySet());
        unknown.removeIf(op -> t.find(op).isPresent());
        assertEquals(Set.of(), unknown, "golden cases naming an op the table does not define");
    }

    @Test
    void goldenCasesLiveInTheirFamilyDirectory() throws IOException {
        Map<String, String> dirs = new TreeMap<>();
        goldenOps(dirs);
        OpTable t = OpTable.standard();
        Set<String> families = t.families().stream().map(OpFamily::name).collect(Collectors.toSet());
        for (Map.Entry<String, String> c : dirs.entrySet()) {
            String[] dirAndOp = c.getValue().split(" ");
            if (dirAndOp[0].equals("npy")) {
                continue; // reader fixtures, not op cases
            }
            assertTrue(families.contains(dirAndOp[0]), "golden directory " + dirAndOp[0] + " is not a family word "
                    + families);
            assertEquals(dirAndOp[0], t.find(dirAndOp[1]).map(OpEntry::family).orElse("?"),
                    "case " + c.getKey() + " of op " + dirAndOp[1]);
        }
    }

    /** One layout and one output name in every family: golden/<family>/<case>/, expected_<name>.npy. */
    @Test
    void goldenCasesAreOneLevelDeepWithExpectedOutputFiles() throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.walk(GOLDEN)) {
            cases = s.filter(p -> p.getFileName().toString().equals("case.json")).sorted().toList();
        }
        Set<String> bad = new TreeSet<>();
        for (Path c : cases) {
            Path rel = GOLDEN.relativize(c);
            if (rel.getNameCount() != 3) {
                bad.add(rel + ": not <family>/<case>/case.json");
            }
            Object outputs = ((Map<?, ?>) Json.parse(Files.readString(c))).get("outputs");
            if (outputs != null) {
                for (Map.Entry<?, ?> o : ((Map<?, ?>) outputs).entrySet()) {
                    if (!("expected_" + o.getKey() + ".npy").equals(o.getValue())) {
                        bad.add(rel + ": output " + o.getKey() + " in " + o.getValue());
                    }
                }
            }
        }
        assertEquals(Set.of(), bad, "golden cases outside the one layout");
    }

    @Test
    void everyOpHasBenchEntriesOrSaysWhyNot() {
        for (OpEntry e : OpTable.standard().ops()) {
            assertTrue(!e.bench().isEmpty() || (e.benchExemption() != null && !e.benchExemption().isBlank()),
                    e.name());
            for (BenchEntry b : e.bench()) {
                assertTrue(b.name().startsWith(e.name() + "_"), b.name() + " under op " + e.name());
                assertEquals(e.family(), b.family(), b.name());
            }
        }
    }

    @Test
    void everyOpSaysWhatPyTorchCallsItAndWhyItsToleranceIsWhatItIs() {
        for (OpEntry e : OpTable.standard().ops()) {
            assertFalse(e.tolerance().reason().isBlank(), e.name());
            assertFalse(e.torch().isBlank(), e.name() + ": the PyTorch expression it matches");
        }
    }

    @Test
    void registryAndBenchAreDerivedFromTheTable() {
        OpTable t = OpTable.standard();
        assertEquals(t.ops().stream().map(OpEntry::name).sorted().toList(),
                t.registry().ops().stream().map(OpDef::name).toList());
        long demos = t.ops().stream().mapToLong(e -> e.demos().size()).sum();
        assertEquals(demos, t.registry().demos().size());
        long opBench = t.ops().stream().mapToLong(e -> e.bench().size()).sum();
        long familyBench = t.families().stream().mapToLong(f -> f.benchOnly().size()).sum();
        assertEquals(opBench + familyBench, t.bench().size());
    }

    @Test
    void describeIsTheJsonTheGeneratorsRead() {
        Map<String, Object> d = OpTable.standard().describe();
        List<?> ops = (List<?>) d.get("ops");
        assertEquals(OpTable.standard().ops().size(), ops.size());
        Map<?, ?> relu = (Map<?, ?>) ops.stream().filter(o -> "relu".equals(((Map<?, ?>) o).get("name"))).findFirst()
                .orElseThrow();
        assertEquals("activations", relu.get("family"));
        assertEquals(true, relu.get("bit_exact"));
        Object back = Json.parse(io.jkernels.bench.JsonWriter.write(d));
        assertEquals(ops.size(), ((List<?>) ((Map<?, ?>) back).get("ops")).size());
    }
}
