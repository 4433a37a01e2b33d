package io.jkernels.backend;

import java.nio.ByteBuffer;

/**
 * The couple of dozen CUDA driver API calls jkernels uses, behind one interface with two bindings:
 * {@code ffm} ({@code java.lang.foreign} downcalls into libcuda.so.1, Java 22+, in src/main/java22)
 * and {@code jcuda} (JCuda 12.6, Java 17+). Handles (contexts, modules, functions, streams, events,
 * graphs) and device pointers are plain {@code long}s; 0 is the null handle and, for streams, the
 * default stream. Every call checks its result and throws {@link CudaException} naming the call
 * and the CUresult.
 */
public interface CudaDriver {

    /** "ffm" or "jcuda". */
    String name();

    /** cuInit(0). */
    void init();

    int driverVersion();

    int deviceCount();

    String deviceName(int ordinal);

    /** cuDeviceGetAttribute for the device with that ordinal. */
    int deviceAttribute(int ordinal, int attribute);

    long deviceTotalMem(int ordinal);

    /** cuDevicePrimaryCtxRetain: the primary context of that device. */
    long primaryContextRetain(int ordinal);

    /** cuCtxSetCurrent on the calling thread. */
    void contextSetCurrent(long context);

    /** cuCtxGetCurrent: the context current on the calling thread (0: none). */
    long contextGetCurrent();

    /**
     * cuThreadExchangeStreamCaptureMode: sets the calling thread's capture interaction mode
     * ({@link CaptureMode}) and returns the one it had.
     */
    int threadExchangeStreamCaptureMode(int mode);

    void contextSynchronize();

    /** cuModuleLoadData on a fatbin/cubin/PTX image. */
    long moduleLoadData(byte[] image);

    /** cuModuleGetFunction; throws CudaException (CUDA_ERROR_NOT_FOUND) when absent. */
    long moduleGetFunction(long module, String name);

    long memAlloc(long bytes);

    void memFree(long devicePtr);

    /** Synchronous copy of {@code bytes} from {@code src} (direct buffer, from its position) to the device. */
    void memcpyHtoD(long dst, ByteBuffer src, long bytes);

    /** Synchronous copy of {@code bytes} from the device into {@code dst} (direct buffer, at its position). */
    void memcpyDtoH(ByteBuffer dst, long src, long bytes);

    void memcpyDtoDAsync(long dst, long src, long bytes, long stream);

    /** cuMemcpyPeerAsync: a copy between the memory of two contexts (devices). */
    void memcpyPeerAsync(long dst, long dstContext, long src, long srcContext, long bytes, long stream);

    void memsetD8Async(long dst, byte value, long count, long stream);

    void memsetD16Async(long dst, short value, long count, long stream);

    void memsetD32Async(long dst, int value, long count, long stream);

    /** cuLaunchKernel with the argument list's {@code void**} built from {@code args}. */
    void launchKernel(long function, LaunchConfig config, long stream, KernelArgs args);

    /** cuStreamCreate with CU_STREAM_NON_BLOCKING when {@code nonBlocking}. */
    long streamCreate(boolean nonBlocking);

    void streamDestroy(long stream);

    void streamSynchronize(long stream);

    /** cuEventCreate with CU_EVENT_DEFAULT (timing enabled). */
    long eventCreate();

    void eventDestroy(long event);

    void eventRecord(long event, long stream);

    void eventSynchronize(long event);

    /** cuEventElapsedTime in milliseconds. */
    float eventElapsedTime(long start, long end);

    /** cuStreamBeginCapture in CU_STREAM_CAPTURE_MODE_THREAD_LOCAL. */
    void streamBeginCapture(long stream);

    /** cuGraphGetNodes with no node array: how many nodes the graph has. */
    long graphNodeCount(long graph);

    /** cuStreamEndCapture: the captured graph. */
    long streamEndCapture(long stream);

    /** cuGraphInstantiate (flags 0). */
    long graphInstantiate(long graph);

    void graphLaunch(long graphExec, long stream);

    void graphExecDestroy(long graphExec);

    void graphDestroy(long graph);

    /**
     * For the bindings' synchronous copies: {@code buf} must be a direct buffer (writable when the
     * copy writes it) with at least {@code bytes} remaining from its position.
     */
    static void checkHostBuffer(ByteBuffer buf, long bytes, boolean write, String call) {
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
    }

    /** CUstreamCaptureMode: how a thread's calls interact with stream captures. */
    final class CaptureMode {
        public static final int GLOBAL = 0;
        public static final int THREAD_LOCAL = 1;
        public static final int RELAXED = 2;

        private CaptureMode() {
        }
    }

    /** Attribute numbers of CUdevice_attribute used by jkernels. */
    final class Attr {
        public static final int MAX_THREADS_PER_BLOCK = 1;
        public static final int MAX_SHARED_MEMORY_PER_BLOCK = 8;
        public static final int WARP_SIZE = 10;
        public static final int MULTIPROCESSOR_COUNT = 16;
        public static final int COMPUTE_CAPABILITY_MAJOR = 75;
        public static final int COMPUTE_CAPABILITY_MINOR = 76;
        public static final int MAX_THREADS_PER_MULTIPROCESSOR = 39;

        private Attr() {
        }
    }
}
