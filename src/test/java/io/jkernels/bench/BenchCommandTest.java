package io.jkernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.bench.ElementwiseBench.Tolerance;
import io.jkernels.cli.BenchCommand;
import io.jkernels.cli.ChartCommand;
import io.jkernels.ops.Activations;
import io.jkernels.ref.ActivationsRef;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The bench command end to end at the tiny scale: outputs, FAILED marking (an entry whose
 * reference disagrees with its op, made only here), bad input.
 */
class BenchCommandTest {

    /** relu_f32 and relu_backward_f32 of the registry, plus a test-only entry that fails its check. */
    static List<BenchEntry> entries() {
        List<BenchEntry> e = new ArrayList<>(OpTable.matching(OpTable.standard().bench(),
                java.util.regex.Pattern.compile("^relu_f32$")));
        // the op is relu, the "reference" the identity: negative inputs disagree
        e.add(ElementwiseBench.entry("test", "broken_relu", DType.F32, 1, 1, ElementwiseBench.ELEMENTWISE,
                Tolerance.EXACT, (in, out) -> Activations.relu(in[0], out[0]), (in, out) -> out[0].copyFrom(in[0])));
        return e;
    }

    record Run(int exit, String out, String err) {
    }

    static Run bench(List<BenchEntry> entries, String... args) {
        return execute(new CommandLine(new BenchCommand(entries)), args);
    }

    static Run execute(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void cpuRunWritesJsonAndMarkdownAndMarksTheFailedOp(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("bench.json");
        Path md = dir.resolve("bench.md");
        Run r = bench(entries(), "--backend", "cpu", "--scale", "tiny", "--no-overhead", "--json", json.toString(),
                "--md", md.toString());
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("1 of 2 ops FAILED"), r.err());
        BenchReport report = BenchReport.read(json);
        assertEquals("cpu", report.meta().backend());
        assertEquals("wall-clock", report.meta().timer());
        assertEquals("tiny", report.meta().scale());
        assertEquals(2, report.ops().size());
        BenchReport.OpResult relu = report.ops().get(0);
        assertEquals("relu_f32", relu.op());
        assertTrue(relu.ok(), relu.error());
        assertEquals("n=4099", relu.size());
        assertEquals(2L * 4099 * 4, relu.bytes());
        assertTrue(relu.stats().count() >= BenchRunner.MIN_SAMPLES);
        assertTrue(relu.stats().median() > 0 && relu.gbps() > 0 && relu.copyGbps() > 0);
        assertTrue(relu.stats().p10() <= relu.stats().median() && relu.stats().median() <= relu.stats().p90());
        BenchReport.OpResult broken = report.ops().get(1);
        assertEquals("FAILED", broken.status());
        assertNull(broken.stats());
        assertTrue(broken.error().contains("out of tolerance"), broken.error());
        assertEquals(1, report.copies().size(), "one copy baseline per byte count");
        String table = Files.readString(md);
        assertEquals(r.out(), table);
        assertTrue(table.contains("| relu_f32 | n=4099 |"), table);
        assertTrue(table.contains("| broken_relu_f32 | n=4099 | 32.02 KiB | **FAILED** |"), table);
    }

