package io.jkernels.ops;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.tensor.Tensor;

/**
 * Launch helpers used by the op classes: the configuration and argument list are built here once
 * and go unchanged to the cuda and emu backends.
 */
public final class Kernels {
    /** Threads per block of the elementwise kernels. */
    public static final int ELEMENTWISE_BLOCK = 256;
    /** Grid-stride grids cover at most this many full waves of the device. */
    public static final int WAVES = 8;

    private Kernels() {
    }

    /** The kernel backend of the tensor's device, or null for cpu (run the reference). */
    public static KernelBackend of(Tensor t) {
        return t.device().isCpu() ? null : t.device().kernels();
    }

    /** A grid-stride configuration over {@code n} elements, {@code perThread} elements per thread per pass. */
    public static LaunchConfig elementwise(KernelBackend kb, long n, int perThread) {
        return LaunchConfig.gridStride(n, ELEMENTWISE_BLOCK, perThread, kb.properties(), WAVES);
    }

    /**
     * Launches {@code kernel(t0, t1, ..., n)} over {@code n} elements: the common signature of the
     * elementwise kernels (tensor pointers, then the element count).
     */
    public static void elementwise(KernelBackend kb, String kernel, long n, Tensor... tensors) {
        KernelArgs a = KernelArgs.get();
        for (Tensor t : tensors) {
            a.ptr(t);
        }
        a.i64(n);
        kb.launch(kernel, elementwise(kb, n, 1), a);
        java.lang.ref.Reference.reachabilityFence(tensors);
    }
}
