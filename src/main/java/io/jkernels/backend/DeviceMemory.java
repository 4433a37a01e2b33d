package io.jkernels.backend;

/** Memory of a kernel backend (emu or cuda), known by its 64-bit device address. */
public final class DeviceMemory extends Memory {
    private final long address;

    public DeviceMemory(long address, long bytes) {
        super(bytes);
        this.address = address;
    }

    @Override
    public long address() {
        return address;
    }

    @Override
    public String toString() {
        return "DeviceMemory[0x" + Long.toHexString(address) + ", " + bytes() + " bytes]";
    }
}
