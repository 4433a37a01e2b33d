package io.jkernels.bench;

import io.jkernels.tensor.Device;
import java.util.Locale;

/**
 * Which sizes a bench run uses. {@link #GPU} is the standard size of each op (issue #5: copy and
 * elementwise 2^28 elements, swiglu gate and up 2^27 each, ...), the one the PyTorch script in
 * benchmarks/ uses, so ratios are side by side. {@link #HOST} shrinks every op so a run on the
 * emulator or the cpu references takes a minute or two; {@link #TINY} is for tests.
 */
public enum Scale {
    GPU, HOST, TINY;

    /** The default for a device: GPU sizes on cuda, HOST sizes on emu and cpu. */
    public static Scale defaultFor(Device device) {
        return device.kind() == Device.Kind.CUDA ? GPU : HOST;
    }

    /** "gpu", "host" or "tiny" (any case). */
    public static Scale parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown scale '" + name + "': expected gpu, host or tiny");
        }
    }

    /**
     * One element count per scale: {@code gpu} at {@link #GPU}, {@code host} at {@link #HOST} and
     * {@code tiny} at {@link #TINY}.
     */
    public long pick(long gpu, long host, long tiny) {
        return switch (this) {
            case GPU -> gpu;
            case HOST -> host;
            case TINY -> tiny;
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
