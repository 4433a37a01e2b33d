package io.jkernels.backend.cuda;

import static io.jkernels.backend.cuda.FfmErrors.check;
import static io.jkernels.backend.cuda.FfmErrors.error;
import static io.jkernels.backend.cuda.FfmErrors.rethrow;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The {@code ffm} binding of {@link CudaDriver}: {@code java.lang.foreign} downcalls straight into
 * the CUDA driver library (Java 22+; compiled into META-INF/versions/22 of the multi-release jar).
 *
 * <p>The driver library is opened and its functions bound by {@link FfmLibrary}, as the downcall
 * handles of {@link FfmDowncalls}.
 *
 * <p>Output parameters, the device-name buffer and the kernel's {@code void**} live in per-thread
 * native memory, {@link FfmScratch}. A failed call throws as {@link FfmErrors} says.
 */
public final class FfmCudaDriver implements CudaDriver {

    /** System property naming the driver library to load instead of libcuda.so.1. */
    public static final String LIBRARY_PROPERTY = "jkernels.cuda.library";

    private static final int CU_STREAM_DEFAULT = 0;
    private static final int CU_STREAM_NON_BLOCKING = 1;
    private static final int CU_EVENT_DEFAULT = 0;
    private static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

    /** The driver functions this binding calls as critical downcalls (empty before {@link #load()}). */
    public static Set<String> criticalCalls() {
        return FfmLibrary.criticalCalls();
    }

    private FfmCudaDriver() {
    }

    /**
     * Opens the driver library and binds every function this class calls. Does not call cuInit.
     *
     * @throws UnsatisfiedLinkError when the library cannot be opened or lacks a function (the
     *     message says which)
     */
    public static FfmCudaDriver load() {
        FfmLibrary.open();
        return new FfmCudaDriver();
    }

    @Override
    public String name() {
        return "ffm";
    }

    // ---------------------------------------------------------------- init, devices, contexts

