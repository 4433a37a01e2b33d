package io.jkernels.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jkernels.backend.CudaDriver;
import io.jkernels.backend.CudaException;
import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The {@code ffm} binding of {@link CudaDriver}: {@code java.lang.foreign} downcalls straight into
 * the CUDA driver library (Java 22+; compiled into META-INF/versions/22 of the multi-release jar).
 *
 * <p>The library is {@code libcuda.so.1}, or the file named by the system property
 * {@code jkernels.cuda.library}. The downcall handles are {@code static final} (created once, when
 * {@link #load()} first succeeds) and called with {@code invokeExact}, using the versioned symbol
 * names that cuda.h (CUDA 13) maps the API names to: {@code cuMemAlloc_v2}, {@code cuMemFree_v2},
 * {@code cuMemcpyHtoD_v2}, {@code cuMemcpyDtoH_v2}, {@code cuMemcpyDtoDAsync_v2},
 * {@code cuDeviceTotalMem_v2}, {@code cuStreamDestroy_v2}, {@code cuEventDestroy_v2},
 * {@code cuStreamBeginCapture_v2}, {@code cuGraphInstantiateWithFlags} and
 * {@code cuEventElapsedTime_v2} (falling back to {@code cuEventElapsedTime} on drivers older than
 * 12.8, which lack it). The per-thread default stream variants ({@code _ptsz}/{@code _ptds}) are not
 * used: stream 0 is the legacy default stream, as for the JCuda binding.
 *
 * <p>Handles and device pointers cross as {@code long}: a C pointer-typed handle is passed as a
 * 64-bit integer ({@code JAVA_LONG}), which the C calling conventions of the supported 64-bit
 * platforms pass exactly like a pointer, so no {@link MemorySegment} is made per call.
 *
 * <p>Output parameters, the device-name buffer and the kernel's {@code void**} live in a small
 * native scratch area per thread (automatic arena, freed with the thread's scratch object), so a
 * launch allocates nothing: the {@code void**} entries are the argument buffer's native address
 * (taken once per buffer) plus each argument's offset.
 */
@SuppressWarnings("restricted")
public final class FfmCudaDriver implements CudaDriver {

    /** System property naming the driver library to load instead of libcuda.so.1. */
    public static final String LIBRARY_PROPERTY = "jkernels.cuda.library";

    private static final int CU_STREAM_DEFAULT = 0;
    private static final int CU_STREAM_NON_BLOCKING = 1;
    private static final int CU_EVENT_DEFAULT = 0;
    private static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;
    private static final int NAME_BYTES = 256;

    private static final Object LOAD_LOCK = new Object();
    private static volatile SymbolLookup lookup;
    private static volatile String libraryName;
    private static volatile Throwable loadFailure;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** The driver functions bound as critical downcalls (filled when the handles are bound). */
    private static final java.util.Set<String> CRITICAL_CALLS = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The driver functions this binding calls as critical downcalls (empty before {@link #load()}). */
    public static java.util.Set<String> criticalCalls() {
        return java.util.Set.copyOf(CRITICAL_CALLS);
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
        synchronized (LOAD_LOCK) {
            if (loadFailure != null) {
                throw relinkError(loadFailure);
            }
            if (lookup == null) {
                String name = System.getProperty(LIBRARY_PROPERTY, "libcuda.so.1");
                try {
                    if (ADDRESS.byteSize() != 8) {
                        throw new UnsatisfiedLinkError("the ffm CUDA binding needs a 64-bit platform");
                    }
                    SymbolLookup l;
                    try {
                        l = SymbolLookup.libraryLookup(name, Arena.global());
                    } catch (IllegalArgumentException e) {
                        UnsatisfiedLinkError u = new UnsatisfiedLinkError(
                                "cannot open the CUDA driver library " + name + " (no NVIDIA driver installed?): "
                                        + e.getMessage());
                        u.initCause(e);
                        throw u;
                    }
                    libraryName = name;
                    lookup = l;
                    Lib.touch(); // binds every handle; throws when a symbol is missing
                } catch (Throwable t) {
                    Throwable cause = t instanceof ExceptionInInitializerError && t.getCause() != null ? t.getCause() : t;
                    lookup = null;
                    loadFailure = cause;
                    throw relinkError(cause);
                }
            }
        }
        return new FfmCudaDriver();
    }

    private static Error relinkError(Throwable cause) {
        if (cause instanceof Error e && !(cause instanceof LinkageError)) {
            return e;
        }
        UnsatisfiedLinkError u = new UnsatisfiedLinkError(cause.getMessage());
        u.initCause(cause);
        return u;
    }

    @Override
    public String name() {
        return "ffm";
    }

    // ---------------------------------------------------------------- bindings

    /** The downcall handles, bound when this class is initialised (from {@link #load()} only). */
    private static final class Lib {
        private static final Linker LINKER = Linker.nativeLinker();
        // Linker.Option.critical: a downcall without the thread-state transition, which must be
        // short and never block (a critical call holds up safepoints). Only pure queries that
        // take no driver lock are bound so; everything else, cuCtxSetCurrent included, is not.
        private static final Linker.Option[] CRITICAL = {Linker.Option.critical(false)};
        private static final Linker.Option[] NONE = {};

        // CUresult is a C enum (int); CUdevice is int; handles and CUdeviceptr are 64-bit.
        static final MethodHandle cuInit = bind("cuInit", NONE, JAVA_INT);
        static final MethodHandle cuDriverGetVersion = bind("cuDriverGetVersion", CRITICAL, ADDRESS); // a constant
        static final MethodHandle cuDeviceGet = bind("cuDeviceGet", NONE, ADDRESS, JAVA_INT);
        static final MethodHandle cuDeviceGetCount = bind("cuDeviceGetCount", NONE, ADDRESS);
        static final MethodHandle cuDeviceGetName = bind("cuDeviceGetName", NONE, ADDRESS, JAVA_INT, JAVA_INT);
        static final MethodHandle cuDeviceGetAttribute =
                bind("cuDeviceGetAttribute", CRITICAL, ADDRESS, JAVA_INT, JAVA_INT); // a table lookup
        static final MethodHandle cuDeviceTotalMem = bind("cuDeviceTotalMem_v2", NONE, ADDRESS, JAVA_INT);
        static final MethodHandle cuDevicePrimaryCtxRetain =
                bind("cuDevicePrimaryCtxRetain", NONE, ADDRESS, JAVA_INT);
        static final MethodHandle cuCtxSetCurrent = bind("cuCtxSetCurrent", NONE, JAVA_LONG); // may take the driver lock
        static final MethodHandle cuCtxGetCurrent = bind("cuCtxGetCurrent", NONE, ADDRESS);
        static final MethodHandle cuThreadExchangeStreamCaptureMode =
                bind("cuThreadExchangeStreamCaptureMode", NONE, ADDRESS);
        static final MethodHandle cuCtxSynchronize = bind("cuCtxSynchronize", NONE);
        static final MethodHandle cuModuleLoadData = bind("cuModuleLoadData", NONE, ADDRESS, ADDRESS);
        static final MethodHandle cuModuleGetFunction =
                bind("cuModuleGetFunction", NONE, ADDRESS, JAVA_LONG, ADDRESS);
        static final MethodHandle cuMemAlloc = bind("cuMemAlloc_v2", NONE, ADDRESS, JAVA_LONG);
        static final MethodHandle cuMemFree = bind("cuMemFree_v2", NONE, JAVA_LONG);
        static final MethodHandle cuMemcpyHtoD = bind("cuMemcpyHtoD_v2", NONE, JAVA_LONG, ADDRESS, JAVA_LONG);
        static final MethodHandle cuMemcpyDtoH = bind("cuMemcpyDtoH_v2", NONE, ADDRESS, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemcpyDtoDAsync =
                bind("cuMemcpyDtoDAsync_v2", NONE, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemcpyPeerAsync = bind("cuMemcpyPeerAsync", NONE, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemsetD8Async =
                bind("cuMemsetD8Async", NONE, JAVA_LONG, JAVA_BYTE, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemsetD16Async =
                bind("cuMemsetD16Async", NONE, JAVA_LONG, JAVA_SHORT, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuMemsetD32Async =
                bind("cuMemsetD32Async", NONE, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG);
        // cuLaunchKernel(CUfunction f, unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY,
        //     blockDimZ, unsigned sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)
        static final MethodHandle cuLaunchKernel = bind("cuLaunchKernel", NONE, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        static final MethodHandle cuStreamCreate = bind("cuStreamCreate", NONE, ADDRESS, JAVA_INT);
        static final MethodHandle cuStreamDestroy = bind("cuStreamDestroy_v2", NONE, JAVA_LONG);
        static final MethodHandle cuStreamSynchronize = bind("cuStreamSynchronize", NONE, JAVA_LONG);
        static final MethodHandle cuEventCreate = bind("cuEventCreate", NONE, ADDRESS, JAVA_INT);
        static final MethodHandle cuEventDestroy = bind("cuEventDestroy_v2", NONE, JAVA_LONG);
        static final MethodHandle cuEventRecord = bind("cuEventRecord", NONE, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuEventSynchronize = bind("cuEventSynchronize", NONE, JAVA_LONG);
        static final MethodHandle cuEventElapsedTime =
                bindFirst(new String[] {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, ADDRESS, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuStreamBeginCapture =
                bind("cuStreamBeginCapture_v2", NONE, JAVA_LONG, JAVA_INT);
        static final MethodHandle cuStreamEndCapture = bind("cuStreamEndCapture", NONE, JAVA_LONG, ADDRESS);
        static final MethodHandle cuGraphGetNodes = bind("cuGraphGetNodes", NONE, JAVA_LONG, ADDRESS, ADDRESS);
        static final MethodHandle cuGraphInstantiate =
                bind("cuGraphInstantiateWithFlags", NONE, ADDRESS, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuGraphLaunch = bind("cuGraphLaunch", NONE, JAVA_LONG, JAVA_LONG);
        static final MethodHandle cuGraphExecDestroy = bind("cuGraphExecDestroy", NONE, JAVA_LONG);
        static final MethodHandle cuGraphDestroy = bind("cuGraphDestroy", NONE, JAVA_LONG);
        static final MethodHandle cuGetErrorName = bind("cuGetErrorName", CRITICAL, JAVA_INT, ADDRESS); // a table lookup

        static void touch() {
        }

        private static MethodHandle bind(String symbol, Linker.Option[] options, MemoryLayout... args) {
            if (options.length > 0) {
                CRITICAL_CALLS.add(symbol);
            }
            MemorySegment address = lookup.find(symbol).orElseThrow(() -> new UnsatisfiedLinkError(
                    "the CUDA driver library " + libraryName + " has no " + symbol + " (driver too old?)"));
            return LINKER.downcallHandle(address, FunctionDescriptor.of(JAVA_INT, args), options);
        }

        private static MethodHandle bindFirst(String[] symbols, MemoryLayout... args) {
            for (String s : symbols) {
                Optional<MemorySegment> address = lookup.find(s);
                if (address.isPresent()) {
                    return LINKER.downcallHandle(address.get(), FunctionDescriptor.of(JAVA_INT, args));
                }
            }
            throw new UnsatisfiedLinkError("the CUDA driver library " + libraryName + " has none of "
                    + String.join(", ", symbols) + " (driver too old?)");
        }
    }

    /** Per-thread native scratch memory: output parameters, a name buffer, the kernel's void**. */
    private static final class Scratch {
        final MemorySegment out;
        final MemorySegment name;
        final MemorySegment params;
        ByteBuffer argsBuffer;
        long argsBase;

        Scratch() {
            Arena arena = Arena.ofAuto();
            out = arena.allocate(16, 16);
            name = arena.allocate(NAME_BYTES, 16);
            params = arena.allocate(8L * KernelArgs.MAX_ARGS, 16);
        }

        /** Native address of element 0 of the argument buffer (cached for the last buffer seen). */
        long argsBase(ByteBuffer b) {
            if (b != argsBuffer) {
                if (!b.isDirect()) {
                    throw new IllegalArgumentException("cuLaunchKernel: kernel arguments must be in a direct buffer");
                }
                argsBase = MemorySegment.ofBuffer(b).address() - b.position();
                argsBuffer = b;
            }
            return argsBase;
        }
    }

    // ---------------------------------------------------------------- errors

    private static void check(int result, String call) {
        if (result != 0) {
            throw error(result, call);
        }
    }

    private static CudaException error(int result, String call) {
        return new CudaException(call, result, errorName(result));
    }

    static String errorName(int result) {
        try {
            MemorySegment out = SCRATCH.get().out;
            out.set(JAVA_LONG, 0, 0L);
            int r = (int) Lib.cuGetErrorName.invokeExact(result, out);
            long p = out.get(JAVA_LONG, 0);
            if (r == 0 && p != 0) {
                return MemorySegment.ofAddress(p).reinterpret(Integer.MAX_VALUE).getString(0);
            }
        } catch (Throwable t) {
            // fall through to the generic name
        }
        return "unrecognized CUresult";
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }

    private static int device(int ordinal, String call) {
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuDeviceGet.invokeExact(out, ordinal);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r != 0) {
            throw error(r, call + " (cuDeviceGet " + ordinal + ")");
        }
        return out.get(JAVA_INT, 0);
    }

    // ---------------------------------------------------------------- init, devices, contexts

    @Override
    public void init() {
        int r;
        try {
            r = (int) Lib.cuInit.invokeExact(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuInit");
    }

    @Override
    public int driverVersion() {
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuDriverGetVersion.invokeExact(out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDriverGetVersion");
        return out.get(JAVA_INT, 0);
    }

    @Override
    public int deviceCount() {
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuDeviceGetCount.invokeExact(out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDeviceGetCount");
        return out.get(JAVA_INT, 0);
    }

    @Override
    public String deviceName(int ordinal) {
        int dev = device(ordinal, "cuDeviceGetName");
        MemorySegment name = SCRATCH.get().name;
        name.fill((byte) 0);
        int r;
        try {
            r = (int) Lib.cuDeviceGetName.invokeExact(name, NAME_BYTES - 1, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDeviceGetName");
        return name.getString(0);
    }

    @Override
    public int deviceAttribute(int ordinal, int attribute) {
        int dev = device(ordinal, "cuDeviceGetAttribute");
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuDeviceGetAttribute.invokeExact(out, attribute, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDeviceGetAttribute");
        return out.get(JAVA_INT, 0);
    }

    @Override
    public long deviceTotalMem(int ordinal) {
        int dev = device(ordinal, "cuDeviceTotalMem");
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuDeviceTotalMem.invokeExact(out, dev);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuDeviceTotalMem");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public long primaryContextRetain(int ordinal) {
        int dev = device(ordinal, "cuDevicePrimaryCtxRetain");
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuDevicePrimaryCtxRetain.invokeExact(out, dev);
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
            r = (int) Lib.cuCtxSetCurrent.invokeExact(context);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuCtxSetCurrent");
    }

    @Override
    public long contextGetCurrent() {
        MemorySegment out = SCRATCH.get().out;
        out.set(JAVA_LONG, 0, 0L);
        int r;
        try {
            r = (int) Lib.cuCtxGetCurrent.invokeExact(out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuCtxGetCurrent");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public int threadExchangeStreamCaptureMode(int mode) {
        MemorySegment out = SCRATCH.get().out;
        out.set(JAVA_INT, 0, mode);
        int r;
        try {
            r = (int) Lib.cuThreadExchangeStreamCaptureMode.invokeExact(out);
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
            r = (int) Lib.cuCtxSynchronize.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuCtxSynchronize");
    }

    // ---------------------------------------------------------------- modules

    @Override
    public long moduleLoadData(byte[] image) {
        MemorySegment out = SCRATCH.get().out;
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
            r = (int) Lib.cuModuleLoadData.invokeExact(out, data);
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
        MemorySegment out = SCRATCH.get().out;
        int r;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            r = (int) Lib.cuModuleGetFunction.invokeExact(out, module, cName);
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
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuMemAlloc.invokeExact(out, bytes);
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
            r = (int) Lib.cuMemFree.invokeExact(devicePtr);
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
            r = (int) Lib.cuMemcpyHtoD.invokeExact(dst, s, bytes);
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
            r = (int) Lib.cuMemcpyDtoH.invokeExact(d, src, bytes);
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
            r = (int) Lib.cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemcpyDtoDAsync");
    }

    @Override
    public void memcpyPeerAsync(long dst, long dstContext, long src, long srcContext, long bytes, long stream) {
        int r;
        try {
            r = (int) Lib.cuMemcpyPeerAsync.invokeExact(dst, dstContext, src, srcContext, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemcpyPeerAsync");
    }

    @Override
    public void memsetD8Async(long dst, byte value, long count, long stream) {
        int r;
        try {
            r = (int) Lib.cuMemsetD8Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD8Async");
    }

    @Override
    public void memsetD16Async(long dst, short value, long count, long stream) {
        int r;
        try {
            r = (int) Lib.cuMemsetD16Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD16Async");
    }

    @Override
    public void memsetD32Async(long dst, int value, long count, long stream) {
        int r;
        try {
            r = (int) Lib.cuMemsetD32Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD32Async");
    }

    // ---------------------------------------------------------------- launch

    @Override
    public void launchKernel(long function, LaunchConfig config, long stream, KernelArgs args) {
        Scratch s = SCRATCH.get();
        ByteBuffer b = args.buffer();
        long base = s.argsBase(b);
        MemorySegment params = s.params;
        int n = args.count();
        for (int i = 0; i < n; i++) {
            params.setAtIndex(JAVA_LONG, i, base + args.offset(i));
        }
        int r;
        try {
            r = (int) Lib.cuLaunchKernel.invokeExact(function, config.gridX(), config.gridY(), config.gridZ(),
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
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuStreamCreate.invokeExact(out, nonBlocking ? CU_STREAM_NON_BLOCKING : CU_STREAM_DEFAULT);
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
            r = (int) Lib.cuStreamDestroy.invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamDestroy");
    }

    @Override
    public void streamSynchronize(long stream) {
        int r;
        try {
            r = (int) Lib.cuStreamSynchronize.invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamSynchronize");
    }

    @Override
    public long eventCreate() {
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuEventCreate.invokeExact(out, CU_EVENT_DEFAULT);
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
            r = (int) Lib.cuEventDestroy.invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventDestroy");
    }

    @Override
    public void eventRecord(long event, long stream) {
        int r;
        try {
            r = (int) Lib.cuEventRecord.invokeExact(event, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventRecord");
    }

    @Override
    public void eventSynchronize(long event) {
        int r;
        try {
            r = (int) Lib.cuEventSynchronize.invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventSynchronize");
    }

    @Override
    public float eventElapsedTime(long start, long end) {
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuEventElapsedTime.invokeExact(out, start, end);
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
            r = (int) Lib.cuStreamBeginCapture.invokeExact(stream, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamBeginCapture");
    }

    @Override
    public long streamEndCapture(long stream) {
        MemorySegment out = SCRATCH.get().out;
        out.set(JAVA_LONG, 0, 0L);
        int r;
        try {
            r = (int) Lib.cuStreamEndCapture.invokeExact(stream, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamEndCapture");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public long graphNodeCount(long graph) {
        MemorySegment out = SCRATCH.get().out;
        out.set(JAVA_LONG, 0, 0L);
        int r;
        try {
            r = (int) Lib.cuGraphGetNodes.invokeExact(graph, MemorySegment.NULL, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphGetNodes");
        return out.get(JAVA_LONG, 0);
    }

    @Override
    public long graphInstantiate(long graph) {
        MemorySegment out = SCRATCH.get().out;
        int r;
        try {
            r = (int) Lib.cuGraphInstantiate.invokeExact(out, graph, 0L);
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
            r = (int) Lib.cuGraphLaunch.invokeExact(graphExec, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphLaunch");
    }

    @Override
    public void graphExecDestroy(long graphExec) {
        int r;
        try {
            r = (int) Lib.cuGraphExecDestroy.invokeExact(graphExec);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphExecDestroy");
    }

    @Override
    public void graphDestroy(long graph) {
        int r;
        try {
            r = (int) Lib.cuGraphDestroy.invokeExact(graph);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuGraphDestroy");
    }

    @Override
    public String toString() {
        return "FfmCudaDriver[" + libraryName + "]";
    }
}
