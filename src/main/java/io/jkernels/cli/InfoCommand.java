package io.jkernels.cli;

import io.jkernels.backend.BundledKernels;
import io.jkernels.backend.DeviceProperties;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.backend.cuda.CudaDrivers;
import io.jkernels.bench.JsonWriter;
import io.jkernels.check.OpDef;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.Device;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code info}: version, Java, each backend's status, the bundled kernels and the ops of the op
 * table; {@code info --json}: the op table as JSON (what the golden generators and the PyTorch peer
 * benchmark read).
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Prints the version, the Java runtime, each backend's status, the bundled kernels and the registered ops.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the op table as JSON (ops with inputs, attrs, outputs, tolerances, "
            + "PyTorch names, bench entries) and nothing else.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            java.util.Map<String, Object> table = new java.util.LinkedHashMap<>();
            table.put("schema", "jkernels-optable/1");
            table.put("version", Main.version());
            table.putAll(OpTable.standard().describe());
            out.print(JsonWriter.write(table));
            out.flush();
            return 0;
        }
        out.println("jkernels " + Main.version());
        out.println("java     " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        out.println("backends:");
        out.println("  cpu    ok (pure-Java references)");
        out.println("  emu    " + emu());
        out.println("  cuda   " + cuda());
        List<String> kernels = BundledKernels.names();
        out.println("bundled kernels: " + kernels.size());
        wrap(out, kernels);
        List<String> ops = OpTable.standard().registry().ops().stream().map(OpDef::name).toList();
        out.println("conformance ops: " + ops.size());
        wrap(out, ops);
        out.flush();
        return 0;
    }

    private static String emu() {
        String why = Backends.unavailable(Device.emu());
        if (why != null) {
            return "unavailable: " + why;
        }
        KernelBackend k = Device.emu().kernels();
        DeviceProperties p = k.properties();
        return "ok: " + p.name() + ", " + k.kernelNames().size() + " kernels";
    }

    private static String cuda() {
        String binding;
        try {
            binding = CudaDrivers.defaultBinding();
        } catch (RuntimeException e) {
            binding = "? (" + e.getMessage() + ")";
        }
        String why = Backends.unavailable(Device.cuda(0));
        if (why != null) {
            return "unavailable (binding " + binding + "): " + why;
        }
        CudaBackend b = (CudaBackend) Device.cuda(0).backend();
        DeviceProperties p = b.properties();
        int v = p.driverVersion();
        return String.format(Locale.ROOT, "ok: binding %s, %s, compute capability %s, %d SMs, driver %d.%d, %.1f GiB, %d device(s)",
                b.binding(), p.name(), p.computeCapability(), p.smCount(), v / 1000, (v % 1000) / 10,
                p.totalMemory() / (double) (1L << 30), CudaBackend.driver().deviceCount());
    }

    /** Names, several to a line. */
    private static void wrap(PrintWriter out, List<String> names) {
        StringBuilder line = new StringBuilder("  ");
        for (String n : names) {
            if (line.length() > 2 && line.length() + n.length() + 1 > 100) {
                out.println(line);
                line = new StringBuilder("  ");
            }
            line.append(line.length() > 2 ? " " : "").append(n);
        }
        if (line.length() > 2) {
            out.println(line);
        }
    }
}
