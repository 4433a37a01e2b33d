package io.jkernels.backend.cuda;

import io.jkernels.backend.AbstractKernelBackend;
import io.jkernels.backend.BundledKernels;
import io.jkernels.backend.CudaDeviceLostException;
import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.CudaException;
import io.jkernels.backend.DeviceId;
import io.jkernels.backend.DeviceMemory;
import io.jkernels.backend.DeviceProperties;
import io.jkernels.backend.HostMemory;
import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelGraph;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.Memory;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The CUDA backend: one device's primary context (made current on every calling thread), the
 * kernels module loaded once from the kernels.fatbin bundled in the jar, functions cached by
 * name, and one stream per device that every launch and device-side copy goes to. A graph
 * capture records on a non-blocking stream of its own, so work that other threads queue on the
 * device meanwhile runs (and is not recorded); the graph replays on the device stream. A sticky
 * CUDA error (illegal address, launch failure...) loses the device for the process: every later
 * call throws {@link CudaDeviceLostException} with the first error.
 */
public final class CudaBackend extends AbstractKernelBackend {
    /** Resource path of the fatbin built by native/Makefile. */
    public static final String FATBIN = "/io/jkernels/native/kernels.fatbin";

    private final CudaDriver driver;
    private final long context;
    private final long module;
    private final long stream;
    /** The first sticky error: the device is lost for this process. */
    private volatile CudaDeviceLostException broken;
    /** Non-blocking streams for graph captures, reused. */
    private final ConcurrentLinkedQueue<Long> captureStreams = new ConcurrentLinkedQueue<>();
    /** Marks one node of a CUDA graph being captured (CUDA records the work itself; we count it). */
    private static final Runnable CAPTURED_NODE = () -> { };

    private CudaBackend(DeviceId device, CudaDriver driver) {
        super(device);
        this.driver = driver;
        int ord = device.ordinal();
        int count = driver.deviceCount();
        if (ord >= count) {
            throw new IllegalArgumentException("no CUDA device " + ord + ": " + count + " device(s) present");
        }
        context = driver.primaryContextRetain(ord);
        makeCurrent();
        byte[] image = CudaRuntime.fatbin();
        module = driver.moduleLoadData(image);
        stream = driver.streamCreate(false);
        int major = driver.deviceAttribute(ord, CudaDriver.Attr.COMPUTE_CAPABILITY_MAJOR);
        int minor = driver.deviceAttribute(ord, CudaDriver.Attr.COMPUTE_CAPABILITY_MINOR);
        describe(new DeviceProperties(driver.deviceName(ord),
                driver.deviceAttribute(ord, CudaDriver.Attr.MULTIPROCESSOR_COUNT),
                driver.deviceAttribute(ord, CudaDriver.Attr.MAX_THREADS_PER_BLOCK),
                driver.deviceAttribute(ord, CudaDriver.Attr.MAX_THREADS_PER_MULTIPROCESSOR),
                driver.deviceAttribute(ord, CudaDriver.Attr.MAX_SHARED_MEMORY_PER_BLOCK),
                driver.deviceAttribute(ord, CudaDriver.Attr.WARP_SIZE),
                major, minor, driver.deviceTotalMem(ord), driver.driverVersion()), BundledKernels.names());
    }

    /** The driver binding shared by all CUDA devices of this process (opened on first use). */
    public static CudaDriver driver() {
        return CudaRuntime.driver();
    }

    /** Starts the backend of a CUDA device; {@link UnsupportedOperationException} with the reason when it cannot. */
    public static CudaBackend open(DeviceId device) {
        String why = unavailableReason();
        if (why != null) {
            throw new UnsupportedOperationException("CUDA unavailable: " + why);
        }
        return new CudaBackend(device, driver());
    }

    /**
     * Why CUDA cannot be used (no driver, natives missing, no device, no fatbin), or null. Probed
     * once per process; every Throwable from loading is caught.
     */
    public static String unavailableReason() {
        return CudaRuntime.unavailableReason();
    }

    /** The binding in use ("ffm" or "jcuda"). */
    public String binding() {
        return driver.name();
    }

    /** The stream every launch of this device goes to. */
    public long stream() {
        return stream;
    }

    /** The driver of this backend (for timing with events and for graph capture). */
    public CudaDriver cudaDriver() {
        makeCurrent();
        return driver;
    }

    /**
     * Makes this device's context current on the calling thread. Asks the driver which one is
     * (cuCtxGetCurrent, a thread-local read) rather than trusting a cache of ours: other code on
     * the thread - another library, a JCuda user - may have set its own.
     */
    private void makeCurrent() {
        CudaDeviceLostException lost = broken;
        if (lost != null) {
            throw new CudaDeviceLostException(device.toString(), (CudaException) lost.getCause());
        }
        try {
            if (driver.contextGetCurrent() != context) {
                driver.contextSetCurrent(context);
            }
        } catch (CudaException e) {
            throw failed(e);
        }
    }

