package io.jkernels.table;

import io.jkernels.bench.BenchEntry;
import java.util.List;

/**
 * One op family's part of the {@link OpTable}: a class in {@code io.jkernels.table.families}
 * listed in {@code META-INF/services/io.jkernels.table.OpFamily}, found with
 * {@link java.util.ServiceLoader}. The table never names a family.
 */
public interface OpFamily {

    /** The family word, the same in every layer ({@code "activations"}, {@code "optimizers"}...). */
    String name();

    /** The family's ops, one definition each, in the order the bench and the demo list them. */
    List<OpEntry> ops();

    /** Bench entries that are not ops (the tensor family's copies and fills); none by default. */
    default List<BenchEntry> benchOnly() {
        return List.of();
    }
}
