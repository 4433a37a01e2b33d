package io.jkernels.cli;

import io.jkernels.bench.BenchReport;
import io.jkernels.bench.Charts;
import io.jkernels.bench.OutputFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jkernels chart}: draws the bar chart of a bench JSON report (the same as
 * {@code bench --png}), for reports made where the runtime could not draw (the GPU bundle's
 * jlinked JRE). Exit status 0, or 2 with a message.
 */
@Command(name = "chart", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Draws the bar chart of a bench JSON report: GB/s per op, or with --peer the ratio "
            + "jkernels GB/s / best peer GB/s per op.")
public final class ChartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", paramLabel = "FILE", required = true, description = "The report of `bench --json`.")
    Path json;

    @Option(names = "--peer", paramLabel = "FILE", description = "The report of benchmarks/torch_peer.py.")
    Path peer;

    @Option(names = "--png", paramLabel = "FILE", required = true, description = "The PNG to write.")
    Path png;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            String why = OutputFiles.whyNotWritable(png);
            if (why != null) {
                throw new BenchCommand.BadInput("cannot write " + png + ": " + why);
            }
            if (Charts.unavailableReason() != null) {
                throw new BenchCommand.BadInput(Charts.unavailableReason());
            }
            BenchReport report = BenchCommand.readReport(json, "--json");
            BenchReport peerReport = peer == null ? null : BenchCommand.readReport(peer, "--peer");
            Charts.writePng(report, peerReport, png);
            spec.commandLine().getOut().println("wrote " + png);
            return 0;
        } catch (BenchCommand.BadInput e) {
            err.println("chart: " + e.getMessage());
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("chart: cannot draw " + png + ": " + e.getMessage());
            return 2;
        } finally {
            spec.commandLine().getOut().flush();
            err.flush();
        }
    }
}