    @Test
    void unknownOpPatternIsAClearError() {
        Run r = bench(entries(), "--backend", "cpu", "--ops", "no_such_op");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("--ops 'no_such_op' matches no op; the ops are: relu_f32, broken_relu_f32"),
                r.err());
        Run bad = bench(entries(), "--backend", "cpu", "--ops", "relu(");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("not a valid regular expression"), bad.err());
    }

    @Test
    void unavailableOrUnknownBackendIsAClearError() {
        Run r = bench(entries(), "--backend", "tpu");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown device 'tpu'"), r.err());
        if (!Device.cudaAvailable()) {
            Run c = bench(entries(), "--backend", "cuda", "--scale", "tiny");
            assertEquals(2, c.exit());
            assertTrue(c.err().contains("backend cuda is unavailable: "), c.err());
        }
    }

    @Test
    void unwritableOutputIsAClearErrorBeforeAnythingRuns(@TempDir Path dir) {
        Path missing = dir.resolve("no/such/dir/bench.json");
        Run r = bench(entries(), "--backend", "cpu", "--json", missing.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("cannot write " + missing + ": directory"), r.err());
        assertEquals("", r.out());
        Run d = bench(entries(), "--backend", "cpu", "--md", dir.toString());
        assertEquals(2, d.exit());
        assertTrue(d.err().contains("is a directory"), d.err());
    }

    @Test
    void tooFewSamplesOrUnknownScaleIsAnError() {
        Run r = bench(entries(), "--backend", "cpu", "--repeat", "5");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("at least 20 samples"), r.err());
        Run s = bench(entries(), "--backend", "cpu", "--scale", "huge");
        assertEquals(2, s.exit());
        assertTrue(s.err().contains("unknown scale 'huge'"), s.err());
    }

    @Test
    void peerFileMustBeABenchReport(@TempDir Path dir) throws IOException {
        Path peer = dir.resolve("torch.json");
        Files.writeString(peer, "{\"ops\": []}");
        Run r = bench(entries(), "--backend", "cpu", "--peer", peer.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("not a bench report"), r.err());
        Run missing = bench(entries(), "--backend", "cpu", "--peer", dir.resolve("none.json").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no such readable file"), missing.err());
    }

    @Test
    void listShowsTheRegisteredOps() {
        Run r = execute(new CommandLine(new BenchCommand()), "--list", "--ops", "relu");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("relu_f32\tactivations"), r.out());
        assertTrue(r.out().contains("relu_backward_bf16\tactivations"), r.out());
        assertFalse(r.out().contains("copy_f32"), r.out());
    }

    @Test
    void chartCommandDrawsAPngFromJson(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Charts.unavailableReason() == null, Charts::unavailableReason);
        Path json = dir.resolve("bench.json");
        Path peer = dir.resolve("torch.json");
        Path png = dir.resolve("chart.png");
        Files.writeString(json, BenchReportTest.report("jkernels", "jkernels", 1000).toJson());
        Files.writeString(peer, BenchReportTest.report("torch", "eager", 1500).toJson());
        Run r = execute(new CommandLine(new ChartCommand()), "--json", json.toString(), "--peer", peer.toString(),
                "--png", png.toString());
        assertEquals(0, r.exit(), r.err());
        byte[] b = Files.readAllBytes(png);
        assertTrue(b.length > 1000 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G', "a PNG file");
        Path plain = dir.resolve("plain.png");
        assertEquals(0, execute(new CommandLine(new ChartCommand()), "--json", json.toString(), "--png",
                plain.toString()).exit());
        assertTrue(Files.size(plain) > 1000);
        Run bad = execute(new CommandLine(new ChartCommand()), "--json", dir.resolve("none.json").toString(),
                "--png", png.toString());
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("no such readable file"), bad.err());
    }

    @Tag("emu")
    @Test
    void emuRunOfReluWithLaunchOverhead(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
        Path json = dir.resolve("bench.json");
        Run r = bench(entries(), "--backend", "emu", "--scale", "tiny", "--json", json.toString());
        assertEquals(1, r.exit(), r.err());
        BenchReport report = BenchReport.read(json);
        assertEquals("emu", report.meta().backend());
        assertEquals("jni", report.meta().binding());
        assertTrue(report.ops().get(0).ok(), report.ops().get(0).error());
        assertEquals("FAILED", report.ops().get(1).status());
        Map<String, BenchReport.Overhead> byKind = new java.util.HashMap<>();
        for (BenchReport.Overhead o : report.overhead()) {
            byKind.put(o.kind(), o);
        }
        assertEquals(java.util.Set.of("op", "noop3", "empty", "graph"), byKind.keySet());
        for (BenchReport.Overhead o : report.overhead()) {
            assertTrue(o.stats().median() > 0 && o.stats().count() >= BenchRunner.MIN_SAMPLES, o.toString());
        }
        assertTrue(r.out().contains("graph replay of 64 relu_f32 calls, per kernel"), r.out());
    }
}
