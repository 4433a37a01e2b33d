package io.jkernels.bench;

import java.util.Arrays;

/**
 * Order statistics of timing samples (any unit; the harness uses µs per call). Percentiles
 * interpolate linearly between the two nearest ranks (NumPy's default), so p50 is the median.
 */
public record Stats(int count, double median, double min, double max, double p10, double p90, double q1, double q3,
                    double mean) {

    public static Stats of(double[] samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return new Stats(s.length, percentile(s, 50), s[0], s[s.length - 1], percentile(s, 10), percentile(s, 90),
                percentile(s, 25), percentile(s, 75), sum / s.length);
    }

    /** The {@code p}-th percentile (0..100) of sorted values. */
    static double percentile(double[] sorted, double p) {
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }

    /** (p90 - p10) / median: the spread of the middle 80 % of samples, as a fraction. */
    public double spread() {
        return median > 0 ? (p90 - p10) / median : 0;
    }
}