    /** The error to throw for a failed driver call; a sticky one loses the device for good. */
    private CudaException failed(CudaException e) {
        CudaException f = CudaDeviceLostException.ifSticky(device.toString(), e);
        if (f instanceof CudaDeviceLostException lost) {
            synchronized (this) {
                if (broken == null) {
                    broken = lost;
                }
            }
        }
        return f;
    }

    /** Whether a sticky error has lost this device for the process. */
    public boolean lost() {
        return broken != null;
    }

    /** The driver's handle of a bundled kernel (for launches through {@link #cudaDriver()} on a stream of one's own). */
    public long kernelFunction(String name) {
        makeCurrent();
        return function(name);
    }

    /** The primary context of this device (for driver calls that name it, e.g. cuMemcpyPeerAsync). */
    public long context() {
        return context;
    }

    /** How many nodes the driver reports for a graph captured on this device (a check of {@link KernelGraph#size()}). */
    public long driverNodeCount(KernelGraph graph) {
        if (!(graph instanceof CudaGraph g) || g.owner() != this) {
            throw new IllegalArgumentException("not a graph captured on " + device + ": " + graph);
        }
        return g.driverNodeCount();
    }

    /** The stream this thread's work goes to: its capture's while it captures, else the device's. */
    private long streamForThisThread() {
        Capture c = capture();
        return c != null ? c.stream : stream;
    }

    /**
     * Runs a driver call that stream capture forbids on a capturing thread (cuMemAlloc, a
     * synchronisation) with the thread switched to relaxed capture mode, then switches back.
     */
    private <T> T relaxedWhileCapturing(java.util.function.Supplier<T> call) {
        if (capture() == null) {
            return call.get();
        }
        int previous = driver.threadExchangeStreamCaptureMode(CudaDriver.CaptureMode.RELAXED);
        try {
            return call.get();
        } finally {
            driver.threadExchangeStreamCaptureMode(previous);
        }
    }

    @Override
    protected long resolveFunction(String name) {
        try {
            return driver.moduleGetFunction(module, name);
        } catch (CudaException e) {
            if (e.code() == 500) {
                throw new IllegalArgumentException("no kernel named '" + name + "' in kernels.fatbin");
            }
            throw failed(e);
        }
    }

    @Override
    public void launch(String kernel, LaunchConfig config, KernelArgs args) {
        makeCurrent();
        long f = function(kernel);
        try {
            driver.launchKernel(f, config, streamForThisThread(), args);
            countNode();
        } catch (CudaException e) {
            throw failed(e);
        }
    }

    /** Counts a node of the graph being captured on this thread, if any. */
    private void countNode() {
        Capture c = capture();
        if (c != null) {
            c.nodes.add(CAPTURED_NODE);
        }
    }

    @Override
    public Memory allocate(long bytes) {
        makeCurrent();
        try {
            long p = bytes == 0 ? 0 : relaxedWhileCapturing(() -> driver.memAlloc(bytes));
            allocated(bytes);
            DeviceMemory m = new DeviceMemory(p, bytes);
            allocatedWhileCapturing(m);
            return m;
        } catch (CudaException e) {
            throw failed(e);
        }
    }

    @Override
    public void free(Memory memory) {
        if (deferFree(memory)) {
            return;
        }
        freed(memory.bytes());
        if (memory.address() == 0 || broken != null) {
            return;
        }
        try {
            makeCurrent();
            driver.memFree(memory.address());
        } catch (CudaException e) {
            throw failed(e);
        }
    }

    @Override
    public void copyFromHost(Memory dst, long dstOff, HostMemory src, long srcOff, long n) {
        noHostTransferWhileCapturing();
        dst.checkRange(dstOff, n);
        src.checkRange(srcOff, n);
        makeCurrent();
        try {
            driver.streamSynchronize(stream);
            long d = dst.address() + dstOff;
            src.forEachWindow(srcOff, n, (w, done) -> driver.memcpyHtoD(d + done, w, w.remaining()));
        } catch (CudaException e) {
            throw failed(e);
        }
    }

    @Override
    public void copyToHost(HostMemory dst, long dstOff, Memory src, long srcOff, long n) {
        noHostTransferWhileCapturing();
        dst.checkRange(dstOff, n);
        src.checkRange(srcOff, n);
        makeCurrent();
        try {
            driver.streamSynchronize(stream);
            long a = src.address() + srcOff;
            dst.forEachWindow(dstOff, n, (w, done) -> driver.memcpyDtoH(w, a + done, w.remaining()));
        } catch (CudaException e) {
            throw failed(e);
        }
    }

