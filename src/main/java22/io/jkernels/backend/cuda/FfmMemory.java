package io.jkernels.backend.cuda;

import static io.jkernels.backend.cuda.FfmErrors.check;
import static io.jkernels.backend.cuda.FfmErrors.rethrow;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jkernels.backend.CudaDriver;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * The {@code ffm} binding's calls for device memory: {@code cuMemAlloc}, {@code cuMemFree}, the
 * copies (host to device and back, device to device, peer) and the memsets; {@link FfmCudaDriver}
 * implements {@link io.jkernels.backend.CudaDriver CudaDriver}'s methods of the same names with
 * them. A host buffer crosses as the native segment of a direct {@link ByteBuffer} from its
 * position.
 */
final class FfmMemory {

    private FfmMemory() {
    }

    static long memAlloc(long bytes) {
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

    static void memFree(long devicePtr) {
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
        CudaDriver.checkHostBuffer(buf, bytes, write, call);
        return MemorySegment.ofBuffer(buf); // starts at the position, ends at the limit
    }

    static void memcpyHtoD(long dst, ByteBuffer src, long bytes) {
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

    static void memcpyDtoH(ByteBuffer dst, long src, long bytes) {
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

    static void memcpyDtoDAsync(long dst, long src, long bytes, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemcpyDtoDAsync");
    }

    static void memcpyPeerAsync(long dst, long dstContext, long src, long srcContext, long bytes, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemcpyPeerAsync.invokeExact(dst, dstContext, src, srcContext, bytes, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemcpyPeerAsync");
    }

    static void memsetD8Async(long dst, byte value, long count, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemsetD8Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD8Async");
    }

    static void memsetD16Async(long dst, short value, long count, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemsetD16Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD16Async");
    }

    static void memsetD32Async(long dst, int value, long count, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuMemsetD32Async.invokeExact(dst, value, count, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuMemsetD32Async");
    }
}
