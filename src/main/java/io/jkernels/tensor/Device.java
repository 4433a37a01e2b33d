package io.jkernels.tensor;

import io.jkernels.backend.Backend;
import io.jkernels.backend.BackendProvider;
import io.jkernels.backend.DeviceId;
import io.jkernels.backend.KernelBackend;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a tensor lives and its ops run: {@code cpu} (pure-Java references, the ground truth),
 * {@code emu} (the CUDA kernels compiled for the host, run on CPU threads) or {@code cuda:N}.
 * Backends start lazily; {@link #cudaAvailable()} and {@link #emuAvailable()} say whether they
 * can, and the reason strings why not. The backends come from the {@link BackendProvider} of the
 * device's kind (found through {@link java.util.ServiceLoader}), started with the device's
 * {@link #id()}.
 */
public final class Device {

    /** The kind of processor. */
    public enum Kind { CPU, EMU, CUDA }

    private static final Device CPU = new Device(Kind.CPU, 0);
    private static final Device EMU = new Device(Kind.EMU, 0);
    private static final ConcurrentHashMap<Integer, Device> CUDA = new ConcurrentHashMap<>();

    private final Kind kind;
    private final int index;
    private final DeviceId id;
    private volatile Backend backend;

    private Device(Kind kind, int index) {
        this.kind = kind;
        this.index = index;
        this.id = switch (kind) {
            case CPU -> DeviceId.CPU;
            case EMU -> DeviceId.EMU;
            case CUDA -> DeviceId.cuda(index);
        };
    }

    public static Device cpu() {
        return CPU;
    }

    public static Device emu() {
        return EMU;
    }

    /** The CUDA device of that ordinal (the backend starts on first use). */
    public static Device cuda(int ordinal) {
        if (ordinal < 0) {
            throw new IllegalArgumentException("CUDA device ordinal must be >= 0, got " + ordinal);
        }
        return CUDA.computeIfAbsent(ordinal, i -> new Device(Kind.CUDA, i));
    }

    public static Device cuda() {
        return cuda(0);
    }

    /** The device of a backend's {@link DeviceId} (kind "cpu", "emu" or "cuda"). */
    public static Device of(DeviceId id) {
        return switch (id.kind()) {
            case DeviceId.CPU_KIND -> cpu();
            case DeviceId.EMU_KIND -> emu();
            case DeviceId.CUDA_KIND -> cuda(id.ordinal());
            default -> throw new IllegalArgumentException("unknown device kind '" + id.kind() + "' of " + id);
        };
    }

    /** "cpu", "emu", "cuda" (device 0) or "cuda:N". */
    public static Device parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        if (n.equals("cpu")) {
            return cpu();
        }
        if (n.equals("emu")) {
            return emu();
        }
        if (n.equals("cuda")) {
            return cuda(0);
        }
        if (n.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(n.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "': expected cpu, emu, cuda or cuda:N");
    }

    /** Whether a CUDA device can be used (driver, natives and at least one device present). */
    public static boolean cudaAvailable() {
        return cudaUnavailableReason() == null;
    }

    /** Why CUDA cannot be used, or null when it can. */
    public static String cudaUnavailableReason() {
        return unavailableReason(DeviceId.CUDA_KIND);
    }

    /** Whether the host emulator library loaded. */
    public static boolean emuAvailable() {
        return emuUnavailableReason() == null;
    }

    /** Why the emulator cannot be used, or null when it can. */
    public static String emuUnavailableReason() {
        return unavailableReason(DeviceId.EMU_KIND);
    }

    private static String unavailableReason(String kind) {
        java.util.Optional<BackendProvider> p = BackendProvider.find(kind);
        return p.isPresent() ? p.get().unavailableReason() : noProvider(kind);
    }

    private static String noProvider(String kind) {
        return "no backend provider for device kind '" + kind + "' on the class path (META-INF/services/"
                + BackendProvider.class.getName() + ")";
    }

    public Kind kind() {
        return kind;
    }

    /** The ordinal of a CUDA device (0 for cpu and emu). */
    public int index() {
        return index;
    }

    /** This device as the backend package names it (what its backend's {@link Backend#deviceId()} returns). */
    public DeviceId id() {
        return id;
    }

    public boolean isCpu() {
        return kind == Kind.CPU;
    }

    /**
     * The backend of this device, started on first use; throws {@link UnsupportedOperationException}
     * with the reason when it cannot start.
     */
    public Backend backend() {
        Backend b = backend;
        if (b == null) {
            synchronized (this) {
                b = backend;
                if (b == null) {
                    BackendProvider p = BackendProvider.find(id.kind()).orElseThrow(
                            () -> new UnsupportedOperationException(this + " unavailable: " + noProvider(id.kind())));
                    b = p.open(id);
                    if (!id.equals(b.deviceId())) {
                        throw new IllegalStateException(p.getClass().getName() + " opened a backend of "
                                + b.deviceId() + " for " + this);
                    }
                    backend = b;
                }
            }
        }
        return b;
    }

    /** The backend as a kernel backend (emu, cuda); cpu has none. */
    public KernelBackend kernels() {
        Backend b = backend();
        if (b instanceof KernelBackend k) {
            return k;
        }
        throw new UnsupportedOperationException(this + " runs no kernels");
    }

    /** Bytes of tensors allocated on this device and not yet freed (0 when the backend never started). */
    public long liveBytes() {
        Backend b = backend;
        return b == null ? 0 : b.liveBytes();
    }

    /**
     * Records the kernel work {@code body} does on this device (from this thread) into a graph
     * that replays it at a fraction of the launch cost: a CUDA graph on cuda, a recorded launch
     * list on emu. Nothing runs during capture, and only the calling thread's work is recorded
     * (other threads' work on the device runs as usual). Ops may allocate inside the body (their
     * outputs, temporaries): memory allocated or freed during the capture, and memory allocated
     * during it and freed afterwards, is kept for the graph until the graph is closed, so replays
     * never touch freed memory. Keep the tensors the body reads from open while the graph is used;
     * host transfers (copies to or from the cpu) cannot be captured and throw
     * {@link IllegalStateException}.
     */
    public io.jkernels.backend.KernelGraph capture(Runnable body) {
        return kernels().capture(body);
    }

    /** Waits until all queued work on this device is done. */
    public void synchronize() {
        backend().synchronize();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.kind == kind && d.index == index;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, index);
    }

    @Override
    public String toString() {
        return id.toString();
    }
}
