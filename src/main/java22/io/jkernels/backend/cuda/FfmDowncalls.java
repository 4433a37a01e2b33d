package io.jkernels.backend.cuda;

import static io.jkernels.backend.cuda.FfmLibrary.bind;
import static io.jkernels.backend.cuda.FfmLibrary.bindFirst;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The downcall handles of the {@code ffm} binding, one per driver function it calls, bound when
 * this class is initialised (from {@link FfmLibrary#open()} only).
 *
 * <p>The handles are {@code static final} (created once, when {@link FfmCudaDriver#load()} first
 * succeeds) and called with {@code invokeExact}, using the versioned symbol names that cuda.h
 * (CUDA 13) maps the API names to: {@code cuMemAlloc_v2}, {@code cuMemFree_v2},
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
 */
final class FfmDowncalls {

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

    private FfmDowncalls() {
    }

    /** Initialises this class, which binds every handle (throws when a symbol is missing). */
    static void touch() {
    }
}
