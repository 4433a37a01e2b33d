package io.jkernels.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.bench.JsonWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python side reads this op table (tools/optable.py): the activations golden generator
 * ({@code gen_activations.py --check-table}: its formulas cover exactly the table's activations,
 * with the same inputs, outputs and attrs; needs neither NumPy nor PyTorch) and the PyTorch peer
 * benchmark ({@code torch_peer.py --list}: every entry it times is a bench entry of the table with
 * the same dtype and attr defaults). An op added, renamed or reshaped on the Java side that the
 * Python side does not know fails here. Skipped without python3 (and the peer check without
 * PyTorch). The table file is what {@code jkernels info --json} prints, written from
 * {@link OpTable#describe()}.
 */
class PythonTableTest {
    private static final Path GEN_ACTIVATIONS = Path.of("tools", "golden", "gen_activations.py");
    private static final Path TORCH_PEER = Path.of("benchmarks", "torch_peer.py");

    @TempDir
    static Path dir;

    @BeforeAll
    static void python3() {
        String why;
        try {
            Result r = run(List.of("python3", "--version"));
            why = r.rc == 0 ? null : "python3 --version exited with " + r.rc + ": " + r.out;
        } catch (IOException e) {
            why = "no python3: " + e.getMessage();
        }
        Assumptions.assumeTrue(why == null, why);
    }

    /** The table as {@code jkernels info --json} writes it (cli.InfoCommand), from {@code describe}. */
    private static Path write(Map<String, Object> described, String name) throws IOException {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("schema", "jkernels-optable/1");
        table.put("version", "PythonTableTest");
        table.putAll(described);
        Path f = dir.resolve(name);
        Files.writeString(f, JsonWriter.write(table), StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void theActivationsGeneratorKnowsEveryActivationOfTheTable() throws IOException {
        Path table = write(OpTable.standard().describe(), "optable.json");
        Result r = run(List.of("python3", GEN_ACTIVATIONS.toString(), "--check-table", "--table", table.toString()));
        assertEquals(0, r.rc, "gen_activations.py --check-table disagrees with the op table:\n" + r.out);
        assertTrue(r.out.contains("activations and the generator's formulas agree"), r.out);
    }

    @Test
    void anActivationTheGeneratorDoesNotKnowFailsTheCheck() throws IOException {
        Map<String, Object> described = new LinkedHashMap<>(OpTable.standard().describe());
        @SuppressWarnings("unchecked")
        List<Object> ops = new ArrayList<>((List<Object>) described.get("ops"));
        @SuppressWarnings("unchecked")
        Map<String, Object> mish = new LinkedHashMap<>((Map<String, Object>) ops.get(0));
        assertEquals("activations", mish.get("family"));
        mish.put("name", "mish");
        ops.add(mish);
        described.put("ops", ops);
        Path table = write(described, "optable-mish.json");
        Result r = run(List.of("python3", GEN_ACTIVATIONS.toString(), "--check-table", "--table", table.toString()));
        assertNotEquals(0, r.rc, r.out);
        assertTrue(r.out.contains("op mish is in the table but the generator has no formula for it"), r.out);
    }

    @Test
    void everyPeerBenchEntryIsABenchEntryOfTheTable() throws IOException {
        Path table = write(OpTable.standard().describe(), "optable-peer.json");
        Result r = run(List.of("python3", TORCH_PEER.toString(), "--list", "--table", table.toString()));
        Assumptions.assumeFalse(r.rc != 0 && r.out.contains("PyTorch is not importable"),
                "python3 has no PyTorch: " + r.out);
        // (the table's entries that the peer does not time are listed, not an error)
        assertEquals(0, r.rc, "torch_peer.py --list disagrees with the op table:\n" + r.out);
        assertTrue(r.out.contains("bench entries have a PyTorch peer here"), r.out);
    }

    private record Result(int rc, String out) {
    }

    /** Runs a command from the repository root (the build's working directory), output and errors together. */
    private static Result run(List<String> command) throws IOException {
        Path log = Files.createTempFile(dir, "python", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().remove("JK_OPTABLE");
        Process p = pb.start();
        try {
            boolean done = p.waitFor(60, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            return done ? new Result(p.exitValue(), out) : new Result(-1, "timed out after 60 s: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + command, e);
        }
    }
}
