package io.jkernels.backend.cuda;

import static jcuda.driver.JCudaDriver.cuGetErrorName;

import io.jkernels.backend.CudaException;

/**
 * How the {@code jcuda} binding reports a failed call: with JCuda's own exceptions switched off
 * (by {@link JCudaDriver#load()}), a CUresult other than {@code CUDA_SUCCESS} becomes a
 * {@link CudaException} named by {@code cuGetErrorName}.
 */
final class JCudaErrors {

    private JCudaErrors() {
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
        String[] name = new String[1];
        try {
            if (cuGetErrorName(result, name) == 0 && name[0] != null) {
                return name[0];
            }
        } catch (RuntimeException e) {
            // fall through to the generic name
        }
        return "unrecognized CUresult";
    }
}
