package io.jkernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.bench.BenchReport.CopyResult;
import io.jkernels.bench.BenchReport.Meta;
import io.jkernels.bench.BenchReport.OpResult;
import io.jkernels.bench.BenchReport.Overhead;
import io.jkernels.check.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    static final Stats STATS = new Stats(20, 100, 90, 130, 95, 120, 97, 110, 102);

    static BenchReport report(String tool, String variant, double medianUs) {
        Stats s = new Stats(20, medianUs, medianUs, medianUs, medianUs, medianUs, medianUs, medianUs, medianUs);
        Meta meta = new Meta(tool, "cuda", "Test GPU", "ffm", "12.8", "cuda-events", "gpu", 20, "2026-01-01T00:00:00Z",
                "abc123", "bench --ops relu", "Linux amd64, 2 cores", "25", 7);
        return new BenchReport(meta,
                List.of(new OpResult("relu_f32", "activations", variant, "f32", "n=2^28", 2L << 30, 0, "ok", null, 0,
                                4, s, 3000),
                        new OpResult("relu_bf16", "activations", variant, "bf16", "n=2^28", 1L << 30, 0, "FAILED",
                                "check against the cpu reference: 3 of 4099 elements \"off\"", 0.5, 0, null,
                                Double.NaN)),
                List.of(new CopyResult(2L << 30, 4, STATS)),
                List.of(new Overhead("relu_f32 op call, 1 element", "op", "ffm", 1000, STATS)));
    }

    @Test
    void jsonRoundTrips() {
        BenchReport r = report("jkernels", "jkernels", 1000);
        BenchReport back = BenchReport.fromJson(Json.parseObject(r.toJson()));
        assertEquals(r.meta(), back.meta());
        assertEquals(r.ops(), back.ops());
        OpResult failed = back.ops().get(1);
        assertEquals("FAILED", failed.status());
        assertNull(failed.stats());
        assertFalse(failed.ok());
        assertTrue(Double.isNaN(failed.gbps()));
        assertEquals(r.ops().get(1).error(), failed.error());
        assertEquals(r.copies(), back.copies());
        assertEquals(r.overhead(), back.overhead());
    }

    @Test
    void jsonHasTheDocumentedKeys() {
        Map<String, Object> root = Json.parseObject(report("jkernels", "jkernels", 1000).toJson());
        assertEquals(BenchReport.SCHEMA, root.get("schema"));
        @SuppressWarnings("unchecked")
        Map<String, Object> op = (Map<String, Object>) ((List<?>) root.get("ops")).get(0);
        for (String k : List.of("op", "family", "variant", "dtype", "size", "bytes", "flops", "status", "error",
                "max_abs_err", "calls_per_sample", "samples", "median_us", "min_us", "p10_us", "q1_us", "q3_us",
                "p90_us", "max_us", "mean_us", "spread", "gbps", "copy_gbps", "copy_fraction")) {
            assertTrue(op.containsKey(k), k);
        }
        // 2 GiB in 1000 µs
        assertEquals((2L << 30) / 1e-3 / 1e9, ((Number) op.get("gbps")).doubleValue(), 1e-9);
        assertEquals((2L << 30) / 1e-3 / 1e9 / 3000, ((Number) op.get("copy_fraction")).doubleValue(), 1e-12);
        @SuppressWarnings("unchecked")
        Map<String, Object> failed = (Map<String, Object>) ((List<?>) root.get("ops")).get(1);
        assertNull(failed.get("median_us"));
        assertNull(failed.get("gbps"));
    }

    @Test
    void peerRatioTakesTheBestVariantAtTheSameSize() {
        BenchReport mine = report("jkernels", "jkernels", 1000);
        BenchReport eager = report("torch", "eager", 2000);
        BenchReport compiled = report("torch", "compile", 1250);
        BenchReport peer = new BenchReport(eager.meta(),
                List.of(eager.ops().get(0), compiled.ops().get(0)), List.of(), List.of());
        Map<String, BenchReport.PeerBest> best = mine.bestOf(peer);
        assertEquals("compile", best.get("relu_f32").variant());
        assertEquals(mine.ops().get(0).gbps() / 1.25, best.get("relu_f32").gbps(), 1e-9);
        String md = MarkdownReport.render(mine, peer);
        assertTrue(md.contains("| 1.25 |"), md);
        assertTrue(md.contains("(compile)"), md);
        assertTrue(md.contains("**FAILED**"), md);
        assertTrue(md.contains("FAILED relu_bf16: check against the cpu reference"), md);
    }

    @Test
    void peerAtAnotherSizeGivesNoRatio() {
        BenchReport mine = report("jkernels", "jkernels", 1000);
        OpResult o = mine.ops().get(0);
        OpResult other = new OpResult(o.op(), o.family(), "eager", o.dtype(), "n=2^20", o.bytes(), 0, "ok", null, 0, 1,
                o.stats(), Double.NaN);
        BenchReport peer = new BenchReport(mine.meta(), List.of(other), List.of(), List.of());
        assertTrue(mine.bestOf(peer).isEmpty());
    }

    @Test
    void readRejectsAnotherSchema(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("x.json");
        Files.writeString(f, "{\"schema\": \"other/2\"}");
        IOException e = assertThrows(IOException.class, () -> BenchReport.read(f));
        assertTrue(e.getMessage().contains("jkernels-bench/1"), e.getMessage());
        Files.writeString(f, "{not json");
        assertThrows(IOException.class, () -> BenchReport.read(f));
    }

    @Test
    void writerEscapesAndWritesNonFiniteAsNull() {
        String s = JsonWriter.write(Map.of("a", List.of("q\"\\\n\u0001", Double.NaN, 1.5, 3L, true)));
        assertEquals(List.of("q\"\\\n\u0001", 1.5, 3L, true), nonNull((List<?>) Json.parseObject(s).get("a")));
        assertTrue(s.contains("null"));
    }

    private static List<?> nonNull(List<?> l) {
        return l.stream().filter(java.util.Objects::nonNull).toList();
    }
}
