package io.jkernels.bench;

import java.io.PrintStream;

/**
 * One line of progress on stderr, rewritten in place ({@code \r}), shown only when stderr is a
 * terminal; {@link #NONE} shows nothing.
 */
public final class Progress {
    public static final Progress NONE = new Progress(null);

    private final PrintStream out;
    private int width;

    private Progress(PrintStream out) {
        this.out = out;
    }

    /** Progress on {@code System.err} when the process has a terminal, else {@link #NONE}. */
    public static Progress onTerminal() {
        return isTerminal() ? new Progress(System.err) : NONE;
    }

    /**
     * Whether stdin/stdout are a terminal: {@code System.console()} on Java 17–21; on 22+ the
     * console exists whenever the JDK offers one, and {@code Console.isTerminal()} tells.
     */
    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    public void show(String line) {
        if (out != null) {
            out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
            out.flush();
            width = line.length();
        }
    }

    /** Clears the line. */
    public void done() {
        if (out != null && width > 0) {
            out.print("\r" + " ".repeat(width) + "\r");
            out.flush();
            width = 0;
        }
    }
}
