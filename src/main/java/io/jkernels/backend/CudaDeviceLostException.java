package io.jkernels.backend;

import java.util.Objects;

/**
 * A sticky CUDA error (see {@link CudaException#isSticky()}): the device's context is lost for the
 * rest of this process. A CUDA context cannot recover from a sticky error; every later driver call
 * on it fails with the same CUresult, and the device's memory is gone with it. Only a new process
 * can use the device again.
 *
 * <p>Keeps the original error: {@link #getCause()} is the failed driver call and {@link #code()} its
 * CUresult, so code that catches {@link CudaException} and looks at the code keeps working.
 */
public final class CudaDeviceLostException extends CudaException {
    private static final long serialVersionUID = 1L;
    private final String device;

    /**
     * @param device the device, as {@link DeviceId#toString()} names it (e.g. {@code "cuda:0"})
     * @param cause the failed driver call; must be sticky
     * @throws IllegalArgumentException when {@code cause} is not sticky
     */
    public CudaDeviceLostException(String device, CudaException cause) {
        super(message(device, cause), cause.code(), cause);
        this.device = device;
    }

    /** {@code e} as a {@code CudaDeviceLostException} for {@code device} when it is sticky, else {@code e} itself. */
    public static CudaException ifSticky(String device, CudaException e) {
        return e.isSticky() && !(e instanceof CudaDeviceLostException) ? new CudaDeviceLostException(device, e) : e;
    }

    /** The lost device, e.g. {@code "cuda:0"}. */
    public String device() {
        return device;
    }

    private static String message(String device, CudaException cause) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(cause, "cause");
        if (!cause.isSticky()) {
            throw new IllegalArgumentException("cause is not a sticky CUDA error: " + cause.getMessage());
        }
        return "CUDA device " + device + " is lost for the rest of this process: " + cause.getMessage()
            + " is a sticky error, from which a CUDA context cannot recover (every later call on the device"
            + " fails); restart the process to use the device again";
    }
}
