package io.jkernels.backend.cuda;

import io.jkernels.backend.CudaDriver;
import java.io.IOException;
import java.io.InputStream;

/**
 * What the CUDA devices of a process share: the driver binding (opened once), whether CUDA can be
 * used at all (probed once), and the bundled kernels.fatbin. {@link CudaBackend}'s static methods
 * are the public face of this.
 */
final class CudaRuntime {
    private static volatile CudaDriver sharedDriver;
    private static volatile String unavailable;
    private static volatile boolean probed;

    private CudaRuntime() {
    }

    /** The bundled fatbin, or an exception saying it was not built. */
    static byte[] fatbin() {
        try (InputStream in = CudaBackend.class.getResourceAsStream(CudaBackend.FATBIN)) {
            if (in == null) {
                throw new IllegalStateException("kernels.fatbin is not on the class path (the jar was built with "
                        + "-Djkernels.skipFatbin=true or without nvcc)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + CudaBackend.FATBIN + ": " + e, e);
        }
    }

    /** The driver binding shared by all CUDA devices of this process (opened on first use). */
    static synchronized CudaDriver driver() {
        if (sharedDriver == null) {
            sharedDriver = CudaDrivers.open(System.getProperty("jkernels.cuda.binding"));
        }
        return sharedDriver;
    }

    /**
     * Why CUDA cannot be used (no driver, natives missing, no device, no fatbin), or null. Probed
     * once per process; every Throwable from loading is caught here.
     */
    static String unavailableReason() {
        if (!probed) {
            synchronized (CudaRuntime.class) {
                if (!probed) {
                    unavailable = probe();
                    probed = true;
                }
            }
        }
        return unavailable;
    }

    private static String probe() {
        try {
            if (CudaBackend.class.getResource(CudaBackend.FATBIN) == null) {  // first: no driver needed to say it
                return "no kernels bundled (no kernels.fatbin: the jar was built without the CUDA toolkit's nvcc "
                        + "or with -Djkernels.skipFatbin=true)";
            }
            CudaDriver d = driver();
            if (d.deviceCount() == 0) {
                return "no CUDA device (the driver reports 0 devices)";
            }
            return null;
        } catch (Throwable t) {
            String m = t.getMessage() != null ? t.getMessage() : t.toString();
            return "no CUDA device: " + m;
        }
    }
}