    @Override
    public void copy(Memory dst, long dstOff, Memory src, long srcOff, long n) {
        dst.checkRange(dstOff, n);
        src.checkRange(srcOff, n);
        if (n == 0) {
            return;
        }
        makeCurrent();
        try {
            driver.memcpyDtoDAsync(dst.address() + dstOff, src.address() + srcOff, n, streamForThisThread());
            countNode();
        } catch (CudaException e) {
            throw failed(e);
        }
    }

    @Override
    public void fill(Memory dst, long off, long count, int elemBytes, long pattern) {
        dst.checkRange(off, count * elemBytes);
        if (count == 0) {
            return;
        }
        makeCurrent();
        long a = dst.address() + off;
        long s = streamForThisThread();
        try {
            switch (elemBytes) {
                case 1 -> driver.memsetD8Async(a, (byte) pattern, count, s);
                case 2 -> driver.memsetD16Async(a, (short) pattern, count, s);
                case 4 -> driver.memsetD32Async(a, (int) pattern, count, s);
                case 8 -> {
                    if ((int) pattern == (int) (pattern >>> 32)) {
                        driver.memsetD32Async(a, (int) pattern, 2 * count, s);
                    } else {
                        fill8(a, count, pattern);
                    }
                }
                default -> throw new IllegalArgumentException("element size " + elemBytes);
            }
            if (elemBytes != 8 || (int) pattern == (int) (pattern >>> 32)) {
                countNode();
            }
        } catch (CudaException e) {
            throw failed(e);
        }
    }

    /** An 8-byte pattern whose halves differ: the fill_b8 kernel of kernels/tensor.cu. */
    private void fill8(long address, long count, long pattern) {
        LaunchConfig cfg = LaunchConfig.gridStride(count, 256, 1, properties(), 4);
        launch("fill_b8", cfg, KernelArgs.get().ptr(address).i64(pattern).i64(count));
    }

    @Override
    public KernelGraph capture(Runnable body) {
        makeCurrent();
        Capture c = beginCapture();
        long cs;
        try {
            Long pooled = captureStreams.poll();
            cs = pooled != null ? pooled : driver.streamCreate(true);
            c.stream = cs;
            driver.streamBeginCapture(cs);
        } catch (CudaException e) {
            endCapture();
            if (c.stream != 0) {
                captureStreams.add(c.stream);
            }
            throw failed(e);
        }
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            endCapture();
            try {
                long g = driver.streamEndCapture(cs);
                if (g != 0) {
                    driver.graphDestroy(g);
                }
            } catch (RuntimeException second) {
                e.addSuppressed(second);
            }
            captureStreams.add(cs);
            releaseDeferred(c);
            throw e;
        }
        endCapture();
        long graph;
        try {
            graph = driver.streamEndCapture(cs);
        } catch (CudaException e) {
            releaseDeferred(c);
            throw failed(e);
        } finally {
            captureStreams.add(cs);
        }
        try {
            long exec = driver.graphInstantiate(graph);
            return new CudaGraph(exec, graph, c);
        } catch (CudaException e) {
            driver.graphDestroy(graph);
            releaseDeferred(c);
            throw failed(e);
        }
    }

    /** An instantiated CUDA graph replayed on this device's stream. */
    private final class CudaGraph implements KernelGraph {
        private final long exec;
        private final long graph;
        private final Capture capture;
        private boolean closed;

        CudaGraph(long exec, long graph, Capture capture) {
            this.exec = exec;
            this.graph = graph;
            this.capture = capture;
        }

        @Override
        public void replay() {
            if (closed) {
                throw new IllegalStateException("graph is closed");
            }
            makeCurrent();
            try {
                driver.graphLaunch(exec, stream);
            } catch (CudaException e) {
                throw failed(e);
            }
        }

        @Override
        public int size() {
            return capture.nodes.size();
        }

        CudaBackend owner() {
            return CudaBackend.this;
        }

        long driverNodeCount() {
            makeCurrent();
            return driver.graphNodeCount(graph);
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                if (broken == null) {
                    makeCurrent();
                    driver.graphExecDestroy(exec);
                    driver.graphDestroy(graph);
                }
                releaseDeferred(capture);
            }
        }
    }

    @Override
    public void synchronize() {
        makeCurrent();
        try {
            relaxedWhileCapturing(() -> {
                driver.streamSynchronize(stream);
                return null;
            });
        } catch (CudaException e) {
            throw failed(e);
        }
    }
}
