package io.jkernels.bench;

import io.jkernels.bench.BenchReport.CopyResult;
import io.jkernels.bench.BenchReport.OpResult;
import io.jkernels.bench.BenchReport.Overhead;
import io.jkernels.bench.BenchReport.PeerBest;
import java.util.Locale;
import java.util.Map;

/**
 * The bench report as Markdown tables: where and how it was measured, one row per op (median and
 * the p10–p90 range in µs, the spread, GB/s, the fraction of a copy, and the ratio to the best
 * PyTorch variant when a peer report is given), the copies, and the launch overhead.
 */
public final class MarkdownReport {
    private MarkdownReport() {
    }

    /** {@code peer} may be null. */
    public static String render(BenchReport r, BenchReport peer) {
        BenchReport.Meta m = r.meta();
        Map<String, PeerBest> best = peer == null ? Map.of() : r.bestOf(peer);
        StringBuilder sb = new StringBuilder();
        sb.append("### jkernels bench: ").append(m.backend()).append(" (").append(m.device()).append(")\n\n");
        sb.append("- scale ").append(m.scale()).append(", ").append(m.samples()).append(" samples per op, timer ")
                .append(m.timer()).append(m.binding() != null ? ", binding " + m.binding() : "")
                .append(m.driver() != null ? ", driver " + m.driver() : "").append('\n');
        sb.append("- ").append(m.date()).append(", commit ").append(m.commit()).append(", ").append(m.host())
                .append(", Java ").append(m.java()).append('\n');
        sb.append("- command: `").append(m.command()).append("`\n");
        if (peer != null) {
            sb.append("- peer: ").append(peer.meta().tool()).append(" on ").append(peer.meta().device()).append(", ")
                    .append(peer.meta().date()).append("; ratio = jkernels GB/s / best peer GB/s\n");
        }
        sb.append('\n');
        sb.append("| op | size | bytes | median µs | p10–p90 µs | spread | GB/s | copy GB/s | of copy |");
        if (peer != null) {
            sb.append(" peer GB/s | ratio |");
        }
        sb.append("\n|---|---|---:|---:|---:|---:|---:|---:|---:|");
        if (peer != null) {
            sb.append("---:|---:|");
        }
        sb.append('\n');
        for (OpResult o : r.ops()) {
            sb.append("| ").append(o.op()).append(" | ").append(o.size()).append(" | ").append(bytes(o.bytes()))
                    .append(" | ");
            if (o.ok()) {
                Stats s = o.stats();
                sb.append(num(s.median())).append(" | ").append(num(s.p10())).append("–").append(num(s.p90()))
                        .append(" | ").append(pct(s.spread())).append(" | ").append(num(o.gbps())).append(" | ")
                        .append(num(o.copyGbps())).append(" | ").append(fraction(o.copyFraction())).append(" |");
            } else {
                sb.append("**FAILED** | | | | | | |");
            }
            if (peer != null) {
                PeerBest b = best.get(o.op());
                if (b == null) {
                    sb.append(" – | – |");
                } else {
                    sb.append(' ').append(num(b.gbps())).append(" (").append(b.variant()).append(") | ")
                            .append(o.ok() ? fraction(o.gbps() / b.gbps()) : "–").append(" |");
                }
            }
            sb.append('\n');
        }
        for (OpResult o : r.ops()) {
            if (!o.ok()) {
                sb.append("\nFAILED ").append(o.op()).append(": ").append(o.error()).append('\n');
            }
        }
        if (!r.copies().isEmpty()) {
            sb.append("\nDevice-to-device copies (the baseline; bytes = read + written):\n\n");
            sb.append("| bytes | median µs | p10–p90 µs | GB/s |\n|---:|---:|---:|---:|\n");
            for (CopyResult c : r.copies()) {
                sb.append("| ").append(bytes(c.bytes())).append(" | ").append(num(c.stats().median())).append(" | ")
                        .append(num(c.stats().p10())).append("–").append(num(c.stats().p90())).append(" | ")
                        .append(num(c.gbps())).append(" |\n");
            }
        }
        if (!r.overhead().isEmpty()) {
            sb.append("\nLaunch overhead (wall clock over many calls from one Java thread, µs per call):\n\n");
            sb.append("| what | binding | calls per sample | median µs | p10–p90 µs |\n|---|---|---:|---:|---:|\n");
            for (Overhead o : r.overhead()) {
                sb.append("| ").append(o.name()).append(" | ").append(o.binding()).append(" | ")
                        .append(o.callsPerSample()).append(" | ").append(num(o.stats().median())).append(" | ")
                        .append(num(o.stats().p10())).append("–").append(num(o.stats().p90())).append(" |\n");
            }
        }
        return sb.toString();
    }

    /** Three significant digits (at least), no exponent. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : a >= 0.1 ? "%.3f" : "%.4f";
        return String.format(Locale.ROOT, f, v);
    }

    static String pct(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f %%", 100 * fraction) : "–";
    }

    static String fraction(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "–";
    }

    /** Bytes in binary units: "3 GiB", "12 MiB", "48 KiB", or the count. */
    static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.2f", v))
                + " " + units[u];
    }
}
