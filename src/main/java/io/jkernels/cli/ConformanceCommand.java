package io.jkernels.cli;

import io.jkernels.check.CaseResult;
import io.jkernels.check.CaseRunner;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.Device;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code conformance DIR [--backend cpu|emu|cuda|cuda:N|all]}: runs every case under DIR (OPS.md
 * "Conformance case format") and prints one line per case and backend, then
 * {@code N passed, N failed} alone on the last line.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Runs every conformance case (a directory holding case.json) under DIR.",
            "Prints PASS/FAIL, case, backend, max abs error, max rel error, worst element and, on failure, why;",
            "then 'N passed, N failed' on the last line."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every case passed", "1:a case failed or could not be run", "2:usage error",
            "3:nothing to run (DIR missing or without cases, or the named backend unavailable)"})
final class ConformanceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Root of a suite of cases.")
    Path dir;

    @Option(names = {"-b", "--backend"}, paramLabel = "BACKEND", defaultValue = "all",
            description = "cpu, emu, cuda, cuda:N or all (cpu plus emu and cuda where available; default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = {"-v", "--verbose"}, description = "Also print the error a passing expect_error case was rejected with.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Device> devices = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        if (backend.trim().equalsIgnoreCase("all")) {
            devices.addAll(Backends.allAvailable(skipped));
        } else {
            Device d;
            try {
                d = Device.parse(backend);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "invalid --backend '" + backend + "': expected cpu, emu, cuda, cuda:N or all");
            }
            String why = Backends.unavailable(d);
            if (why != null) {
                err.println("error: backend " + d + " is unavailable: " + why);
                return Main.EXIT_NOT_RUN;
            }
            devices.add(d);
        }
        if (!Files.isDirectory(dir)) {
            err.println("error: " + dir + " is not a directory");
            return Main.EXIT_NOT_RUN;
        }
        List<Path> cases = CaseRunner.discover(dir);
        if (cases.isEmpty()) {
            err.println("error: no case (a directory holding " + CaseRunner.CASE_FILE + ") under " + dir);
            return Main.EXIT_NOT_RUN;
        }
        for (String s : skipped) {
            out.println("note: " + s);
        }
        int width = 0;
        for (Path c : cases) {
            width = Math.max(width, CaseRunner.caseName(dir, c).length());
        }
        width = Math.min(width, 72);
        int devWidth = devices.stream().mapToInt(d -> d.toString().length()).max().orElse(3);

        CaseRunner runner = new CaseRunner(OpTable.standard().registry());
        boolean progress = System.console() != null;
        int total = cases.size() * devices.size();
        int done = 0;
        int passed = 0;
        int failed = 0;
        for (Device d : devices) {
            for (Path c : cases) {
                if (progress) {
                    err.print("\r[" + (done + 1) + "/" + total + "]");
                    err.flush();
                }
                CaseResult r = runner.run(c, CaseRunner.caseName(dir, c), d);
                done++;
                if (r.passed()) {
                    passed++;
                } else {
                    failed++;
                }
                if (progress) {
                    err.print("\r" + " ".repeat(24) + "\r");
                    err.flush();
                }
                out.println(line(r, width, devWidth));
                out.flush();
            }
        }
        out.println(passed + " passed, " + failed + " failed");
        out.flush();
        return failed == 0 ? 0 : Main.EXIT_FAILED;
    }

    private String line(CaseResult r, int width, int devWidth) {
        String s = String.format(Locale.ROOT, "%s  %-" + width + "s  %-" + devWidth + "s  max_abs %-9s  max_rel %-9s  worst %s",
                r.passed() ? "PASS" : "FAIL", r.name(), r.backend(), Backends.sci(r.maxAbs()), Backends.sci(r.maxRel()),
                r.worst());
        if (r.message() != null && (!r.passed() || verbose)) {
            s += "  -- " + r.message();
        }
        return s;
    }
}
