package io.jkernels.backend;

/** A CUDA driver call failed: names the call and the CUresult (code and name). */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    public CudaException(String call, int code, String codeName) {
        super(call + " failed: " + codeName + " (" + code + ")");
        this.code = code;
    }

    public CudaException(String message) {
        super(message);
        this.code = -1;
    }

    /** The CUresult, or -1 when the failure was not a driver return code. */
    public int code() {
        return code;
    }

    /**
     * Whether the error leaves the context unusable (illegal address, launch failure, misaligned
     * address, ...): CUDA reports these "sticky" errors from every later call.
     */
    public boolean isSticky() {
        return switch (code) {
            case 700, 701, 702, 714, 715, 716, 717, 718, 719, 999 -> true;
            default -> false;
        };
    }
}
