package io.jkernels.backend.cuda;

import io.jkernels.backend.Backend;
import io.jkernels.backend.BackendProvider;
import io.jkernels.backend.DeviceId;

/** The {@link BackendProvider} of CUDA devices ({@link CudaBackend}, one per ordinal). */
public final class CudaBackendProvider implements BackendProvider {

    @Override
    public String kind() {
        return DeviceId.CUDA_KIND;
    }

    @Override
    public String unavailableReason() {
        return CudaBackend.unavailableReason();
    }

    @Override
    public Backend open(DeviceId device) {
        if (!device.kind().equals(DeviceId.CUDA_KIND)) {
            throw new IllegalArgumentException("the cuda provider serves cuda:N, not " + device);
        }
        return CudaBackend.open(device);
    }
}
