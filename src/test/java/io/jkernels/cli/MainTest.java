package io.jkernels.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.check.TestCases;
import io.jkernels.tensor.Device;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI in-process: exit status and output of each command. */
class MainTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        String last() {
            List<String> l = lines();
            return l.isEmpty() ? "" : l.get(l.size() - 1);
        }
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void conformancePassesAndEndsWithTheCount() {
        TestCases.relu(tmp.resolve("a"), new float[] {-1, 2}, new float[] {0, 2});
        TestCases.relu(tmp.resolve("b"), new float[] {Float.NaN}, new float[] {Float.NaN});
        Run r = run("conformance", tmp.toString(), "--backend", "cpu");
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals("2 passed, 0 failed", r.last());
        assertEquals(3, r.lines().size());
        assertTrue(r.lines().get(0).matches("PASS  a  cpu  max_abs 0\\.000e\\+00 +max_rel 0\\.000e\\+00 +worst output\\[0\\]"),
                r.lines().get(0));
        assertEquals("", r.err());
    }

    @Test
    void aFailingCaseGivesExitOneAndItsReason() {
        TestCases.relu(tmp.resolve("good"), new float[] {-1, 2}, new float[] {0, 2});
        TestCases.relu(tmp.resolve("wrong"), new float[] {-1, 2}, new float[] {0, 3});
        Run r = run("conformance", tmp.toString(), "--backend=cpu");
        assertEquals(1, r.code());
        assertEquals("1 passed, 1 failed", r.last());
        String fail = r.lines().stream().filter(l -> l.startsWith("FAIL")).findFirst().orElseThrow();
        assertTrue(fail.contains("wrong") && fail.contains("worst output[1]") && fail.contains("1 of 2 elements differ"), fail);
    }

    @Test
    void allRunsCpuAndNotesSkippedBackends() {
        TestCases.relu(tmp.resolve("a"), new float[] {1}, new float[] {1});
        Run r = run("conformance", tmp.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        int backends = 1 + (Device.emuAvailable() ? 1 : 0) + (Device.cudaAvailable() ? 1 : 0);
        assertEquals(backends + " passed, 0 failed", r.last());
        if (!Device.emuAvailable()) {
            assertTrue(r.out().contains("note: emu skipped: "), r.out());
        }
    }

    @Test
    void nothingToRunIsAnError() throws Exception {
        Run missing = run("conformance", tmp.resolve("nope").toString(), "--backend", "cpu");
        assertEquals(Main.EXIT_NOT_RUN, missing.code());
        assertTrue(missing.err().contains("is not a directory"), missing.err());
        Files.createDirectories(tmp.resolve("empty/sub"));
        Run empty = run("conformance", tmp.resolve("empty").toString(), "--backend", "cpu");
        assertEquals(Main.EXIT_NOT_RUN, empty.code());
        assertTrue(empty.err().contains("no case"), empty.err());
    }

    @Test
    void anUnavailableNamedBackendFails() {
        assumeFalse(Device.cudaAvailable(), "CUDA is available here");
        TestCases.relu(tmp.resolve("a"), new float[] {1}, new float[] {1});
        Run r = run("conformance", tmp.toString(), "--backend", "cuda");
        assertEquals(Main.EXIT_NOT_RUN, r.code());
        assertTrue(r.err().contains("backend cuda:0 is unavailable"), r.err());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("conformance").code());
        assertEquals(2, run("conformance", tmp.toString(), "--backend", "tpu").code());
        assertEquals(2, run("frobnicate").code());
        assertEquals(2, run().code());
        assertEquals(2, run("demo", "--size", "0").code());
    }

    @Test
    void infoReportsEveryBackend() {
        Run r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("jkernels "), r.out());
        assertTrue(r.out().contains("  cpu    ok"), r.out());
        assertTrue(r.out().contains("  emu    "), r.out());
        assertTrue(r.out().contains("  cuda   "), r.out());
        assertTrue(r.out().contains("bundled kernels: "), r.out());
        assertTrue(r.out().contains("relu_backward"), r.out());
        if (!Device.cudaAvailable()) {
            assertTrue(r.out().contains("cuda   unavailable"), r.out());
        }
        if (CudaBackend.class.getResource(CudaBackend.FATBIN) == null) {  // built without nvcc
            assertTrue(r.out().contains("): no kernels bundled ("), r.out());
            assertTrue(r.out().contains("bundled kernels: 0"), r.out());
        }
    }

    @Test
    void demoAgreesWithTheReference() {
        Run r = run("demo", "--size", "1000", "--runs", "2", "--backend", "cpu");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("relu ") && l.contains("PASS")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("relu_backward ") && l.contains("PASS")), r.out());
    }

    @Test
    void versionFallsBackToDev() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("jkernels "), r.out());
    }
}
