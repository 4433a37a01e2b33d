package io.jkernels.backend;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the emu and cuda backends share: live-byte accounting and strided copies through the
 * {@code copy_strided_b<N>} kernels of kernels/tensor.cu, launched the same way on both.
 */
public abstract class AbstractKernelBackend implements KernelBackend {
    /** Most dimensions a strided-copy kernel takes after merging (see kernels/tensor.cu). */
    public static final int MAX_COPY_RANK = 8;

    protected final DeviceId device;
    private final AtomicLong live = new AtomicLong();
    private final ConcurrentHashMap<String, Long> functions = new ConcurrentHashMap<>();
    private final ThreadLocal<Capture> capturing = new ThreadLocal<>();
    private DeviceProperties props;
    private java.util.Set<String> names = java.util.Set.of();
    private java.util.List<String> sortedNames = java.util.List.of();

    protected AbstractKernelBackend(DeviceId device) {
        this.device = java.util.Objects.requireNonNull(device, "device");
    }

    @Override
    public final DeviceId deviceId() {
        return device;
    }

    @Override
    public final long liveBytes() {
        return live.get();
    }

    /**
     * What one graph capture on one thread records: the nodes (the emulator replays these; CUDA only
     * counts them), the memory allocated while capturing, and the memory freed while capturing or
     * afterwards that the graph may still read or write on replay. Memory of a graph is freed when
     * the graph is closed: ops free their temporaries (a contiguous copy, a workspace) before the
     * capture ends, and an op's output allocated inside the capture may be closed before the graph,
     * as with PyTorch's graph memory pool.
     */
    protected static final class Capture {
        public final java.util.List<Runnable> nodes = new java.util.ArrayList<>();
        final java.util.List<Memory> deferred = new java.util.ArrayList<>();
        final java.util.List<Long> allocated = new java.util.ArrayList<>();
        boolean closed;
        /** The stream this capture records on (cuda); 0 on emu. */
        public long stream;
    }

    /** Memory allocated during a capture whose graph is still open, by address. */
    private final ConcurrentHashMap<Long, Capture> graphMemory = new ConcurrentHashMap<>();

    /** Starts a capture on this thread. */
    protected final Capture beginCapture() {
        if (capturing.get() != null) {
            throw new IllegalStateException("already capturing on this thread");
        }
        Capture c = new Capture();
        capturing.set(c);
        return c;
    }

    /** Ends this thread's capture. */
    protected final void endCapture() {
        capturing.remove();
    }

    /** This thread's capture, or null. */
    protected final Capture capture() {
        return capturing.get();
    }

    /** Host transfers cannot be part of a graph (they would run at capture time, not on replay). */
    protected final void noHostTransferWhileCapturing() {
        if (capturing.get() != null) {
            throw new IllegalStateException("host transfers cannot be captured in a graph (copy to or from the host"
                    + " before or after device.capture(...))");
        }
    }

    /** Records memory allocated by this thread's capture, kept until its graph is closed. */
    protected final void allocatedWhileCapturing(Memory memory) {
        Capture c = capturing.get();
        if (c != null && memory.address() != 0) {
            synchronized (c) {
                c.allocated.add(memory.address());
            }
            graphMemory.put(memory.address(), c);
        }
    }

    /**
     * When this thread is capturing, or {@code memory} belongs to an open graph, keeps it for that
     * graph and returns true.
     */
    protected final boolean deferFree(Memory memory) {
        Capture c = capturing.get();
        if (c == null && memory.address() != 0) {
            c = graphMemory.get(memory.address());
        }
        if (c == null) {
            return false;
        }
        synchronized (c) {
            if (c.closed) {
                return false;
            }
            c.deferred.add(memory);
        }
        return true;
    }

    /** Frees what a closed (or failed) graph kept, and stops keeping what it allocated (see {@link Capture}). */
    protected final void releaseDeferred(Capture c) {
        java.util.List<Memory> free;
        synchronized (c) {
            c.closed = true;
            free = java.util.List.copyOf(c.deferred);
            c.deferred.clear();
            for (Long a : c.allocated) {
                graphMemory.remove(a, c);
            }
        }
        for (Memory m : free) {
            free(m);
        }
    }

