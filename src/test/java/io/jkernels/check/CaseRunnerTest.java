package io.jkernels.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.table.OpTable;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner on the golden suite (cpu) and on deliberately broken cases. */
class CaseRunnerTest {
    @TempDir
    Path tmp;

    /** The golden cases whose op is registered (all of them once every family is in). */
    static List<Path> registeredGoldenCases() throws Exception {
        Path root = goldenRoot();
        OpRegistry reg = OpTable.standard().registry();
        List<Path> out = new java.util.ArrayList<>();
        for (Path c : CaseRunner.discover(root)) {
            String op = (String) Json.parseObject(Files.readString(c.resolve(CaseRunner.CASE_FILE))).get("op");
            if (reg.find(op).isPresent()) {
                out.add(c);
            }
        }
        return out;
    }

    static Path goldenRoot() throws Exception {
        return Path.of(CaseRunnerTest.class.getResource("/golden").toURI());
    }

    /** Runs the registered golden cases on {@code device}; asserts every one passes and nothing leaks. */
    static void goldenSuitePasses(Device device) throws Exception {
        List<Path> cases = registeredGoldenCases();
        assertTrue(cases.size() >= 30, "golden relu and relu_backward cases: " + cases.size());
        CaseRunner runner = new CaseRunner(OpTable.standard().registry());
        long live = device.liveBytes();
        long liveCpu = Device.cpu().liveBytes();
        StringBuilder failures = new StringBuilder();
        int expectError = 0;
        for (Path c : cases) {
            CaseResult r = runner.run(c, CaseRunner.caseName(goldenRoot(), c), device);
            assertEquals(device.toString(), r.backend());
            if (!r.passed()) {
                failures.append(r.name()).append(": ").append(r.message()).append('\n');
            } else if (r.message() != null) {
                expectError++;
            }
        }
        assertEquals("", failures.toString());
        assertTrue(expectError > 5, "expect_error cases: " + expectError);
        assertEquals(live, device.liveBytes(), "device bytes leaked");
        assertEquals(liveCpu, Device.cpu().liveBytes(), "cpu bytes leaked");
    }

    @Test
    void goldenSuitePassesOnCpu() throws Exception {
        goldenSuitePasses(Device.cpu());
    }

    @Test
    void discoverySortsByRelativePath() throws Exception {
        TestCases.relu(tmp.resolve("b/z"), new float[] {1}, new float[] {1});
        TestCases.relu(tmp.resolve("a"), new float[] {1}, new float[] {1});
        TestCases.relu(tmp.resolve("b/a/deeper"), new float[] {1}, new float[] {1});
        Files.createDirectories(tmp.resolve("c/no_case"));
        List<String> names = CaseRunner.discover(tmp).stream().map(p -> CaseRunner.caseName(tmp, p)).toList();
        assertEquals(List.of("a", "b/a/deeper", "b/z"), names);
        Path single = tmp.resolve("a");
        assertEquals("a", CaseRunner.caseName(single, CaseRunner.discover(single).get(0)));
    }

    private CaseResult run(Path dir) {
        return new CaseRunner(OpTable.standard().registry()).run(dir, dir.getFileName().toString(), Device.cpu());
    }

    private static String relu(String attrs, String inputs, String rest) {
        return "{\"op\": \"relu\", \"attrs\": " + attrs + ", \"inputs\": " + inputs + rest + "}";
    }

    private static Map<String, Tensor> reluFiles() {
        return Map.of("input", Tensor.of(new float[] {-1, 2}), "expected_output", Tensor.of(new float[] {0, 2}),
                "up", Tensor.of(new float[] {1, 1}));
    }

    private static final String OUT = ", \"outputs\": {\"output\": \"expected_output.npy\"}";

    @Test
    void correctCasePasses() {
        CaseResult r = run(TestCases.write(tmp.resolve("ok"), relu("{}", "{\"input\": \"input.npy\"}", OUT), reluFiles()));
        assertTrue(r.passed(), r.message());
        assertNull(r.message());
        assertEquals(0.0, r.maxAbs());
        assertEquals("output[0]", r.worst());
    }

    @Test
    void brokenCasesFailWithTheirReason() {
        String in = "{\"input\": \"input.npy\"}";
        assertFails(relu("{}", in, OUT).replace("\"relu\"", "\"relu6\""), "unknown op 'relu6'");
        assertFails(relu("{\"inplace\": true}", in, OUT), "unknown attr 'inplace' for relu: it takes no attrs");
        assertFails(relu("{}", "{}", OUT), "missing input 'input': relu takes input");
        assertFails(relu("{}", "{\"input\": \"input.npy\", \"up\": \"up.npy\"}", OUT), "extra input 'up': relu takes input");
        assertFails(relu("{}", "{\"input\": \"nothere.npy\"}", OUT), "nothere.npy");
        assertFails(relu("{}", in, ", \"outputs\": {\"result\": \"expected_output.npy\"}"),
                "output 'result': relu produced no such output (it gave output)");
        assertFails(relu("{}", in, OUT + ", \"rtol\": -1"), "'rtol' must be a finite number >= 0");
        assertFails(relu("{}", in, OUT + ", \"seed\": 1"), "unknown key 'seed'");
        assertFails(relu("{}", in, ""), "names no outputs");
        assertFails(relu("{}", in, OUT + ", \"expect_error\": true"), "an expect_error case gives no outputs");
        assertFails("{\"op\": \"relu\", ", "cannot read case.json: JSON error");
        // an expect_error case whose inputs the op accepts
        assertFails(relu("{}", in, ", \"expect_error\": true"), "expected an error, but relu accepted the inputs");
    }

