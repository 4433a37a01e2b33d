package io.jkernels.cli;

import io.jkernels.check.AllClose;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpRegistry;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: every demo row of the {@link OpRegistry} (seeded random inputs) on the best kernel
 * backend and on the cpu reference; prints the max abs error, pass/fail against the op's
 * tolerance, and the median time of each.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs each demo op on the best available backend (cuda, else emu) and on the cpu reference,",
            "and prints the max abs error, pass/fail against the op's tolerance and the median times."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--size", defaultValue = "1048576", description = "Elements per input (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per op; the median is shown (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-b", "--backend"}, paramLabel = "BACKEND",
            description = "cpu, emu, cuda or cuda:N instead of the best available one.")
    String backend;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (size < 1 || runs < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--size and --runs must be >= 1");
        }
        Device device;
        if (backend != null) {
            try {
                device = Device.parse(backend);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            String why = Backends.unavailable(device);
            if (why != null) {
                err.println("error: backend " + device + " is unavailable: " + why);
                return Main.EXIT_NOT_RUN;
            }
        } else {
            device = Backends.best();
            if (device == null) {
                out.println("note: no kernel backend (cuda: " + Device.cudaUnavailableReason() + "; emu: "
                        + Backends.unavailable(Device.emu()) + "): running the cpu references only");
                device = Device.cpu();
            }
        }
        OpRegistry registry = OpTable.standard().registry();
        List<DemoCase> demos = registry.demos();
        int w = Math.max(2, demos.stream().mapToInt(d -> d.label().length()).max().orElse(2));
        String head = "%-" + w + "s  %-7s  %10s  %-9s  %-4s  %12s  %12s%n";
        out.printf(Locale.ROOT, head, "op", "backend", "elements", "max_abs", "ok", device + " ms", "cpu ms");
        int failed = 0;
        for (DemoCase d : demos) {
            try {
                Row r = run(registry.op(d.op()), d, device);
                failed += r.passed ? 0 : 1;
                out.printf(Locale.ROOT, head, d.label(), device, r.elements, Backends.sci(r.maxAbs),
                        r.passed ? "PASS" : "FAIL", ms(r.deviceMs), ms(r.cpuMs));
            } catch (RuntimeException | LinkageError e) {
                failed++;
                out.printf(Locale.ROOT, "%-" + w + "s  %-7s  FAIL  %s%n", d.label(), device, e);
            }
            out.flush();
        }
        out.println(failed == 0 ? "all " + demos.size() + " ops agree with the cpu reference"
                : failed + " of " + demos.size() + " ops failed");
        out.flush();
        return failed == 0 ? 0 : Main.EXIT_FAILED;
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private record Row(long elements, double maxAbs, boolean passed, double deviceMs, double cpuMs) {
    }

    private Row run(OpDef op, DemoCase d, Device device) {
        Attrs attrs = op.parseAttrs(d.attrs());
        Map<String, Tensor> host = d.inputs().make(op, size, seed);
        try {
            long elements = host.values().stream().mapToLong(Tensor::numel).max().orElse(0);
            double[] cpuTimes = new double[runs];
            double[] devTimes = new double[runs];
            Map<String, Tensor> expected = timed(op, attrs, host, Device.cpu(), cpuTimes);
            Map<String, Tensor> actual = timed(op, attrs, host, device, devTimes);
            try {
                double maxAbs = 0;
                boolean passed = true;
                for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                    AllClose.Result r = AllClose.compare(actual.get(e.getKey()), e.getValue(), op.rtol(), op.atol());
                    maxAbs = Math.max(maxAbs, r.maxAbs());
                    passed &= r.passed();
                }
                return new Row(elements, maxAbs, passed, median(devTimes), median(cpuTimes));
            } finally {
                expected.values().forEach(Tensor::close);
                actual.values().forEach(Tensor::close);
            }
        } finally {
            host.values().forEach(Tensor::close);
        }
    }

    /**
     * One untimed run whose outputs are returned, then {@code times.length} timed runs; each run
     * gets fresh copies of the inputs (ops may update them in place). Times in ms, including a
     * device synchronize.
     */
    private static Map<String, Tensor> timed(OpDef op, Attrs attrs, Map<String, Tensor> host, Device device,
                                             double[] times) {
        Map<String, Tensor> first = null;
        for (int i = -1; i < times.length; i++) {
            Map<String, Tensor> in = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, Tensor> e : host.entrySet()) {
                    in.put(e.getKey(), device.isCpu() ? e.getValue().copy() : e.getValue().to(device));
                }
                device.synchronize();
                long t0 = System.nanoTime();
                Map<String, Tensor> out = op.run(in, attrs);
                device.synchronize();
                long t1 = System.nanoTime();
                if (i < 0) {
                    first = new LinkedHashMap<>();
                    for (Map.Entry<String, Tensor> e : out.entrySet()) {
                        try (Tensor t = e.getValue()) {
                            first.put(e.getKey(), t.to(Device.cpu()));
                        }
                    }
                } else {
                    times[i] = (t1 - t0) / 1e6;
                    out.values().forEach(Tensor::close);
                }
            } finally {
                in.values().forEach(Tensor::close);
            }
        }
        return first;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
