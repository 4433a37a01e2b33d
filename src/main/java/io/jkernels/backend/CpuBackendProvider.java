package io.jkernels.backend;

/** The {@link BackendProvider} of the cpu: always available. */
public final class CpuBackendProvider implements BackendProvider {

    @Override
    public String kind() {
        return DeviceId.CPU_KIND;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Backend open(DeviceId device) {
        if (!device.equals(DeviceId.CPU)) {
            throw new IllegalArgumentException("the cpu provider serves cpu, not " + device);
        }
        return new CpuBackend();
    }
}
