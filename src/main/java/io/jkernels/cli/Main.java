package io.jkernels.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The jkernels command line: {@code info}, {@code demo}, {@code conformance DIR}. Exit status 0 on
 * success, 1 when a check failed, 2 on a usage error, 3 when nothing could be run (see each
 * command).
 */
@Command(name = "jkernels", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Hand-written CUDA kernels for Java: cpu references, a host emulator (emu) and CUDA.",
        subcommands = {
            InfoCommand.class,
            DemoCommand.class,
            ConformanceCommand.class,
            BenchCommand.class,
            ChartCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    /** Exit status when a check (case, demo row) failed. */
    public static final int EXIT_FAILED = 1;
    /** Exit status when nothing could be run (no such directory, no cases, backend unavailable). */
    public static final int EXIT_NOT_RUN = 3;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** A command line with every subcommand, ready to {@code execute}. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The jar's Implementation-Version, or "dev" when run from classes. */
    public static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** picocli's --version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jkernels " + version()};
        }
    }
}
