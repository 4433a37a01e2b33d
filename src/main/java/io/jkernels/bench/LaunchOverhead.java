package io.jkernels.bench;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.KernelGraph;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.cuda.CudaBackend;
import io.jkernels.bench.BenchReport.Overhead;
import io.jkernels.ops.Activations;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * What one call costs from Java on a tiny tensor, in µs: the wall clock over many back-to-back
 * calls from one thread with a synchronization at the end of each sample, so on cuda it is the
 * host's launch cost (the GPU keeps up with one-element kernels).
 *
 * <ul>
 *   <li>{@code op}: {@code Activations.relu(x, out)} on one f32 element: validation, the
 *       contiguous() handles, the launch configuration, argument marshalling and the launch;
 *   <li>{@code noop3}: {@code bench_noop3(x, out, 1)} (kernels/bench.cu) launched through the same
 *       backend with the op's launch configuration and argument list: the binding's floor for
 *       this signature;
 *   <li>{@code empty}: {@code bench_empty()} with one thread: the floor of any launch;
 *   <li>{@code graph}: the same op called {@value #GRAPH_CALLS} times captured by
 *       {@link Device#capture} and replayed, per kernel.
 * </ul>
 * The cuda binding is chosen per process ({@code -Djkernels.cuda.binding=ffm|jcuda}), so a run
 * reports the current one; run the bench once per binding to compare them.
 */
public final class LaunchOverhead {
    /** Op calls recorded into the replayed graph. */
    public static final int GRAPH_CALLS = 64;
    private static final double MIN_SAMPLE_SECONDS = 10e-3;
    private static final double WARMUP_SECONDS = 0.1;

    private LaunchOverhead() {
    }

    public static List<Overhead> measure(Device device, int samples) {
        List<Overhead> out = new ArrayList<>();
        String binding = binding(device);
        try (Tensor x = Tensor.randn(1, DType.F32, device, 1); Tensor y = Tensor.empty(DType.F32, device, 1)) {
            out.add(time(device, "relu_f32 op call, 1 element", "op", binding, 1, samples,
                    () -> Activations.relu(x, y)));
            if (device.isCpu()) {
                return out;
            }
            KernelBackend kb = device.kernels();
            if (kb.hasKernel("bench_noop3")) {
                LaunchConfig cfg = LaunchConfig.of(1, io.jkernels.ops.Kernels.ELEMENTWISE_BLOCK);
                out.add(time(device, "bench_noop3 launch (x, out, n), 1x256 threads", "noop3", binding, 1, samples,
                        () -> kb.launch("bench_noop3", cfg, KernelArgs.get().ptr(x).ptr(y).i64(1))));
            }
            if (kb.hasKernel("bench_empty")) {
                LaunchConfig one = LaunchConfig.of(1, 1);
                out.add(time(device, "bench_empty launch, 1 thread", "empty", binding, 1, samples,
                        () -> kb.launch("bench_empty", one, KernelArgs.get())));
            }
            try (KernelGraph g = device.capture(() -> {
                for (int i = 0; i < GRAPH_CALLS; i++) {
                    Activations.relu(x, y);
                }
            })) {
                out.add(time(device, "graph replay of " + GRAPH_CALLS + " relu_f32 calls, per kernel", "graph",
                        binding, g.size(), samples, g::replay));
            }
        }
        return out;
    }

    /** "ffm" / "jcuda" on cuda, "jni" on emu, "none" on cpu. */
    static String binding(Device device) {
        return switch (device.kind()) {
            case CUDA -> ((CudaBackend) device.backend()).binding();
            case EMU -> "jni";
            case CPU -> "none";
        };
    }

    /** µs per kernel: each call of {@code op} runs {@code kernelsPerCall} kernels. */
    private static Overhead time(Device device, String name, String kind, String binding, int kernelsPerCall,
                                 int samples, Runnable op) {
        SampleTimer.Wall wall = new SampleTimer.Wall(device);
        double best = Double.POSITIVE_INFINITY;
        long t0 = System.nanoTime();
        for (int calls = 0; calls < 10 || System.nanoTime() - t0 < WARMUP_SECONDS * 1e9; calls++) {
            best = Math.min(best, wall.seconds(op, 1));
        }
        int k = (int) Math.max(10, Math.min(1_000_000, Math.ceil(MIN_SAMPLE_SECONDS / Math.max(best, 1e-9))));
        double[] us = new double[samples];
        for (int i = 0; i < samples; i++) {
            us[i] = wall.seconds(op, k) / k / kernelsPerCall * 1e6;
        }
        return new Overhead(name, kind, binding, k, Stats.of(us));
    }
}
