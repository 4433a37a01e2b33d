package io.jkernels.bench;

import io.jkernels.check.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results of one bench run, and their JSON form (schema {@value #SCHEMA}), which the PyTorch
 * script (benchmarks/torch_peer.py) writes too:
 *
 * <pre>
 * { "schema": "jkernels-bench/1",
 *   "meta": { "tool": "jkernels" | "torch", "backend": "cuda" | "emu" | "cpu", "device", "binding",
 *             "driver", "timer": "cuda-events" | "wall-clock", "scale": "gpu" | "host" | "tiny",
 *             "samples", "date", "commit", "command", "host", "java", "seed" },
 *   "ops": [ { "op": "relu_f32", "family", "variant": "jkernels" | "eager" | "compile", "dtype",
 *              "size": "n=2^28", "bytes", "flops", "status": "ok" | "FAILED", "error",
 *              "max_abs_err", "calls_per_sample", "samples", "median_us", "min_us", "p10_us",
 *              "q1_us", "q3_us", "p90_us", "max_us", "mean_us", "spread", "gbps", "copy_gbps",
 *              "copy_fraction" } ],
 *   "copies": [ { "bytes", "calls_per_sample", "samples", "median_us", ..., "gbps" } ],
 *   "launch_overhead": [ { "name", "kind": "op" | "empty" | "noop3" | "graph", "binding",
 *                          "calls_per_sample", "samples", "median_us", ... } ] }
 * </pre>
 *
 * Times are µs per call; bytes are the fewest the op must move (each input read once, each output
 * written once) and GB/s is 10^9 bytes per second over the median; copy_fraction is the op's GB/s
 * over that of a device-to-device copy of the same byte count (half read, half written) measured
 * in the same run. A FAILED op has no times. Absent values are null.
 */
public record BenchReport(Meta meta, List<OpResult> ops, List<CopyResult> copies, List<Overhead> overhead) {
    public static final String SCHEMA = "jkernels-bench/1";

    /** Where and how the numbers were taken. */
    public record Meta(String tool, String backend, String device, String binding, String driver, String timer,
                       String scale, int samples, String date, String commit, String command, String host,
                       String java, long seed) {
    }

    /**
     * One op: its timing statistics (null when it FAILED) in µs per call.
     *
     * @param variant "jkernels", or the PyTorch variant ("eager", "compile")
     */
    public record OpResult(String op, String family, String variant, String dtype, String size, long bytes,
                           long flops, String status, String error, double maxAbsErr, int callsPerSample,
                           Stats stats, double copyGbps) {
        public boolean ok() {
            return "ok".equals(status) && stats != null;
        }

        /** 10^9 bytes per second at the median time, NaN without one. */
        public double gbps() {
            return ok() ? bytes / (stats.median() * 1e-6) / 1e9 : Double.NaN;
        }

        /** GB/s over the copy's GB/s at the same byte count, NaN without both. */
        public double copyFraction() {
            return gbps() / copyGbps;
        }
    }

    /** A device-to-device copy moving {@code bytes} (half read, half written). */
    public record CopyResult(long bytes, int callsPerSample, Stats stats) {
        public double gbps() {
            return bytes / (stats.median() * 1e-6) / 1e9;
        }
    }

    /** µs per call of one launch-overhead measurement (the wall clock over many calls). */
    public record Overhead(String name, String kind, String binding, int callsPerSample, Stats stats) {
    }

    // ---- JSON ----------------------------------------------------------------------------------

    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema", SCHEMA);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("tool", meta.tool());
        m.put("backend", meta.backend());
        m.put("device", meta.device());
        m.put("binding", meta.binding());
        m.put("driver", meta.driver());
        m.put("timer", meta.timer());
        m.put("scale", meta.scale());
        m.put("samples", meta.samples());
        m.put("date", meta.date());
        m.put("commit", meta.commit());
        m.put("command", meta.command());
        m.put("host", meta.host());
        m.put("java", meta.java());
        m.put("seed", meta.seed());
        root.put("meta", m);
        List<Object> os = new ArrayList<>();
        for (OpResult o : ops) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("op", o.op());
            j.put("family", o.family());
            j.put("variant", o.variant());
            j.put("dtype", o.dtype());
            j.put("size", o.size());
            j.put("bytes", o.bytes());
            j.put("flops", o.flops());
            j.put("status", o.status());
            j.put("error", o.error());
            j.put("max_abs_err", o.maxAbsErr());
            j.put("calls_per_sample", o.callsPerSample());
            putStats(j, o.stats());
            j.put("gbps", o.gbps());
            j.put("copy_gbps", o.copyGbps());
            j.put("copy_fraction", o.copyFraction());
            os.add(j);
        }
        root.put("ops", os);
        List<Object> cs = new ArrayList<>();
        for (CopyResult c : copies) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("bytes", c.bytes());
            j.put("calls_per_sample", c.callsPerSample());
            putStats(j, c.stats());
            j.put("gbps", c.gbps());
            cs.add(j);
        }
        root.put("copies", cs);
        List<Object> ls = new ArrayList<>();
        for (Overhead o : overhead) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("name", o.name());
            j.put("kind", o.kind());
            j.put("binding", o.binding());
            j.put("calls_per_sample", o.callsPerSample());
            putStats(j, o.stats());
            ls.add(j);
        }
        root.put("launch_overhead", ls);
        return JsonWriter.write(root);
    }

    private static void putStats(Map<String, Object> j, Stats s) {
        j.put("samples", s == null ? null : s.count());
        j.put("median_us", s == null ? null : s.median());
        j.put("min_us", s == null ? null : s.min());
        j.put("p10_us", s == null ? null : s.p10());
        j.put("q1_us", s == null ? null : s.q1());
        j.put("q3_us", s == null ? null : s.q3());
        j.put("p90_us", s == null ? null : s.p90());
        j.put("max_us", s == null ? null : s.max());
        j.put("mean_us", s == null ? null : s.mean());
        j.put("spread", s == null ? null : s.spread());
    }

    public void writeJson(Path file) throws IOException {
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    /** Reads a report written by {@link #toJson()} or by torch_peer.py. */
    public static BenchReport read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return fromJson(Json.parseObject(text));
        } catch (IllegalArgumentException | ClassCastException | NullPointerException e) {
            throw new IOException(file + " is not a bench report (schema " + SCHEMA + "): " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static BenchReport fromJson(Map<String, Object> root) {
        Object schema = root.get("schema");
        if (!SCHEMA.equals(schema)) {
            throw new IllegalArgumentException("schema is " + schema + ", expected " + SCHEMA);
        }
        Map<String, Object> m = (Map<String, Object>) root.get("meta");
        Meta meta = new Meta(str(m, "tool"), str(m, "backend"), str(m, "device"), str(m, "binding"), str(m, "driver"),
                str(m, "timer"), str(m, "scale"), (int) lng(m, "samples"), str(m, "date"), str(m, "commit"),
                str(m, "command"), str(m, "host"), str(m, "java"), lng(m, "seed"));
        List<OpResult> ops = new ArrayList<>();
        for (Object o : list(root, "ops")) {
            Map<String, Object> j = (Map<String, Object>) o;
            ops.add(new OpResult(str(j, "op"), str(j, "family"), str(j, "variant"), str(j, "dtype"), str(j, "size"),
                    lng(j, "bytes"), lng(j, "flops"), str(j, "status"), str(j, "error"), dbl(j, "max_abs_err"),
                    (int) lng(j, "calls_per_sample"), stats(j), dbl(j, "copy_gbps")));
        }
        List<CopyResult> copies = new ArrayList<>();
        for (Object o : list(root, "copies")) {
            Map<String, Object> j = (Map<String, Object>) o;
            copies.add(new CopyResult(lng(j, "bytes"), (int) lng(j, "calls_per_sample"), stats(j)));
        }
        List<Overhead> overhead = new ArrayList<>();
        for (Object o : list(root, "launch_overhead")) {
            Map<String, Object> j = (Map<String, Object>) o;
            overhead.add(new Overhead(str(j, "name"), str(j, "kind"), str(j, "binding"),
                    (int) lng(j, "calls_per_sample"), stats(j)));
        }
        return new BenchReport(meta, ops, copies, overhead);
    }

    private static List<?> list(Map<String, Object> j, String key) {
        Object v = j.get(key);
        return v == null ? List.of() : (List<?>) v;
    }

    private static Stats stats(Map<String, Object> j) {
        if (j.get("median_us") == null) {
            return null;
        }
        return new Stats((int) lng(j, "samples"), dbl(j, "median_us"), dbl(j, "min_us"), dbl(j, "max_us"),
                dbl(j, "p10_us"), dbl(j, "p90_us"), dbl(j, "q1_us"), dbl(j, "q3_us"), dbl(j, "mean_us"));
    }

    private static String str(Map<String, Object> j, String key) {
        Object v = j.get(key);
        return v == null ? null : v.toString();
    }

    private static long lng(Map<String, Object> j, String key) {
        Object v = j.get(key);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static double dbl(Map<String, Object> j, String key) {
        Object v = j.get(key);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }

    // ---- peers ---------------------------------------------------------------------------------

    /**
     * For each op of this report, the best GB/s among the ok results of {@code peer} for the same
     * op at the same size, with the variant that gave it; ops the peer lacks are absent.
     */
    public Map<String, PeerBest> bestOf(BenchReport peer) {
        Map<String, PeerBest> best = new LinkedHashMap<>();
        for (OpResult mine : ops) {
            for (OpResult p : peer.ops()) {
                if (p.ok() && p.op().equals(mine.op()) && p.size().equals(mine.size())) {
                    PeerBest b = best.get(mine.op());
                    if (b == null || p.gbps() > b.gbps()) {
                        best.put(mine.op(), new PeerBest(p.variant(), p.gbps()));
                    }
                }
            }
        }
        return best;
    }

    /** The best peer result of one op. */
    public record PeerBest(String variant, double gbps) {
    }
}
