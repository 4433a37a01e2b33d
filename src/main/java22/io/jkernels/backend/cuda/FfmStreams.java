package io.jkernels.backend.cuda;

import static io.jkernels.backend.cuda.FfmErrors.check;
import static io.jkernels.backend.cuda.FfmErrors.rethrow;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * The {@code ffm} binding's calls for streams and events: {@code cuStreamCreate},
 * {@code cuStreamDestroy}, {@code cuStreamSynchronize} and the {@code cuEvent*} calls;
 * {@link FfmCudaDriver} implements {@link io.jkernels.backend.CudaDriver CudaDriver}'s methods of
 * the same names with them.
 */
final class FfmStreams {

    private static final int CU_STREAM_DEFAULT = 0;
    private static final int CU_STREAM_NON_BLOCKING = 1;
    private static final int CU_EVENT_DEFAULT = 0;

    private FfmStreams() {
    }

    static long streamCreate(boolean nonBlocking) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamCreate.invokeExact(out,
                    nonBlocking ? CU_STREAM_NON_BLOCKING : CU_STREAM_DEFAULT);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamCreate");
        return out.get(JAVA_LONG, 0);
    }

    static void streamDestroy(long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamDestroy.invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamDestroy");
    }

    static void streamSynchronize(long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuStreamSynchronize.invokeExact(stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuStreamSynchronize");
    }

    static long eventCreate() {
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

    static void eventDestroy(long event) {
        int r;
        try {
            r = (int) FfmDowncalls.cuEventDestroy.invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventDestroy");
    }

    static void eventRecord(long event, long stream) {
        int r;
        try {
            r = (int) FfmDowncalls.cuEventRecord.invokeExact(event, stream);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventRecord");
    }

    static void eventSynchronize(long event) {
        int r;
        try {
            r = (int) FfmDowncalls.cuEventSynchronize.invokeExact(event);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        check(r, "cuEventSynchronize");
    }

    static float eventElapsedTime(long start, long end) {
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
}
