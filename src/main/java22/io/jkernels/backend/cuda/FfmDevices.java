package io.jkernels.backend.cuda;

import static io.jkernels.backend.cuda.FfmErrors.check;
import static io.jkernels.backend.cuda.FfmErrors.error;
import static io.jkernels.backend.cuda.FfmErrors.rethrow;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The {@code ffm} binding's calls for the driver, its devices and contexts: {@code cuInit},
 * {@code cuDriverGetVersion}, the {@code cuDeviceGet*} queries, {@code cuDevicePrimaryCtxRetain},
 * {@code cuCtxSetCurrent}/{@code cuCtxGetCurrent}/{@code cuCtxSynchronize} and
 * {@code cuThreadExchangeStreamCaptureMode}; {@link FfmCudaDriver} implements {@link
 * io.jkernels.backend.CudaDriver CudaDriver}'s methods of the same names with them.
 */
final class FfmDevices {

    private FfmDevices() {
    }

    /** The CUdevice of {@code ordinal}; a failure is reported as {@code call}'s. */
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

    static void init() {
        int r;
        try {
            r = (int) FfmDowncalls.cuInit.invokeExact(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuInit");
    }

    static int driverVersion() {
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

    static int deviceCount() {
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

    static String deviceName(int ordinal) {
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

    static int deviceAttribute(int ordinal, int attribute) {
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

    static long deviceTotalMem(int ordinal) {
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

    static long primaryContextRetain(int ordinal) {
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

    static void contextSetCurrent(long context) {
        int r;
        try {
            r = (int) FfmDowncalls.cuCtxSetCurrent.invokeExact(context);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuCtxSetCurrent");
    }

    static long contextGetCurrent() {
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

    static int threadExchangeStreamCaptureMode(int mode) {
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

    static void contextSynchronize() {
        int r;
        try {
            r = (int) FfmDowncalls.cuCtxSynchronize.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuCtxSynchronize");
    }
}
