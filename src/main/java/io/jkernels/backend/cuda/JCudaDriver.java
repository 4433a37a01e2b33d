package io.jkernels.backend.cuda;

import static io.jkernels.backend.cuda.JCudaErrors.check;
import static io.jkernels.backend.cuda.JCudaErrors.error;
import static io.jkernels.backend.cuda.JCudaHandles.dptr;
import static jcuda.driver.JCudaDriver.cuCtxGetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphGetNodes;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyPeerAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD16Async;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuThreadExchangeStreamCaptureMode;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.backend.cuda.JCudaHandles.Ctx;
import io.jkernels.backend.cuda.JCudaHandles.DevPtr;
import io.jkernels.backend.cuda.JCudaHandles.Event;
import io.jkernels.backend.cuda.JCudaHandles.Fn;
import io.jkernels.backend.cuda.JCudaHandles.Graph;
import io.jkernels.backend.cuda.JCudaHandles.GraphExec;
import io.jkernels.backend.cuda.JCudaHandles.Mod;
import io.jkernels.backend.cuda.JCudaHandles.Stream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * The {@code jcuda} binding of {@link CudaDriver}: JCuda 12.6's driver API (Java 17+).
 *
 * <p>JCuda exceptions are switched off; every call's CUresult is checked here and a failure turned
 * into a {@link io.jkernels.backend.CudaException CudaException} named by {@code cuGetErrorName}
 * ({@link JCudaErrors}).
 *
 * <p>Handles: each kind of JCuda handle object is kept in a {@link JCudaHandles} table, to map the
 * {@code long} handles back to it; device pointers are made by {@link JCudaHandles#dptr}.
 *
 * <p>Kernel arguments: a launch's {@code void**}, and the JCuda objects of the function and stream
 * it launches with, come from a per-thread {@link JCudaParamCache}, so a launch from the same
 * {@link KernelArgs} allocates nothing on the Java side.
 */
public final class JCudaDriver implements CudaDriver {

    private static final int CU_STREAM_DEFAULT = 0;
    private static final int CU_STREAM_NON_BLOCKING = 1;
    private static final int CU_EVENT_DEFAULT = 0;
    private static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

    private final JCudaHandles<CUcontext> contexts = new JCudaHandles<>("CUcontext", JCudaHandles.NO_CONTEXT);
    private final JCudaHandles<CUmodule> modules = new JCudaHandles<>("CUmodule", null);
    private final JCudaHandles<CUfunction> functions = new JCudaHandles<>("CUfunction", null);
    private final JCudaHandles<CUstream> streams = new JCudaHandles<>("CUstream", JCudaHandles.DEFAULT_STREAM);
    private final JCudaHandles<CUevent> events = new JCudaHandles<>("CUevent", null);
    private final JCudaHandles<CUgraph> graphs = new JCudaHandles<>("CUgraph", null);
    private final JCudaHandles<CUgraphExec> graphExecs = new JCudaHandles<>("CUgraphExec", null);

    private JCudaDriver() {
    }

    /**
     * Loads JCuda's native driver library (which links against libcuda.so.1) and switches JCuda's
     * own exceptions off. Does not call cuInit. Throws whatever the loading throws (typically an
     * {@link UnsatisfiedLinkError} when libcuda.so.1 or the JCuda natives are missing).
     */
    public static JCudaDriver load() {
        jcuda.driver.JCudaDriver.setExceptionsEnabled(false);
        return new JCudaDriver();
    }

    @Override
    public String name() {
        return "jcuda";
    }

    // ---------------------------------------------------------------- init, devices, contexts

    private static CUdevice device(int ordinal, String call) {
        CUdevice dev = new CUdevice();
        int r = cuDeviceGet(dev, ordinal);
        if (r != 0) {
            throw error(r, call + " (cuDeviceGet " + ordinal + ")");
        }
        return dev;
    }

    @Override
    public void init() {
        check(cuInit(0), "cuInit");
    }

    @Override
    public int driverVersion() {
        int[] v = new int[1];
        check(cuDriverGetVersion(v), "cuDriverGetVersion");
        return v[0];
    }

    @Override
    public int deviceCount() {
        int[] n = new int[1];
        check(cuDeviceGetCount(n), "cuDeviceGetCount");
        return n[0];
    }

    @Override
    public String deviceName(int ordinal) {
        byte[] name = new byte[256];
        check(cuDeviceGetName(name, name.length, device(ordinal, "cuDeviceGetName")), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        return new String(name, 0, len, StandardCharsets.UTF_8);
    }

    @Override
    public int deviceAttribute(int ordinal, int attribute) {
        int[] v = new int[1];
        check(cuDeviceGetAttribute(v, attribute, device(ordinal, "cuDeviceGetAttribute")), "cuDeviceGetAttribute");
        return v[0];
    }

    @Override
    public long deviceTotalMem(int ordinal) {
        long[] v = new long[1];
        check(cuDeviceTotalMem(v, device(ordinal, "cuDeviceTotalMem")), "cuDeviceTotalMem");
        return v[0];
    }

    @Override
    public long primaryContextRetain(int ordinal) {
        Ctx ctx = new Ctx();
        check(cuDevicePrimaryCtxRetain(ctx, device(ordinal, "cuDevicePrimaryCtxRetain")), "cuDevicePrimaryCtxRetain");
        long h = ctx.handle();
        contexts.putIfAbsent(h, ctx);
        return h;
    }

    @Override
    public void contextSetCurrent(long context) {
        check(cuCtxSetCurrent(contexts.lookup(context, "cuCtxSetCurrent")), "cuCtxSetCurrent");
    }

    @Override
    public long contextGetCurrent() {
        Ctx ctx = new Ctx();
        check(cuCtxGetCurrent(ctx), "cuCtxGetCurrent");
        long h = ctx.handle();
        if (h != 0) {
            contexts.putIfAbsent(h, ctx);
        }
        return h;
    }

    @Override
    public int threadExchangeStreamCaptureMode(int mode) {
        int[] m = {mode};
        check(cuThreadExchangeStreamCaptureMode(m), "cuThreadExchangeStreamCaptureMode");
        return m[0];
    }

    @Override
    public void contextSynchronize() {
        check(cuCtxSynchronize(), "cuCtxSynchronize");
    }

    // ---------------------------------------------------------------- modules

    @Override
    public long moduleLoadData(byte[] image) {
        // A PTX image must be NUL-terminated; a trailing NUL is harmless for cubin and fatbin.
        byte[] data = image.length > 0 && image[image.length - 1] == 0 ? image : Arrays.copyOf(image, image.length + 1);
        Mod m = new Mod();
        check(cuModuleLoadData(m, data), "cuModuleLoadData");
        long h = m.handle();
        modules.put(h, m);
        return h;
    }

    @Override
    public long moduleGetFunction(long module, String name) {
        CUmodule m = modules.lookupNonNull(module, "cuModuleGetFunction");
        Fn f = new Fn();
        int r = cuModuleGetFunction(f, m, name);
        if (r != 0) {
            throw error(r, "cuModuleGetFunction(" + name + ")");
        }
        long h = f.handle();
        functions.putIfAbsent(h, f);
        return h;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public long memAlloc(long bytes) {
        DevPtr p = new DevPtr();
        check(cuMemAlloc(p, bytes), "cuMemAlloc");
        return p.address();
    }

    @Override
    public void memFree(long devicePtr) {
        check(cuMemFree(dptr(devicePtr)), "cuMemFree");
    }

    /** A pointer to {@code buf} at its position (Pointer.to ignores the position). */
    private static Pointer hostPointer(ByteBuffer buf, long bytes, boolean write, String call) {
        CudaDriver.checkHostBuffer(buf, bytes, write, call);
        return Pointer.to(buf).withByteOffset(buf.position());
    }

    @Override
    public void memcpyHtoD(long dst, ByteBuffer src, long bytes) {
        if (bytes == 0) {
            return;
        }
        check(cuMemcpyHtoD(dptr(dst), hostPointer(src, bytes, false, "cuMemcpyHtoD"), bytes), "cuMemcpyHtoD");
    }

    @Override
    public void memcpyDtoH(ByteBuffer dst, long src, long bytes) {
        if (bytes == 0) {
            return;
        }
        check(cuMemcpyDtoH(hostPointer(dst, bytes, true, "cuMemcpyDtoH"), dptr(src), bytes), "cuMemcpyDtoH");
    }

    @Override
    public void memcpyDtoDAsync(long dst, long src, long bytes, long stream) {
        check(cuMemcpyDtoDAsync(dptr(dst), dptr(src), bytes, streams.lookup(stream, "cuMemcpyDtoDAsync")),
                "cuMemcpyDtoDAsync");
    }

    @Override
    public void memcpyPeerAsync(long dst, long dstContext, long src, long srcContext, long bytes, long stream) {
        check(cuMemcpyPeerAsync(dptr(dst), contexts.lookupNonNull(dstContext, "cuMemcpyPeerAsync"),
                dptr(src), contexts.lookupNonNull(srcContext, "cuMemcpyPeerAsync"), bytes,
                streams.lookup(stream, "cuMemcpyPeerAsync")), "cuMemcpyPeerAsync");
    }

    @Override
    public void memsetD8Async(long dst, byte value, long count, long stream) {
        check(cuMemsetD8Async(dptr(dst), value, count, streams.lookup(stream, "cuMemsetD8Async")), "cuMemsetD8Async");
    }

    @Override
    public void memsetD16Async(long dst, short value, long count, long stream) {
        check(cuMemsetD16Async(dptr(dst), value, count, streams.lookup(stream, "cuMemsetD16Async")),
                "cuMemsetD16Async");
    }

    @Override
    public void memsetD32Async(long dst, int value, long count, long stream) {
        check(cuMemsetD32Async(dptr(dst), value, count, streams.lookup(stream, "cuMemsetD32Async")),
                "cuMemsetD32Async");
    }

    // ---------------------------------------------------------------- launch

    @Override
    public void launchKernel(long function, LaunchConfig config, long stream, KernelArgs args) {
        JCudaParamCache cache = JCudaParamCache.get();
        CUfunction f = cache.function(function, functions);
        CUstream s = cache.stream(stream, streams);
        ByteBuffer b = args.buffer();
        if (!b.isDirect()) {
            throw new IllegalArgumentException("cuLaunchKernel: kernel arguments must be in a direct buffer");
        }
        Pointer params = cache.params(args);
        check(cuLaunchKernel(f, config.gridX(), config.gridY(), config.gridZ(), config.blockX(), config.blockY(),
                config.blockZ(), config.sharedBytes(), s, params, null), "cuLaunchKernel");
    }

    // ---------------------------------------------------------------- streams and events

    @Override
    public long streamCreate(boolean nonBlocking) {
        Stream s = new Stream();
        check(cuStreamCreate(s, nonBlocking ? CU_STREAM_NON_BLOCKING : CU_STREAM_DEFAULT), "cuStreamCreate");
        long h = s.handle();
        streams.put(h, s);
        return h;
    }

    @Override
    public void streamDestroy(long stream) {
        CUstream s = streams.lookupNonNull(stream, "cuStreamDestroy");
        check(cuStreamDestroy(s), "cuStreamDestroy");
        streams.remove(stream, s);
    }

    @Override
    public void streamSynchronize(long stream) {
        check(cuStreamSynchronize(streams.lookup(stream, "cuStreamSynchronize")), "cuStreamSynchronize");
    }

    @Override
    public long eventCreate() {
        Event e = new Event();
        check(cuEventCreate(e, CU_EVENT_DEFAULT), "cuEventCreate");
        long h = e.handle();
        events.put(h, e);
        return h;
    }

    @Override
    public void eventDestroy(long event) {
        CUevent e = events.lookupNonNull(event, "cuEventDestroy");
        check(cuEventDestroy(e), "cuEventDestroy");
        events.remove(event, e);
    }

    @Override
    public void eventRecord(long event, long stream) {
        check(cuEventRecord(events.lookupNonNull(event, "cuEventRecord"), streams.lookup(stream, "cuEventRecord")),
                "cuEventRecord");
    }

    @Override
    public void eventSynchronize(long event) {
        check(cuEventSynchronize(events.lookupNonNull(event, "cuEventSynchronize")), "cuEventSynchronize");
    }

    @Override
    public float eventElapsedTime(long start, long end) {
        float[] ms = new float[1];
        check(cuEventElapsedTime(ms, events.lookupNonNull(start, "cuEventElapsedTime"),
                events.lookupNonNull(end, "cuEventElapsedTime")), "cuEventElapsedTime");
        return ms[0];
    }

    // ---------------------------------------------------------------- graphs

    @Override
    public void streamBeginCapture(long stream) {
        check(cuStreamBeginCapture(streams.lookup(stream, "cuStreamBeginCapture"), CU_STREAM_CAPTURE_MODE_THREAD_LOCAL),
                "cuStreamBeginCapture");
    }

    @Override
    public long streamEndCapture(long stream) {
        Graph g = new Graph();
        check(cuStreamEndCapture(streams.lookup(stream, "cuStreamEndCapture"), g), "cuStreamEndCapture");
        long h = g.handle();
        if (h != 0) {
            graphs.put(h, g);
        }
        return h;
    }

    @Override
    public long graphNodeCount(long graph) {
        long[] n = new long[1];
        check(cuGraphGetNodes(graphs.lookupNonNull(graph, "cuGraphGetNodes"), null, n), "cuGraphGetNodes");
        return n[0];
    }

    @Override
    public long graphInstantiate(long graph) {
        CUgraph g = graphs.lookupNonNull(graph, "cuGraphInstantiate");
        GraphExec x = new GraphExec();
        check(cuGraphInstantiate(x, g, 0L), "cuGraphInstantiate");
        long h = x.handle();
        graphExecs.put(h, x);
        return h;
    }

    @Override
    public void graphLaunch(long graphExec, long stream) {
        check(cuGraphLaunch(graphExecs.lookupNonNull(graphExec, "cuGraphLaunch"),
                streams.lookup(stream, "cuGraphLaunch")), "cuGraphLaunch");
    }

    @Override
    public void graphExecDestroy(long graphExec) {
        CUgraphExec x = graphExecs.lookupNonNull(graphExec, "cuGraphExecDestroy");
        check(cuGraphExecDestroy(x), "cuGraphExecDestroy");
        graphExecs.remove(graphExec, x);
    }

    @Override
    public void graphDestroy(long graph) {
        CUgraph g = graphs.lookupNonNull(graph, "cuGraphDestroy");
        check(cuGraphDestroy(g), "cuGraphDestroy");
        graphs.remove(graph, g);
    }

    @Override
    public String toString() {
        return "JCudaDriver[jcuda 12.6]";
    }
}
