package io.jkernels.backend;

/**
 * A backend that runs the kernels of kernels/*.cu: {@code cuda} on the GPU, {@code emu} on CPU
 * threads. Both take the same kernel names, launch configurations and argument lists, built once
 * in ops code.
 */
public interface KernelBackend extends Backend {

    DeviceProperties properties();

    /** Whether a kernel of that name is loaded. */
    boolean hasKernel(String name);

    /** Every kernel name the backend knows. */
    java.util.List<String> kernelNames();

    /**
     * Launches {@code kernel}. Throws {@link IllegalArgumentException} for an unknown kernel name,
     * and the backend's error for a failed launch.
     */
    void launch(String kernel, LaunchConfig config, KernelArgs args);

    /**
     * Records the kernel launches, device copies and fills that {@code body} makes on this backend
     * from the calling thread into a graph, without running them (as CUDA stream capture does).
     * Allocate outputs before capturing and use the ops' {@code out} forms inside; host
     * transfers cannot be captured.
     */
    KernelGraph capture(Runnable body);
}