    private void assertFails(String json, String part) {
        Path dir = TestCases.write(tmp.resolve("case" + Math.abs(json.hashCode())), json, reluFiles());
        CaseResult r = run(dir);
        assertFalse(r.passed(), json);
        assertTrue(r.message().contains(part), r.message());
    }

    @Test
    void wrongExpectedValueFailsWithWorstElement() {
        CaseResult r = run(TestCases.relu(tmp.resolve("wrong"), new float[] {-1, 2, 3}, new float[] {0, 2, 3.5f}));
        assertFalse(r.passed());
        assertEquals("output[2]", r.worst());
        assertEquals(0.5, r.maxAbs());
        assertTrue(r.message().startsWith("output 'output': 1 of 3 elements differ"), r.message());
    }

    @Test
    void caseTolerancesOverrideTheOps() {
        String json = relu("{}", "{\"input\": \"input.npy\"}", OUT + ", \"atol\": 0.6");
        Path dir = TestCases.write(tmp.resolve("loose"), json,
                Map.of("input", Tensor.of(new float[] {-1, 2}), "expected_output", Tensor.of(new float[] {0, 2.5f})));
        assertTrue(run(dir).passed());
    }

    @Test
    void f8InputsAreRoundedToF32() {
        Path dir = TestCases.write(tmp.resolve("f8"), relu("{}", "{\"input\": \"input.npy\"}", OUT + ", \"atol\": 0, \"rtol\": 0"),
                Map.of("input", Tensor.of(new double[] {0.1, -0.3}), "expected_output", Tensor.of(new float[] {0.1f, 0})));
        CaseResult r = run(dir);
        assertTrue(r.passed(), r.message());
    }

    @Test
    void aBadCaseDoesNotAbortTheSuite() throws Exception {
        TestCases.relu(tmp.resolve("1_good"), new float[] {-1}, new float[] {0});
        TestCases.write(tmp.resolve("2_bad_npy"), relu("{}", "{\"input\": \"input.npy\"}", OUT), Map.of());
        Files.write(tmp.resolve("2_bad_npy/input.npy"), new byte[] {1, 2, 3});
        Files.write(tmp.resolve("2_bad_npy/expected_output.npy"), new byte[0]);
        TestCases.relu(tmp.resolve("3_good"), new float[] {5}, new float[] {5});
        List<CaseResult> rs = new CaseRunner(OpTable.standard().registry()).runSuite(tmp, Device.cpu(), null);
        assertEquals(3, rs.size());
        assertTrue(rs.get(0).passed());
        assertFalse(rs.get(1).passed());
        assertTrue(rs.get(1).message().contains("bad magic"), rs.get(1).message());
        assertTrue(rs.get(2).passed());
    }

    // ---- expect_error semantics, with ops made for the purpose ------------------------------

    private static OpDef op(String name, OpDef.Body body) {
        return OpDef.builder(name).input("input").outputs("output").body(body).build();
    }

    private CaseResult runWith(OpDef op) {
        CaseRunner runner = new CaseRunner(new OpRegistry().register(op));
        Path dir = TestCases.write(tmp.resolve(op.name()), "{\"op\": \"" + op.name()
                + "\", \"inputs\": {\"input\": \"input.npy\"}, \"expect_error\": true}",
                Map.of("input", Tensor.of(new float[] {1, 2, 3})));
        return runner.run(dir, op.name(), Device.cpu());
    }

    @Test
    void expectErrorPassesOnAClearRejection() {
        CaseResult r = runWith(op("rejects", (in, a) -> {
            throw new TensorException.Shape("input is too small");
        }));
        assertTrue(r.passed(), r.message());
        assertEquals("rejected: input is too small", r.message());
        assertTrue(runWith(op("oob", (in, a) -> {
            throw new IndexOutOfBoundsException("index 9");
        })).passed());
    }

    @Test
    void expectErrorFailsOnACrash() {
        CaseResult r = runWith(op("npe", (in, a) -> {
            throw new NullPointerException("oops");
        }));
        assertFalse(r.passed());
        assertEquals("NullPointerException: oops", r.message());
        CaseResult s = runWith(op("state", (in, a) -> {
            throw new IllegalStateException("device broken");
        }));
        assertFalse(s.passed());
    }

    @Test
    void expectErrorFailsWhenTheInputWasChanged() {
        CaseResult r = runWith(op("writes_then_rejects", (in, a) -> {
            in.get("input").fill(0);
            throw new IllegalArgumentException("too late");
        }));
        assertFalse(r.passed());
        assertTrue(r.message().contains("changed input 'input'"), r.message());
    }

    @Test
    void normalCaseReportsARejection() {
        OpDef op = op("rejects", (in, a) -> {
            throw new TensorException.DTypeMismatch("input must be f32");
        });
        CaseRunner runner = new CaseRunner(new OpRegistry().register(op));
        Path dir = TestCases.write(tmp.resolve("normal"), "{\"op\": \"rejects\", \"inputs\": {\"input\": \"input.npy\"},"
                + " \"outputs\": {\"output\": \"expected_output.npy\"}}",
                Map.of("input", Tensor.of(new float[] {1}), "expected_output", Tensor.of(new float[] {1})));
        CaseResult r = runner.run(dir, "normal", Device.cpu());
        assertFalse(r.passed());
        assertEquals("input must be f32", r.message());
    }
}
