package io.jkernels.backend;

/**
 * The device a backend serves, as the backend package knows it: the {@linkplain BackendProvider#kind()
 * kind} of its provider ({@code "cpu"}, {@code "emu"}, {@code "cuda"}) and an ordinal (the CUDA
 * device number; 0 for cpu and emu). {@link #toString()} is the device's name in messages:
 * "cpu", "emu", "cuda:N". Whoever starts a backend names its device with one of these, in
 * {@link BackendProvider#open}, and the backend reports it back in {@link Backend#deviceId()}.
 */
public record DeviceId(String kind, int ordinal) {
    public static final String CPU_KIND = "cpu";
    public static final String EMU_KIND = "emu";
    public static final String CUDA_KIND = "cuda";

    public static final DeviceId CPU = new DeviceId(CPU_KIND, 0);
    public static final DeviceId EMU = new DeviceId(EMU_KIND, 0);

    public DeviceId {
        if (kind == null || kind.isEmpty()) {
            throw new IllegalArgumentException("device kind must be non-empty");
        }
        if (ordinal < 0) {
            throw new IllegalArgumentException(kind + " device ordinal must be >= 0, got " + ordinal);
        }
    }

    /** CUDA device {@code ordinal}. */
    public static DeviceId cuda(int ordinal) {
        return new DeviceId(CUDA_KIND, ordinal);
    }

    /** "cpu", "emu", "cuda:N" (a cuda device always names its ordinal; other kinds only when not 0). */
    @Override
    public String toString() {
        return ordinal == 0 && !kind.equals(CUDA_KIND) ? kind : kind + ":" + ordinal;
    }
}
