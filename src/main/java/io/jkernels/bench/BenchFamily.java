package io.jkernels.bench;

import java.util.List;

/**
 * The bench entries of one op family ({@link ActivationBench}, {@link TensorBench}, ...). A new
 * family writes one class implementing this and adds it to {@link BenchRegistry#FAMILIES}.
 */
public interface BenchFamily {

    /** The family name as in the JSON ({@code "activations"}). */
    String name();

    /** Every op of the family at every dtype it is benchmarked in, at its standard sizes. */
    List<BenchEntry> entries();
}
