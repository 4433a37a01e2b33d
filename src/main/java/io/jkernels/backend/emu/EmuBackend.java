package io.jkernels.backend.emu;

import io.jkernels.backend.AbstractKernelBackend;
import io.jkernels.backend.DeviceId;
import io.jkernels.backend.DeviceMemory;
import io.jkernels.backend.DeviceProperties;
import io.jkernels.backend.HostMemory;
import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.Memory;
import java.util.Arrays;
import io.jkernels.backend.KernelGraph;
import java.util.List;

/**
 * The host emulator: the kernels of kernels/*.cu compiled by g++ into libjkernels_emu.so and run
 * on CPU threads (one block per worker, CUDA threads as fibers), reached through the same kernel
 * names, launch configurations and argument lists as the cuda backend. Launches are synchronous;
 * "device" memory is 256-byte aligned host memory.
 */
public final class EmuBackend extends AbstractKernelBackend {

    private EmuBackend(DeviceId device) {
        super(device);
        int[] p = EmuNative.properties();
        int cap = maxBlocks();
        describe(new DeviceProperties("jkernels host emulator (" + p[0] + " workers"
                + (cap == Integer.MAX_VALUE ? "" : ", grid-stride launches of at most " + cap + " blocks") + ")",
                p[0], p[1], p[2], p[3], p[4], 0, 0, Runtime.getRuntime().maxMemory(), 0, cap),
                Arrays.asList(EmuNative.kernelNames()));
    }

    /**
     * JK_EMU_MAX_BLOCKS (environment variable or system property {@code jkernels.emu.maxBlocks}):
     * the most blocks of a grid-stride launch, so small tests run every pass of a grid-stride loop;
     * unset: no cap.
     */
    static int maxBlocks() {
        String v = System.getProperty("jkernels.emu.maxBlocks", System.getenv("JK_EMU_MAX_BLOCKS"));
        if (v == null || v.isBlank()) {
            return Integer.MAX_VALUE;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("JK_EMU_MAX_BLOCKS must be a positive integer, got '" + v + "'");
    }

    /** Starts the emulator backend; {@link UnsupportedOperationException} with the reason when its library is missing. */
    public static EmuBackend open(DeviceId device) {
        String why = unavailableReason();
        if (why != null) {
            throw new UnsupportedOperationException("emu backend unavailable: " + why);
        }
        return new EmuBackend(device);
    }

    /** Why the emulator library cannot be used, or null. */
    public static String unavailableReason() {
        return EmuNative.unavailableReason();
    }

    @Override
    protected long resolveFunction(String name) {
        long h = EmuNative.function(name);
        if (h == 0) {
            throw new IllegalArgumentException("no kernel named '" + name + "' in the emulator library");
        }
        return h;
    }

    /** Launches by kernel name since the backend started (recorded launches count when recorded). */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> launches =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * How many times each kernel was launched on this backend so far (a snapshot; kernels never
     * launched are absent). For the tests that every bundled kernel is used and for counting the
     * launches of one op call.
     */
    public java.util.Map<String, Long> launchCounts() {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        launches.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    @Override
    public void launch(String kernel, LaunchConfig c, KernelArgs args) {
        long f = function(kernel);
        launches.computeIfAbsent(kernel, k -> new java.util.concurrent.atomic.LongAdder()).increment();
        Capture rec = capture();
        if (rec != null) {
            KernelArgs kept = args.copy();
            rec.nodes.add(() -> run(f, c, kept));
        } else {
            run(f, c, args);
        }
    }

    private static void run(long f, LaunchConfig c, KernelArgs args) {
        EmuNative.launch(f, c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(), c.blockZ(),
                c.sharedBytes(), args.buffer(), args.offsets(), args.sizes(), args.count());
    }

    /** Runs {@code work} now, or records it when this thread is capturing. */
    private void deviceWork(Runnable work) {
        Capture rec = capture();
        if (rec != null) {
            rec.nodes.add(work);
        } else {
            work.run();
        }
    }

    @Override
    public KernelGraph capture(Runnable body) {
        Capture rec = beginCapture();
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            endCapture();
            releaseDeferred(rec);
            throw e;
        }
        endCapture();
        return new RecordedGraph(rec);
    }

    /** The emulator's graph: the recorded work, replayed in order. */
    private final class RecordedGraph implements KernelGraph {
        private final Capture capture;
        private final List<Runnable> nodes;
        private boolean closed;

        RecordedGraph(Capture capture) {
            this.capture = capture;
            this.nodes = List.copyOf(capture.nodes);
        }

        @Override
        public void replay() {
            if (closed) {
                throw new IllegalStateException("graph is closed");
            }
            for (Runnable r : nodes) {
                r.run();
            }
        }

        @Override
        public int size() {
            return nodes.size();
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                releaseDeferred(capture);
            }
        }
    }

    @Override
    public Memory allocate(long bytes) {
        long p = EmuNative.malloc(bytes);
        allocated(bytes);
        DeviceMemory m = new DeviceMemory(p, bytes);
        allocatedWhileCapturing(m);
        return m;
    }

    @Override
    public void free(Memory memory) {
        if (deferFree(memory)) {
            return;
        }
        EmuNative.free(memory.address());
        freed(memory.bytes());
    }

    @Override
    public void copyFromHost(Memory dst, long dstOff, HostMemory src, long srcOff, long n) {
        noHostTransferWhileCapturing();
        dst.checkRange(dstOff, n);
        long d = dst.address() + dstOff;
        src.forEachWindow(srcOff, n, (w, done) -> EmuNative.copyFromBuffer(d + done, w, 0, w.remaining()));
    }

    @Override
    public void copyToHost(HostMemory dst, long dstOff, Memory src, long srcOff, long n) {
        noHostTransferWhileCapturing();
        src.checkRange(srcOff, n);
        long a = src.address() + srcOff;
        dst.forEachWindow(dstOff, n, (w, done) -> EmuNative.copyToBuffer(w, 0, a + done, w.remaining()));
    }

    @Override
    public void copy(Memory dst, long dstOff, Memory src, long srcOff, long n) {
        dst.checkRange(dstOff, n);
        src.checkRange(srcOff, n);
        long d = dst.address() + dstOff;
        long s = src.address() + srcOff;
        deviceWork(() -> EmuNative.copy(d, s, n));
    }

    @Override
    public void fill(Memory dst, long off, long count, int elemBytes, long pattern) {
        dst.checkRange(off, count * elemBytes);
        long d = dst.address() + off;
        deviceWork(() -> EmuNative.fill(d, count, elemBytes, pattern));
    }

    @Override
    public void synchronize() {
        // launches are synchronous
    }
}