    /** Sets what {@link #properties()} and {@link #kernelNames()} report; called once by the constructor. */
    protected final void describe(DeviceProperties properties, java.util.Collection<String> kernels) {
        this.props = properties;
        this.sortedNames = kernels.stream().sorted().toList();
        this.names = java.util.Set.copyOf(kernels);
    }

    @Override
    public final DeviceProperties properties() {
        return props;
    }

    @Override
    public final boolean hasKernel(String name) {
        return names.contains(name);
    }

    @Override
    public final java.util.List<String> kernelNames() {
        return sortedNames;
    }

    /** The handle of a kernel, looked up once per name ({@link #resolveFunction}) and cached. */
    protected final long function(String name) {
        return functions.computeIfAbsent(name, this::resolveFunction);
    }

    /** Looks a kernel up; {@link IllegalArgumentException} when there is none of that name. */
    protected abstract long resolveFunction(String name);

    protected final void allocated(long bytes) {
        live.addAndGet(bytes);
    }

    protected final void freed(long bytes) {
        live.addAndGet(-bytes);
    }

    @Override
    public void copyStrided(Memory dst, long dstOffset, long[] dstStrides, Memory src, long srcOffset,
                            long[] srcStrides, long[] sizes, int elemBytes) {
        long[][] merged = mergeDims(sizes, dstStrides, srcStrides);
        long[] sz = merged[0];
        long[] ds = merged[1];
        long[] ss = merged[2];
        int rank = sz.length;
        if (rank > MAX_COPY_RANK) {
            throw new UnsupportedOperationException("strided copy of " + rank + " non-mergeable dimensions (at most "
                    + MAX_COPY_RANK + ")");
        }
        long n = 1;
        for (long s : sz) {
            n *= s;
        }
        if (n == 0) {
            return;
        }
        long[] words = new long[3 * MAX_COPY_RANK + 2];
        for (int i = 0; i < rank; i++) {
            words[i] = sz[i];
            words[MAX_COPY_RANK + i] = ss[i];
            words[2 * MAX_COPY_RANK + i] = ds[i];
        }
        words[3 * MAX_COPY_RANK] = rank;
        words[3 * MAX_COPY_RANK + 1] = n;
        LaunchConfig cfg = LaunchConfig.gridStride(n, 256, 1, properties(), 4);
        KernelArgs args = KernelArgs.get()
                .ptr(dst.address() + dstOffset * elemBytes)
                .ptr(src.address() + srcOffset * elemBytes)
                .struct(words);
        launch("copy_strided_b" + elemBytes, cfg, args);
    }

    /**
     * Drops size-1 dimensions and merges neighbours that are contiguous in both layouts, so most
     * views copy as 1 to 3 dimensions. Returns {sizes, dstStrides, srcStrides}.
     */
    static long[][] mergeDims(long[] sizes, long[] dstStrides, long[] srcStrides) {
        int r = sizes.length;
        long[] sz = new long[r];
        long[] ds = new long[r];
        long[] ss = new long[r];
        int k = 0;
        for (int i = 0; i < r; i++) {
            if (sizes[i] == 1) {
                continue;
            }
            if (k > 0 && ds[k - 1] == dstStrides[i] * sizes[i] && ss[k - 1] == srcStrides[i] * sizes[i]) {
                sz[k - 1] *= sizes[i];
                ds[k - 1] = dstStrides[i];
                ss[k - 1] = srcStrides[i];
            } else {
                sz[k] = sizes[i];
                ds[k] = dstStrides[i];
                ss[k] = srcStrides[i];
                k++;
            }
        }
        return new long[][] {java.util.Arrays.copyOf(sz, k), java.util.Arrays.copyOf(ds, k), java.util.Arrays.copyOf(ss, k)};
    }
}
