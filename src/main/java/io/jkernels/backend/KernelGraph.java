package io.jkernels.backend;

/**
 * A recorded sequence of kernel launches (and device-side copies and fills) that replays without
 * re-validating arguments or re-marshalling them: a CUDA graph on the cuda backend, a recorded
 * launch list on emu. It replays on the memory the recorded launches used, so the tensors they
 * touched must stay open while the graph is used.
 */
public interface KernelGraph extends AutoCloseable {

    /** Runs the recorded work again, in order. */
    void replay();

    /** Number of recorded nodes (kernel launches, copies, fills). */
    int size();

    /** Releases the graph and the memory freed while it was captured (kept for its replays). */
    @Override
    void close();
}
