package io.jkernels.bench;

/**
 * One op prepared on a device at one size: its inputs and outputs allocated and filled, ready to
 * be run many times. {@link #check()} is called once before any timing; {@link #run()} must then
 * do the same work each time without allocating (the ops' {@code out} forms).
 */
public interface BenchCase extends AutoCloseable {

    /** The size in words, the same as the PyTorch script prints: {@code "n=2^28"}. */
    String size();

    /** The fewest bytes the op must move: each input read once, each output written once. */
    long bytes();

    /** Floating-point operations per call where they matter (0, the default, for memory-bound ops). */
    default long flops() {
        return 0;
    }

    /** One call of the op (queued on the device's stream on cuda; not synchronized). */
    void run();

    /**
     * Poisons the outputs, runs the op once and compares what it wrote with the cpu reference
     * within the op's tolerance.
     */
    Verdict check();

    @Override
    void close();

    /**
     * The outcome of {@link #check()}.
     *
     * @param passed  within tolerance everywhere checked
     * @param maxAbs  largest absolute error seen (NaN when nothing was compared)
     * @param checked elements compared
     * @param message null on a pass, else what went wrong (worst element, tolerance)
     */
    record Verdict(boolean passed, double maxAbs, long checked, String message) {
        public static Verdict failed(String message) {
            return new Verdict(false, Double.NaN, 0, message);
        }
    }
}
