package io.jkernels.bench;

import java.util.List;

/**
 * The bench entries of one op family ({@link TensorBench}, {@link OptimizerBench}, ...). The op
 * table ({@code io.jkernels.table.OpTable#bench()}) gathers them; a family defined op by op in the
 * table (the activations) has no class of its own here.
 */
public interface BenchFamily {

    /** The family name as in the JSON ({@code "activations"}). */
    String name();

    /** Every op of the family at every dtype it is benchmarked in, at its standard sizes. */
    List<BenchEntry> entries();
}
