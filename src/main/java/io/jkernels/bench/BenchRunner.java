package io.jkernels.bench;

import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.bench.BenchReport.CopyResult;
import io.jkernels.bench.BenchReport.OpResult;
import io.jkernels.bench.BenchReport.Overhead;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The bench harness. For each entry: prepare it on the device, check it once against the cpu
 * reference (a failure marks it FAILED, untimed), warm up, pick how many calls one sample holds
 * (so a sample lasts at least {@link Options#minSampleSeconds()}), take the samples, and time a
 * device-to-device copy of the same byte count (once per byte count per run). Then the launch
 * overhead ({@link LaunchOverhead}). All on the calling thread.
 */
public final class BenchRunner {
    /** The issue asks for the median and spread of at least this many samples. */
    public static final int MIN_SAMPLES = 20;

    private final Device device;
    private final Options options;
    private final Progress progress;
    private final Map<Long, CopyResult> copies = new LinkedHashMap<>();

    /**
     * How to run.
     *
     * @param scale            op sizes
     * @param samples          samples per op (at least {@link #MIN_SAMPLES})
     * @param warmupSeconds    each op runs at least this long (and at least 3 calls) before timing
     * @param minSampleSeconds a sample holds enough back-to-back calls to last at least this long
     * @param overhead         whether to measure the launch overhead too
     * @param seed             seed of the random inputs
     * @param command          the command line, for the report
     */
    public record Options(Scale scale, int samples, double warmupSeconds, double minSampleSeconds, boolean overhead,
                          long seed, String command) {
        public Options {
            if (samples < MIN_SAMPLES) {
                throw new IllegalArgumentException("at least " + MIN_SAMPLES + " samples per op, got " + samples);
            }
        }

        /** The defaults for a device: 30 samples of at least 2 ms on cuda, 20 of at least 20 ms elsewhere. */
        public static Options defaults(Device device, String command) {
            boolean gpu = device.kind() == Device.Kind.CUDA;
            return new Options(Scale.defaultFor(device), gpu ? 30 : MIN_SAMPLES, gpu ? 0.2 : 0.1, gpu ? 2e-3 : 20e-3,
                    true, System.nanoTime(), command);
        }

        public Options withScale(Scale s) {
            return new Options(s, samples, warmupSeconds, minSampleSeconds, overhead, seed, command);
        }

        public Options withSamples(int n) {
            return new Options(scale, n, warmupSeconds, minSampleSeconds, overhead, seed, command);
        }

        public Options withOverhead(boolean on) {
            return new Options(scale, samples, warmupSeconds, minSampleSeconds, on, seed, command);
        }

        public Options withTiming(double warmup, double minSample) {
            return new Options(scale, samples, warmup, minSample, overhead, seed, command);
        }
    }

    public BenchRunner(Device device, Options options, Progress progress) {
        this.device = device;
        this.options = options;
        this.progress = progress;
    }

    /** Runs the entries in order and the launch overhead; never throws for one op's failure. */
    public BenchReport run(List<BenchEntry> entries) {
        List<OpResult> ops = new ArrayList<>();
        String timerName;
        try (SampleTimer timer = SampleTimer.forDevice(device)) {
            timerName = timer.method();
            for (int i = 0; i < entries.size(); i++) {
                BenchEntry e = entries.get(i);
                String at = "[" + (i + 1) + "/" + entries.size() + "] " + e.name();
                ops.add(runOne(e, timer, at));
            }
            progress.show("launch overhead");
        }
        List<Overhead> overhead = options.overhead() ? LaunchOverhead.measure(device, options.samples()) : List.of();
        progress.done();
        return new BenchReport(meta(timerName), ops, List.copyOf(copies.values()), overhead);
    }

    private OpResult runOne(BenchEntry e, SampleTimer timer, String at) {
        String size = "?";
        long bytes = 0;
        long flops = 0;
        double maxAbs = Double.NaN;
        Measured m;
        progress.show(at + ": preparing");
        try (BenchCase c = e.prepare(device, options.scale(), options.seed() ^ e.name().hashCode())) {
            size = c.size();
            bytes = c.bytes();
            flops = c.flops();
            progress.show(at + " (" + size + "): checking");
            BenchCase.Verdict v = c.check();
            maxAbs = v.maxAbs();
            if (!v.passed()) {
                return failed(e, size, bytes, flops, maxAbs, "check against the cpu reference: " + v.message());
            }
            progress.show(at + " (" + size + "): timing");
            m = measure(timer, c::run);
        } catch (RuntimeException | OutOfMemoryError ex) {
            return failed(e, size, bytes, flops, maxAbs, ex.getClass().getSimpleName() + ": " + ex.getMessage());
        }
        double copyGbps;
        try {
            progress.show(at + " (" + size + "): copy baseline");
            copyGbps = copyBaseline(timer, bytes).gbps();
        } catch (RuntimeException | OutOfMemoryError ex) {
            copyGbps = Double.NaN;
        }
        return new OpResult(e.name(), e.family(), "jkernels", e.dtype(), size, bytes, flops, "ok", null, maxAbs,
                m.callsPerSample(), m.stats(), copyGbps);
    }

    private static OpResult failed(BenchEntry e, String size, long bytes, long flops, double maxAbs, String why) {
        return new OpResult(e.name(), e.family(), "jkernels", e.dtype(), size, bytes, flops, "FAILED", why, maxAbs, 0,
                null, Double.NaN);
    }

    /** Calls per sample and µs per call. */
    record Measured(int callsPerSample, Stats stats) {
    }

    /** Warm-up, then {@link Options#samples()} samples of back-to-back calls, in µs per call. */
    Measured measure(SampleTimer timer, Runnable op) {
        double best = Double.POSITIVE_INFINITY;
        long t0 = System.nanoTime();
        for (int calls = 0; calls < 3 || System.nanoTime() - t0 < options.warmupSeconds() * 1e9; calls++) {
            best = Math.min(best, timer.seconds(op, 1));
        }
        int k = (int) Math.max(1, Math.min(1_000_000, Math.ceil(options.minSampleSeconds() / Math.max(best, 1e-9))));
        double[] us = new double[options.samples()];
        for (int i = 0; i < us.length; i++) {
            us[i] = timer.seconds(op, k) / k * 1e6;
        }
        return new Measured(k, Stats.of(us));
    }

    /** A device-to-device copy moving {@code bytes} in all ({@code bytes / 2} read, as many written). */
    CopyResult copyBaseline(SampleTimer timer, long bytes) {
        CopyResult c = copies.get(bytes);
        if (c == null) {
            long half = bytes / 2;
            try (Tensor src = Tensor.full(1.0, DType.BOOL, device, half); Tensor dst = Tensor.empty(DType.BOOL, device, half)) {
                Measured m = measure(timer, () -> dst.copyFrom(src));
                c = new CopyResult(2 * half, m.callsPerSample(), m.stats());
            }
            copies.put(bytes, c);
        }
        return c;
    }

    // ---- provenance ----------------------------------------------------------------------------

    private BenchReport.Meta meta(String timer) {
        String name;
        String binding = null;
        String driver = null;
        switch (device.kind()) {
            case CUDA -> {
                CudaBackend cb = (CudaBackend) device.backend();
                name = cb.properties().name() + " (sm_" + cb.properties().computeMajor() + cb.properties().computeMinor()
                        + ", " + cb.properties().smCount() + " SMs)";
                binding = cb.binding();
                int v = cb.properties().driverVersion();
                driver = (v / 1000) + "." + (v % 1000) / 10;
            }
            case EMU -> {
                name = ((KernelBackend) device.backend()).properties().name();
                binding = "jni";
            }
            default -> name = "pure-Java references";
        }
        return new BenchReport.Meta("jkernels", device.kind().name().toLowerCase(java.util.Locale.ROOT), name, binding,
                driver, timer, options.scale().toString(), options.samples(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), commit(), options.command(), host(),
                System.getProperty("java.version"), options.seed());
    }

    /** $JKERNELS_COMMIT, else {@code git rev-parse --short HEAD} in the working directory, else "unknown". */
    static String commit() {
        String env = System.getenv("JKERNELS_COMMIT");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!out.isEmpty() && out.matches("[0-9a-f]+")) {
                    return out;
                }
            } else {
                p.destroy();
            }
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }

    /** "Linux amd64, 2 cores, <cpu model>". */
    static String host() {
        String s = System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return s + ", " + line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return s;
        }
        return s;
    }
}
