package io.jkernels.cli;

import io.jkernels.tensor.Device;
import java.util.ArrayList;
import java.util.List;

/** Which devices the commands run on, and why one cannot. */
final class Backends {
    private Backends() {
    }

    /** Why {@code d} cannot be used, or null when it can (its backend starts). */
    static String unavailable(Device d) {
        String why = switch (d.kind()) {
            case CPU -> null;
            case EMU -> Device.emuUnavailableReason();
            case CUDA -> Device.cudaUnavailableReason();
        };
        if (why != null) {
            return why;
        }
        try {
            d.backend();
            return null;
        } catch (RuntimeException | LinkageError e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
    }

    /** cpu, then emu and cuda:0 when available; {@code skipped} receives a note for each one left out. */
    static List<Device> allAvailable(List<String> skipped) {
        List<Device> out = new ArrayList<>();
        out.add(Device.cpu());
        for (Device d : List.of(Device.emu(), Device.cuda(0))) {
            String why = unavailable(d);
            if (why == null) {
                out.add(d);
            } else {
                skipped.add(d + " skipped: " + why);
            }
        }
        return out;
    }

    /** The fastest available kernel backend (cuda, else emu), or null when there is none. */
    static Device best() {
        for (Device d : List.of(Device.cuda(0), Device.emu())) {
            if (unavailable(d) == null) {
                return d;
            }
        }
        return null;
    }

    /** "1.234e-07", or "-" for NaN. */
    static String sci(double v) {
        return Double.isNaN(v) ? "-" : String.format(java.util.Locale.ROOT, "%.3e", v);
    }
}
