package io.jkernels.backend.emu;

import io.jkernels.backend.Backend;
import io.jkernels.backend.BackendProvider;
import io.jkernels.backend.DeviceId;

/** The {@link BackendProvider} of the host emulator ({@link EmuBackend}). */
public final class EmuBackendProvider implements BackendProvider {

    @Override
    public String kind() {
        return DeviceId.EMU_KIND;
    }

    @Override
    public String unavailableReason() {
        return EmuBackend.unavailableReason();
    }

    @Override
    public Backend open(DeviceId device) {
        if (!device.equals(DeviceId.EMU)) {
            throw new IllegalArgumentException("the emu provider serves emu, not " + device);
        }
        return EmuBackend.open(device);
    }
}
