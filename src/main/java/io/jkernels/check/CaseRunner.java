package io.jkernels.check;

import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs conformance cases (OPS.md "Conformance case format") on one device.
 *
 * <p>For each case: read case.json and the input .npy files; prepare the inputs by kind
 * ({@link OpDef#prepare}: {@code <f8} rounded to f32, i32 indices widened); move them to the
 * device; check input names and attrs; call the op; compare every output the case names with
 * {@link AllClose} (the case's rtol/atol, else the op's). An {@code expect_error} case passes when
 * that sequence stops with an {@link IllegalArgumentException} (every {@code TensorException}
 * included) or an {@link IndexOutOfBoundsException} and every input, read back from the device, is
 * bit-identical to what was uploaded. Anything else thrown (a NullPointerException, a backend
 * failure) fails the case; so does a case that cannot be read or names an unknown op. A case
 * never aborts the run, and every tensor is closed when it ends.
 */
public final class CaseRunner {
    /** The file that marks a case directory. */
    public static final String CASE_FILE = "case.json";
    private static final Set<String> KEYS = Set.of("op", "attrs", "inputs", "outputs", "rtol", "atol", "expect_error");

    private final OpRegistry registry;

    public CaseRunner(OpRegistry registry) {
        this.registry = registry;
    }

    /** Every directory at or under {@code root} holding a case.json, sorted by relative path. */
    public static List<Path> discover(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.getFileName() != null && p.getFileName().toString().equals(CASE_FILE))
                    .filter(Files::isRegularFile)
                    .map(Path::getParent)
                    .sorted(Comparator.comparing(p -> caseName(root, p)))
                    .collect(Collectors.toList());
        }
    }

    /** The case name: its path relative to the root, '/' separated (the root's own name when it is the case). */
    public static String caseName(Path root, Path caseDir) {
        Path rel = root.relativize(caseDir);
        if (rel.toString().isEmpty()) {
            Path f = root.toAbsolutePath().normalize().getFileName();
            return f == null ? "." : f.toString();
        }
        List<String> parts = new ArrayList<>();
        rel.forEach(p -> parts.add(p.toString()));
        return String.join("/", parts);
    }

    /** Runs every case under {@code root} on {@code device}, reporting each result to {@code each} as it finishes. */
    public List<CaseResult> runSuite(Path root, Device device, Consumer<CaseResult> each) throws IOException {
        List<CaseResult> out = new ArrayList<>();
        for (Path dir : discover(root)) {
            CaseResult r = run(dir, caseName(root, dir), device);
            out.add(r);
            if (each != null) {
                each.accept(r);
            }
        }
        return out;
    }

    /** Runs one case directory on {@code device}; never throws. */
    public CaseResult run(Path caseDir, String name, Device device) {
        String backend = device.toString();
        try {
            return new Run(caseDir, name, device).execute();
        } catch (Throwable t) {
            return CaseResult.fail(name, backend, describe(t));
        }
    }

    static String describe(Throwable t) {
        if (t instanceof java.nio.file.NoSuchFileException e) {
            return "no such file: " + e.getFile();
        }
        String m = t.getMessage();
        String type = t.getClass().getSimpleName();
        if (m == null || m.isBlank()) {
            return type;
        }
        boolean plain = t instanceof IllegalArgumentException || t instanceof IndexOutOfBoundsException
                || t instanceof IOException;
        return plain ? m.replace('\n', ' ') : type + ": " + m.replace('\n', ' ');
    }

    /** Whether a throwable counts as the clear rejection OPS.md asks for. */
    static boolean isClearError(Throwable t) {
        return t instanceof IllegalArgumentException || t instanceof IndexOutOfBoundsException;
    }

    /** One case on one device; owns every tensor it makes. */
    private final class Run {
        private final Path dir;
        private final String name;
        private final Device device;
        private final List<Tensor> owned = new ArrayList<>();

        Run(Path dir, String name, Device device) {
            this.dir = dir;
            this.name = name;
            this.device = device;
        }

        private Tensor own(Tensor t) {
            owned.add(t);
            return t;
        }

        CaseResult execute() throws IOException {
            try {
                return body();
            } finally {
                for (Tensor t : owned) {
                    t.close();
                }
            }
        }

        private CaseResult fail(String message) {
            return CaseResult.fail(name, device.toString(), message);
        }

        private CaseResult body() throws IOException {
            Map<String, Object> spec;
            try {
                spec = Json.parseObject(Files.readString(dir.resolve(CASE_FILE), StandardCharsets.UTF_8));
            } catch (IOException | IllegalArgumentException e) {
                return fail("cannot read " + CASE_FILE + ": " + describe(e));
            }
            for (String k : spec.keySet()) {
                if (!KEYS.contains(k)) {
                    return fail(CASE_FILE + ": unknown key '" + k + "' (expected " + KEYS.stream().sorted().toList() + ")");
                }
            }
            if (!(spec.get("op") instanceof String opName)) {
                return fail(CASE_FILE + ": 'op' must be a string, got " + Json.typeName(spec.get("op")));
            }
            boolean expectError = Boolean.TRUE.equals(spec.get("expect_error"));
            if (spec.containsKey("expect_error") && !(spec.get("expect_error") instanceof Boolean)) {
                return fail(CASE_FILE + ": 'expect_error' must be true or false");
            }
            Map<String, String> inputFiles = files(spec, "inputs");
            Map<String, String> outputFiles = spec.containsKey("outputs") ? files(spec, "outputs") : Map.of();
            Map<String, Object> rawAttrs = attrsOf(spec);
            if (expectError && !outputFiles.isEmpty()) {
                return fail(CASE_FILE + ": an expect_error case gives no outputs");
            }
            if (!expectError && outputFiles.isEmpty()) {
                return fail(CASE_FILE + ": the case names no outputs to compare and does not expect an error");
            }
            OpDef op = registry.find(opName).orElse(null);
            if (op == null) {
                return fail("unknown op '" + opName + "'");
            }
            double rtol = tolerance(spec, "rtol", op.rtol());
            double atol = tolerance(spec, "atol", op.atol());

            Map<String, Tensor> read = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : inputFiles.entrySet()) {
                read.put(e.getKey(), own(Npy.read(dir.resolve(e.getValue()))));
            }
            Map<String, Tensor> expected = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : outputFiles.entrySet()) {
                expected.put(e.getKey(), own(Npy.read(dir.resolve(e.getValue()))));
            }

            // From here on an argument error is the op's (or its attrs') clear rejection.
            Map<String, Tensor> host = new LinkedHashMap<>();
            Map<String, Tensor> onDevice = new LinkedHashMap<>();
            Map<String, Tensor> result;
            try {
                op.checkInputNames(read.keySet());
                Attrs attrs = op.parseAttrs(rawAttrs);
                for (Map.Entry<String, Tensor> e : read.entrySet()) {
                    host.put(e.getKey(), own(op.prepare(e.getKey(), e.getValue())));
                }
                for (Map.Entry<String, Tensor> e : host.entrySet()) {
                    // a copy on cpu too: the host tensor is the record of the input as it was
                    Tensor h = e.getValue();
                    onDevice.put(e.getKey(), own(device.isCpu() ? h.copy() : h.to(device)));
                }
                result = op.run(onDevice, attrs);
                result.values().forEach(this::own);
            } catch (RuntimeException e) {
                if (!isClearError(e)) {
                    throw e;
                }
                if (!expectError) {
                    return fail(describe(e));
                }
                for (Map.Entry<String, Tensor> d : onDevice.entrySet()) {
                    if (!HostBytes.sameBits(d.getValue(), host.get(d.getKey()))) {
                        return fail("the op rejected the inputs (" + describe(e) + ") but changed input '"
                                + d.getKey() + "'");
                    }
                }
                return new CaseResult(name, device.toString(), true, Double.NaN, Double.NaN, "-",
                        "rejected: " + describe(e));
            }
            if (expectError) {
                return fail("expected an error, but " + opName + " accepted the inputs and returned "
                        + String.join(", ", result.keySet()));
            }
            Map<String, Tensor> accepted = op.reconcile(host, result, expected);
            if (accepted != expected) {
                accepted.values().forEach(this::own);
            }
            return compare(opName, result, accepted, rtol, atol);
        }

        private CaseResult compare(String opName, Map<String, Tensor> result, Map<String, Tensor> expected,
                                   double rtol, double atol) {
            boolean passed = true;
            double maxAbs = 0;
            double maxRel = 0;
            double worstRatio = -1;
            String worst = "-";
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                Tensor actual = result.get(e.getKey());
                if (actual == null) {
                    passed = false;
                    problems.add("output '" + e.getKey() + "': " + opName + " produced no such output (it gave "
                            + String.join(", ", result.keySet()) + ")");
                    continue;
                }
                AllClose.Result r = AllClose.compare(actual, e.getValue(), rtol, atol);
                maxAbs = Math.max(maxAbs, r.maxAbs());
                maxRel = Math.max(maxRel, r.maxRel());
                if (r.worstIndex() >= 0 && r.worstRatio() > worstRatio) {
                    worstRatio = r.worstRatio();
                    worst = e.getKey() + r.worstIndexString();
                }
                if (!r.passed()) {
                    passed = false;
                    problems.add("output '" + e.getKey() + "': " + r.message());
                }
            }
            return new CaseResult(name, device.toString(), passed, maxAbs, maxRel, worst,
                    problems.isEmpty() ? null : String.join("; ", problems));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> files(Map<String, Object> spec, String key) {
        Object v = spec.get(key);
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException(CASE_FILE + ": '" + key + "' must be an object of name: file, got "
                    + Json.typeName(v));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
            if (!(e.getValue() instanceof String f)) {
                throw new IllegalArgumentException(CASE_FILE + ": " + key + "." + e.getKey() + " must be a file name, got "
                        + Json.typeName(e.getValue()));
            }
            out.put(e.getKey(), f);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> attrsOf(Map<String, Object> spec) {
        Object v = spec.get("attrs");
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map)) {
            throw new IllegalArgumentException(CASE_FILE + ": 'attrs' must be an object, got " + Json.typeName(v));
        }
        return (Map<String, Object>) v;
    }

    private static double tolerance(Map<String, Object> spec, String key, double def) {
        Object v = spec.get(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
            throw new IllegalArgumentException(CASE_FILE + ": '" + key + "' must be a finite number >= 0, got " + v);
        }
        return n.doubleValue();
    }
}
