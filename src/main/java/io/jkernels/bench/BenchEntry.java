package io.jkernels.bench;

import io.jkernels.tensor.Device;
import java.util.Objects;

/**
 * One row of the bench table: an op at one dtype, named as the PyTorch script names it
 * ({@code relu_f32}, {@code swiglu_backward_bf16}), and how to prepare it on a device.
 *
 * @param name    unique across all families; matched by {@code bench --ops REGEX}
 * @param family  the op family ({@code "activations"}, {@code "tensor"}...)
 * @param dtype   the element type in words ({@code "f32"})
 * @param factory allocates and fills the inputs on a device at a scale from a seed
 */
public record BenchEntry(String name, String family, String dtype, Factory factory) {

    public BenchEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(factory, "factory");
    }

    /** Prepares the op's inputs (random, drawn from {@code seed}) and outputs on a device at a scale. */
    @FunctionalInterface
    public interface Factory {
        BenchCase prepare(Device device, Scale scale, long seed);
    }

    public BenchCase prepare(Device device, Scale scale, long seed) {
        return factory.prepare(device, scale, seed);
    }
}