    private static int device(int ordinal, String call) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuDeviceGet.invokeExact(out, ordinal);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r != 0) {
            throw error(r, call + " (cuDeviceGet " + ordinal + ")");
        }
        return out.get(JAVA_INT, 0);
    }

    @Override
    public void init() {
        int r;
        try {
            r = (int) FfmDowncalls.cuInit.invokeExact(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuInit");
    }

    @Override
    public int driverVersion() {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuDriverGetVersion.invokeExact(out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDriverGetVersion");
        return out.get(JAVA_INT, 0);
    }

    @Override
    public int deviceCount() {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuDeviceGetCount.invokeExact(out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDeviceGetCount");
        return out.get(JAVA_INT, 0);
    }

    @Override
    public String deviceName(int ordinal) {
        int dev = device(ordinal, "cuDeviceGetName");
        MemorySegment name = FfmScratch.get().name;
        name.fill((byte) 0);
        int r;
        try {
            r = (int) FfmDowncalls.cuDeviceGetName.invokeExact(name, FfmScratch.NAME_BYTES - 1, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDeviceGetName");
        return name.getString(0);
    }

    @Override
    public int deviceAttribute(int ordinal, int attribute) {
        int dev = device(ordinal, "cuDeviceGetAttribute");
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuDeviceGetAttribute.invokeExact(out, attribute, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDeviceGetAttribute");
        return out.get(JAVA_INT, 0);
    }

    @Override
    public long deviceTotalMem(int ordinal) {
        int dev = device(ordinal, "cuDeviceTotalMem");
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuDeviceTotalMem.invokeExact(out, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDeviceTotalMem");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public long primaryContextRetain(int ordinal) {
        int dev = device(ordinal, "cuDevicePrimaryCtxRetain");
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuDevicePrimaryCtxRetain.invokeExact(out, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDevicePrimaryCtxRetain");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public void contextSetCurrent(long context) {
        int r;
        try {
            r = (int) FfmDowncalls.cuCtxSetCurrent.invokeExact(context);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuCtxSetCurrent");
    }

    @Override
    public long contextGetCurrent() {
        MemorySegment out = FfmScratch.get().out;
        out.set(JAVA_LONG, 0, 0L);
        int r;
        try {
            r = (int) FfmDowncalls.cuCtxGetCurrent.invokeExact(out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuCtxGetCurrent");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public int threadExchangeStreamCaptureMode(int mode) {
        MemorySegment out = FfmScratch.get().out;
        out.set(JAVA_INT, 0, mode);
        int r;
        try {
            r = (int) FfmDowncalls.cuThreadExchangeStreamCaptureMode.invokeExact(out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuThreadExchangeStreamCaptureMode");
        return out.get(JAVA_INT, 0);
    }

    @Override
    public void contextSynchronize() {
        int r;
        try {
            r = (int) FfmDowncalls.cuCtxSynchronize.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuCtxSynchronize");
    }

    // ---------------------------------------------------------------- modules

    @Override
    public long moduleLoadData(byte[] image) {
        MemorySegment out = FfmScratch.get().out;
        // NUL-terminated (a PTX image must be; harmless for cubin and fatbin), 16-byte aligned. The
        // copy is kept for the life of the process when the load succeeds: modules are never
        // unloaded here, and the driver's lazy loading (CUDA_MODULE_LOADING=LAZY, the default since
        // 12.2) must never find the image gone.
        Arena arena = Arena.ofShared();
        MemorySegment data = arena.allocate(image.length + 1L, 16);
        MemorySegment.copy(image, 0, data, JAVA_BYTE, 0, image.length);
        data.set(JAVA_BYTE, image.length, (byte) 0);
        int r;
        try {
            r = (int) FfmDowncalls.cuModuleLoadData.invokeExact(out, data);
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
        if (r != 0) {
            arena.close();
            throw error(r, "cuModuleLoadData");
        }
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public long moduleGetFunction(long module, String name) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            r = (int) FfmDowncalls.cuModuleGetFunction.invokeExact(out, module, cName);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r != 0) {
            throw error(r, "cuModuleGetFunction(" + name + ")");
        }
        return out.get(JAVA_LONG, 0);
    }

    // ---------------------------------------------------------------- memory

    @Override
    public long memAlloc(long bytes) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuMemAlloc.invokeExact(out, bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemAlloc");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public void memFree(long devicePtr) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemFree.invokeExact(devicePtr);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemFree");
    }

    /** The native segment of {@code buf} from its position to its limit, checked. */
    private static MemorySegment hostSegment(ByteBuffer buf, long bytes, boolean write, String call) {
        if (!buf.isDirect()) {
            throw new IllegalArgumentException(call + ": the host buffer must be a direct ByteBuffer");
        }
        if (write && buf.isReadOnly()) {
            throw new IllegalArgumentException(call + ": the host buffer is read-only");
        }
        if (bytes < 0 || bytes > buf.remaining()) {
            throw new IndexOutOfBoundsException(
                    call + ": " + bytes + " bytes requested, the buffer has " + buf.remaining() + " remaining");
        }
        return MemorySegment.ofBuffer(buf); // starts at the position, ends at the limit
    }

    @Override
    public void memcpyHtoD(long dst, ByteBuffer src, long bytes) {
        if (bytes == 0) {
            return;
        }
        MemorySegment s = hostSegment(src, bytes, false, "cuMemcpyHtoD");
        int r;
        try {
            r = (int) FfmDowncalls.cuMemcpyHtoD.invokeExact(dst, s, bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(src);
        }
        check(r, "cuMemcpyHtoD");
    }

    @Override
    public void memcpyDtoH(ByteBuffer dst, long src, long bytes) {
        if (bytes == 0) {
            return;
        }
        MemorySegment d = hostSegment(dst, bytes, true, "cuMemcpyDtoH");
        int r;
        try {
            r = (int) FfmDowncalls.cuMemcpyDtoH.invokeExact(d, src, bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(dst);
        }
        check(r, "cuMemcpyDtoH");
    }

    @Override
    public void memcpyDtoDAsync(long dst, long src, long bytes, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemcpyDtoDAsync");
    }

    @Override
    public void memcpyPeerAsync(long dst, long dstContext, long src, long srcContext, long bytes, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemcpyPeerAsync.invokeExact(dst, dstContext, src, srcContext, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemcpyPeerAsync");
    }

    @Override
    public void memsetD8Async(long dst, byte value, long count, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemsetD8Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD8Async");
    }

    @Override
    public void memsetD16Async(long dst, short value, long count, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemsetD16Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD16Async");
    }

    @Override
    public void memsetD32Async(long dst, int value, long count, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemsetD32Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD32Async");
    }

    // ---------------------------------------------------------------- launch

    @Override
    public void launchKernel(long function, LaunchConfig config, long stream, KernelArgs args) {
        FfmScratch s = FfmScratch.get();
        ByteBuffer b = args.buffer();
        long base = s.argsBase(b);
        MemorySegment params = s.params;
        int n = args.count();
        for (int i = 0; i < n; i++) {
            params.setAtIndex(JAVA_LONG, i, base + args.offset(i));
        }
        int r;
        try {
            r = (int) FfmDowncalls.cuLaunchKernel.invokeExact(function, config.gridX(), config.gridY(), config.gridZ(),
                    config.blockX(), config.blockY(), config.blockZ(), config.sharedBytes(), stream, params,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(b);
        }
        check(r, "cuLaunchKernel");
    }

    // ---------------------------------------------------------------- streams and events

    @Override
    public long streamCreate(boolean nonBlocking) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamCreate.invokeExact(out, nonBlocking ? CU_STREAM_NON_BLOCKING : CU_STREAM_DEFAULT);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamCreate");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public void streamDestroy(long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamDestroy.invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamDestroy");
    }

    @Override
    public void streamSynchronize(long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamSynchronize.invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamSynchronize");
    }

    @Override
    public long eventCreate() {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuEventCreate.invokeExact(out, CU_EVENT_DEFAULT);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventCreate");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public void eventDestroy(long event) {
        int r;
        try {
            r = (int) FfmDowncalls.cuEventDestroy.invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventDestroy");
    }

    @Override
    public void eventRecord(long event, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuEventRecord.invokeExact(event, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventRecord");
    }

    @Override
    public void eventSynchronize(long event) {
        int r;
        try {
            r = (int) FfmDowncalls.cuEventSynchronize.invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventSynchronize");
    }

    @Override
    public float eventElapsedTime(long start, long end) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuEventElapsedTime.invokeExact(out, start, end);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventElapsedTime");
        return out.get(JAVA_FLOAT, 0);
    }

    // ---------------------------------------------------------------- graphs

    @Override
    public void streamBeginCapture(long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamBeginCapture.invokeExact(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamBeginCapture");
    }

    @Override
    public long streamEndCapture(long stream) {
        MemorySegment out = FfmScratch.get().out;
        out.set(JAVA_LONG, 0, 0L);
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamEndCapture.invokeExact(stream, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamEndCapture");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public long graphNodeCount(long graph) {
        MemorySegment out = FfmScratch.get().out;
        out.set(JAVA_LONG, 0, 0L);
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphGetNodes.invokeExact(graph, MemorySegment.NULL, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphGetNodes");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public long graphInstantiate(long graph) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphInstantiate.invokeExact(out, graph, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphInstantiate");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public void graphLaunch(long graphExec, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphLaunch.invokeExact(graphExec, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphLaunch");
    }

    @Override
    public void graphExecDestroy(long graphExec) {
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphExecDestroy.invokeExact(graphExec);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphExecDestroy");
    }

    @Override
    public void graphDestroy(long graph) {
        int r;
        try {
            r = (int) FfmDowncalls.cuGraphDestroy.invokeExact(graph);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphDestroy");
    }

    @Override
    public String toString() {
        return "FfmCudaDriver[" + FfmLibrary.name() + "]";
    }
}
