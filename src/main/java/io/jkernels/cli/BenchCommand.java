package io.jkernels.cli;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.BenchReport;
import io.jkernels.bench.BenchRunner;
import io.jkernels.bench.Charts;
import io.jkernels.bench.MarkdownReport;
import io.jkernels.bench.OutputFiles;
import io.jkernels.bench.Progress;
import io.jkernels.bench.Scale;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jkernels bench}: times every op (or those matching {@code --ops}) at its standard size
 * on one backend and prints a Markdown table; see {@link BenchRunner} for the method and
 * {@link BenchReport} for the JSON schema. Exit status: 0 when every op passed its check, 1 when
 * one was FAILED, 2 for bad input (unknown op pattern, unavailable backend, unwritable output,
 * unreadable peer file, --png without a chart-capable runtime).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Times each op at its standard size after checking it once against the cpu reference: the median and "
                + "spread of at least 20 samples (cuda: device events around batches of launches; emu, cpu: the wall "
                + "clock), the fewest bytes the op must move, GB/s and the fraction of a device-to-device copy of "
                + "the same byte count measured in the same run; then the launch overhead of one op call on a "
                + "1-element tensor, of empty kernels and of a graph replay.",
            "Exit status: 0 ok, 1 an op FAILED its check, 2 bad input."})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--backend", paramLabel = "cuda|emu|cpu",
            description = "Where to run (default: cuda when a GPU is usable, else emu).")
    String backend;

    @Option(names = "--ops", paramLabel = "REGEX", defaultValue = ".*",
            description = "Only the ops whose name contains a match (e.g. 'relu', '_bf16$'); --list shows the names.")
    String ops;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the results as JSON (schema jkernels-bench/1).")
    Path json;

    @Option(names = "--md", paramLabel = "FILE", description = "Write the Markdown tables printed on stdout to FILE too.")
    Path md;

    @Option(names = "--png", paramLabel = "FILE",
            description = "Draw a bar chart: GB/s per op, or the ratio to --peer (needs java.desktop; else use `chart`).")
    Path png;

    @Option(names = "--peer", paramLabel = "FILE",
            description = "A JSON report of benchmarks/torch_peer.py: adds the ratio jkernels GB/s / best torch GB/s.")
    Path peer;

    @Option(names = "--repeat", paramLabel = "N",
            description = "Samples per op, at least 20 (default: 30 on cuda, 20 on emu and cpu).")
    Integer repeat;

    @Option(names = "--scale", paramLabel = "gpu|host|tiny",
            description = "Op sizes: gpu = the standard sizes (default on cuda), host = smaller (default on emu, cpu), "
                + "tiny = for tests.")
    String scale;

    @Option(names = "--no-overhead", description = "Skip the launch-overhead measurements.")
    boolean noOverhead;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the random inputs (default: a fresh one).")
    Long seed;

    @Option(names = "--list", description = "List the op names (after --ops) and exit.")
    boolean list;

    private final List<BenchEntry> entries;

    /** The command over every bench entry of the op table ({@link OpTable#bench()}). */
    public BenchCommand() {
        this(OpTable.standard().bench());
    }

    /** The command over the given entries (tests inject entries here). */
    public BenchCommand(List<BenchEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            return run(out, err);
        } catch (BadInput e) {
            err.println("bench: " + e.getMessage());
            return 2;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** A problem with the arguments or the environment, found before anything runs. */
    static final class BadInput extends Exception {
        private static final long serialVersionUID = 1L;

        BadInput(String message) {
            super(message);
        }
    }

    private int run(PrintWriter out, PrintWriter err) throws BadInput {
        List<BenchEntry> chosen = select(entries, ops);
        if (list) {
            for (BenchEntry e : chosen) {
                out.println(e.name() + "\t" + e.family());
            }
            return 0;
        }
        Device device = device(backend, err);
        for (Path p : new Path[] {json, md, png}) {
            if (p != null) {
                String why = OutputFiles.whyNotWritable(p);
                if (why != null) {
                    throw new BadInput("cannot write " + p + ": " + why);
                }
            }
        }
        if (png != null && Charts.unavailableReason() != null) {
            throw new BadInput("--png: " + Charts.unavailableReason());
        }
        BenchReport peerReport = peer == null ? null : readReport(peer, "--peer");
        BenchRunner.Options o = BenchRunner.Options.defaults(device, "jkernels bench "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        try {
            if (scale != null) {
                o = o.withScale(Scale.parse(scale));
            }
            if (repeat != null) {
                o = o.withSamples(repeat);
            }
        } catch (IllegalArgumentException e) {
            throw new BadInput(e.getMessage());
        }
        o = o.withOverhead(!noOverhead);
        if (seed != null) {
            o = new BenchRunner.Options(o.scale(), o.samples(), o.warmupSeconds(), o.minSampleSeconds(), o.overhead(),
                    seed, o.command());
        }
        BenchReport report = new BenchRunner(device, o, Progress.onTerminal()).run(chosen);
        String table = MarkdownReport.render(report, peerReport);
        out.print(table);
        out.flush();
        try {
            if (json != null) {
                report.writeJson(json);
            }
            if (md != null) {
                Files.writeString(md, table, StandardCharsets.UTF_8);
            }
            if (png != null) {
                Charts.writePng(report, peerReport, png);
            }
        } catch (IOException | RuntimeException e) {
            err.println("bench: cannot write the results: " + e.getMessage());
            return 2;
        }
        long failed = report.ops().stream().filter(r -> !r.ok()).count();
        if (failed > 0) {
            err.println("bench: " + failed + " of " + report.ops().size() + " ops FAILED");
            return 1;
        }
        return 0;
    }

    static List<BenchEntry> select(List<BenchEntry> entries, String regex) throws BadInput {
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new BadInput("--ops '" + regex + "' is not a valid regular expression: " + e.getDescription());
        }
        List<BenchEntry> chosen = OpTable.matching(entries, p);
        if (chosen.isEmpty()) {
            throw new BadInput("--ops '" + regex + "' matches no op; the ops are: "
                    + entries.stream().map(BenchEntry::name).collect(Collectors.joining(", ")));
        }
        return chosen;
    }

    static Device device(String name, PrintWriter err) throws BadInput {
        if (name == null) {
            if (Device.cudaAvailable()) {
                return Device.cuda();
            }
            err.println("bench: no usable GPU (" + Device.cudaUnavailableReason() + "); running on emu");
            name = "emu";
        }
        Device d;
        try {
            d = Device.parse(name);
        } catch (IllegalArgumentException e) {
            throw new BadInput("--backend: " + e.getMessage());
        }
        String why = switch (d.kind()) {
            case CUDA -> Device.cudaUnavailableReason();
            case EMU -> Device.emuUnavailableReason();
            case CPU -> null;
        };
        if (why != null) {
            throw new BadInput("backend " + name + " is unavailable: " + why);
        }
        return d;
    }

    static BenchReport readReport(Path file, String what) throws BadInput {
        if (!Files.isReadable(file)) {
            throw new BadInput(what + " " + file + ": no such readable file");
        }
        try {
            return BenchReport.read(file);
        } catch (IOException e) {
            throw new BadInput(what + " " + e.getMessage());
        }
    }
}
