package io.jkernels.bench;

import io.jkernels.bench.BenchReport.OpResult;
import io.jkernels.bench.BenchReport.PeerBest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The XChart drawing of {@link Charts#writePng}; loaded only after the runtime check there. */
final class BenchChart {
    private BenchChart() {
    }

    static void write(BenchReport r, BenchReport peer, Path file) throws IOException {
        Map<String, PeerBest> best = peer == null ? Map.of() : r.bestOf(peer);
        List<String> names = new ArrayList<>();
        List<Double> mine = new ArrayList<>();
        List<Double> other = new ArrayList<>();
        for (OpResult o : r.ops()) {
            double v;
            double w;
            if (peer != null) {
                PeerBest b = best.get(o.op());
                if (b == null) {
                    continue;
                }
                v = o.gbps() / b.gbps();
                w = 1.0;
            } else {
                v = o.gbps();
                w = o.copyGbps();
            }
            names.add(o.ok() ? o.op() : o.op() + " (FAILED)");
            mine.add(Double.isFinite(v) ? v : 0.0);
            other.add(Double.isFinite(w) ? w : 0.0);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(peer != null
                    ? "no op of the report is in the peer report at the same size: nothing to draw"
                    : "the report has no ops: nothing to draw");
        }
        BenchReport.Meta m = r.meta();
        String title = peer != null
                ? "jkernels / " + peer.meta().tool() + " (best variant), " + m.device()
                : "jkernels bench, " + m.backend() + ": " + m.device();
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(800, 70 * names.size() + 200)).height(600)
                .title(title).xAxisTitle("op (" + m.scale() + " sizes)")
                .yAxisTitle(peer != null ? "GB/s ratio (1 = parity)" : "GB/s (" + m.timer() + ", median)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setYAxisDecimalPattern("#,##0.##");
        chart.getStyler().setYAxisMin(0.0);
        chart.addSeries(peer != null ? "jkernels / best " + peer.meta().tool() : "jkernels " + m.backend(), names, mine);
        chart.addSeries(peer != null ? "parity" : "device copy, same bytes", names, other);
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
