package io.jkernels.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every op the bench command knows, family by family. The one place a new family is listed:
 * AdamW, pixel_shuffle, upsample, vq and the rl ops each add their class here.
 */
public final class BenchRegistry {
    /** The families, in table order. */
    public static final List<BenchFamily> FAMILIES = List.of(
            new TensorBench(),
            new ActivationBench(),
            new OptimizerBench(),
            new ResampleBench(),
            new VqBench(),
            new RlBench());

    private BenchRegistry() {
    }

    /** All entries of all families, in table order; names are unique. */
    public static List<BenchEntry> all() {
        List<BenchEntry> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (BenchFamily f : FAMILIES) {
            for (BenchEntry e : f.entries()) {
                if (!seen.add(e.name())) {
                    throw new IllegalStateException("bench entry " + e.name() + " is registered twice");
                }
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    /** The entries whose name matches {@code regex} anywhere ({@link java.util.regex.Matcher#find()}). */
    public static List<BenchEntry> matching(List<BenchEntry> entries, Pattern regex) {
        return entries.stream().filter(e -> regex.matcher(e.name()).find()).toList();
    }
}
