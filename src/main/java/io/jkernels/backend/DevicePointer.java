package io.jkernels.backend;

/**
 * Data at a device address (a tensor): what {@link KernelArgs#ptr(DevicePointer)} passes as a
 * {@code T*} kernel parameter.
 */
public interface DevicePointer {

    /** The device address of the first element. */
    long dataAddress();
}
