package io.jkernels.check;

/**
 * One op family's entries in the {@link OpRegistry}: its ops (names, inputs, attrs, tolerances
 * and the call into {@code io.jkernels.ops}) and its demo cases. A new family is a class
 * implementing this and one line in {@link OpRegistry#FAMILIES}.
 */
@FunctionalInterface
public interface OpFamily {
    /** Adds this family's ops ({@link OpRegistry#register}) and demo cases ({@link OpRegistry#demo}). */
    void register(OpRegistry registry);
}
