package io.jkernels.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The bar chart of a bench report, behind a check that the Java runtime can draw it: XChart
 * needs the java.desktop module (AWT, headless), which the small jlinked runtime of the GPU
 * bundle may leave out. There, write JSON and draw it elsewhere with {@code jkernels chart}.
 */
public final class Charts {
    private Charts() {
    }

    /** Why no chart can be drawn in this runtime, or null when it can. */
    public static String unavailableReason() {
        if (ModuleLayer.boot().findModule("java.desktop").isEmpty()) {
            return "this Java runtime (" + System.getProperty("java.home") + ") has no java.desktop module, which "
                    + "the chart library needs; write --json here and draw the chart with a full JDK: "
                    + "jkernels chart --json FILE [--peer FILE] --png FILE";
        }
        try {
            Class.forName("org.knowm.xchart.CategoryChart", false, Charts.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return "the chart library (org.knowm.xchart:xchart) is not on the class path";
        }
        return null;
    }

    /**
     * Draws the report as a PNG: with a peer, jkernels GB/s over the best peer GB/s per op (1.0 =
     * parity); without, GB/s per op beside the copy of the same byte count. FAILED ops are drawn
     * at 0 and labelled.
     */
    public static void writePng(BenchReport report, BenchReport peer, Path file) throws IOException {
        String why = unavailableReason();
        if (why != null) {
            throw new UnsupportedOperationException(why);
        }
        System.setProperty("java.awt.headless", "true");
        BenchChart.write(report, peer, file);
    }
}
