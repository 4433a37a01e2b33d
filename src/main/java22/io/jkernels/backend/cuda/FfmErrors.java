package io.jkernels.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jkernels.backend.CudaException;
import java.lang.foreign.MemorySegment;

/**
 * How the {@code ffm} binding reports a failed call: a CUresult other than {@code CUDA_SUCCESS} as
 * a {@link CudaException} named by {@code cuGetErrorName}; anything a downcall's
 * {@code invokeExact} throws is passed on (unchecked as it is, checked wrapped).
 */
@SuppressWarnings("restricted")
final class FfmErrors {

    private FfmErrors() {
    }

    /** Throws {@link #error} unless {@code result} is 0 ({@code CUDA_SUCCESS}). */
    static void check(int result, String call) {
        if (result != 0) {
            throw error(result, call);
        }
    }

    /** The exception for {@code call} failing with {@code result}. */
    static CudaException error(int result, String call) {
        return new CudaException(call, result, errorName(result));
    }

    /** The CUresult's name from cuGetErrorName, or "unrecognized CUresult". */
    static String errorName(int result) {
        try {
            MemorySegment out = FfmScratch.get().out;
            out.set(JAVA_LONG, 0, 0L);
            int r = (int) FfmDowncalls.cuGetErrorName.invokeExact(result, out);
            long p = out.get(JAVA_LONG, 0);
            if (r == 0 && p != 0) {
                return MemorySegment.ofAddress(p).reinterpret(Integer.MAX_VALUE).getString(0);
            }
        } catch (Throwable t) {
            // fall through to the generic name
        }
        return "unrecognized CUresult";
    }

    /**
     * Throws {@code t} (from a downcall's {@code invokeExact}) unchanged when unchecked, else
     * wrapped in an {@link IllegalStateException}; declared to return one so that a caller can
     * write {@code throw rethrow(t)}.
     */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
