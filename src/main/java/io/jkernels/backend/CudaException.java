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

    /** For subclasses that restate a driver error: their own message, the original's CUresult and cause. */
    protected CudaException(String message, int code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The CUresult, or -1 when the failure was not a driver return code. */
    public int code() {
        return code;
    }

    /**
     * Whether the error leaves the CUDA context unusable: a "sticky" error, which CUDA reports again
     * from every later call in the process; only a new process can use the device again.
     *
     * <p>The table follows the CUresult documentation in cuda.h (CUDA 13.0): a code is sticky when
     * its text says the process must be terminated and relaunched or the context must be destroyed.
     * A code whose text says nothing about the context (214 uncorrectable ECC, 220 uncorrectable
     * NVLink, 999 unknown) is not: wrongly calling an error sticky makes a working device unusable
     * for the rest of the process, while a sticky error wrongly called non-sticky only comes back,
     * with its code, from the next call.
     */
    public boolean isSticky() {
        return switch (code) {
            case 226, // CONTAINED: a device exception caught by error containment; "the process must be terminated"
                 700, // ILLEGAL_ADDRESS: a kernel load/store at an invalid address; "must be terminated and relaunched"
                 702, // LAUNCH_TIMEOUT: a kernel ran past the watchdog; "must be terminated and relaunched"
                 710, // ASSERT: a device-side assert; "the context cannot be used anymore, and must be destroyed"
                 714, // HARDWARE_STACK_ERROR: stack corruption or overflow in a kernel; "must be terminated"
                 715, // ILLEGAL_INSTRUCTION: a kernel executed an illegal instruction; "must be terminated"
                 716, // MISALIGNED_ADDRESS: a kernel load/store at a misaligned address; "must be terminated"
                 717, // INVALID_ADDRESS_SPACE: an address outside the instruction's space; "must be terminated"
                 718, // INVALID_PC: the kernel's program counter wrapped; "must be terminated and relaunched"
                 719, // LAUNCH_FAILED: an exception while a kernel ran; "must be terminated and relaunched"
                 721, // TENSOR_MEMORY_LEAK: a kernel exited without freeing tensor memory; "must be terminated"
                 810, // MPS_CLIENT_TERMINATED: the MPS server ended this client; "must be terminated and relaunched"
                 911 // EXTERNAL_DEVICE: an external device signalled an error; "must be terminated and relaunched"
                    -> true;
            // Not sticky, among others: 701 LAUNCH_OUT_OF_RESOURCES (the launch did not happen: too many
            // threads for the kernel's registers, or arguments of the wrong size), 720
            // COOPERATIVE_LAUNCH_TOO_LARGE (likewise not launched), 709 CONTEXT_IS_DESTROYED (a
            // destroyed or uninitialised context, not a failure of a live one), 9xx stream-capture,
            // graph and resource errors (one operation rejected).
            default -> false;
        };
    }
}
