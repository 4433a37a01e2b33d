package io.jkernels.check;

import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;

/** The raw little-endian bytes of a tensor (any device, any strides), row-major, in pieces of at most 1 MiB. */
final class HostBytes {
    static final int PIECE = 1 << 20;

    private HostBytes() {
    }

    /** Receives consecutive pieces of a tensor's bytes. */
    @FunctionalInterface
    interface Sink {
        void accept(byte[] piece) throws IOException;
    }

    static void forEach(Tensor t, Sink sink) throws IOException {
        long n = t.numel();
        if (n == 0) {
            return;
        }
        int perPiece = PIECE / t.dtype().bytes();
        try (Tensor cpu = t.to(Device.cpu()); Tensor c = cpu.contiguous(); Tensor flat = c.reshape(n)) {
            for (long start = 0; start < n; start += perPiece) {
                try (Tensor piece = flat.narrow(0, start, Math.min(perPiece, n - start))) {
                    sink.accept(piece.toByteArray());
                }
            }
        }
    }

    /** Whether two tensors hold the same dtype, shape and bits (NaN payloads and signed zeros included). */
    static boolean sameBits(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype() || !Arrays.equals(a.shape(), b.shape())) {
            return false;
        }
        long n = a.numel();
        int perPiece = PIECE / a.dtype().bytes();
        try (Tensor ca = a.to(Device.cpu()); Tensor cb = b.to(Device.cpu());
             Tensor fa = ca.reshape(n); Tensor fb = cb.reshape(n)) {
            for (long start = 0; start < n; start += perPiece) {
                long len = Math.min(perPiece, n - start);
                try (Tensor pa = fa.narrow(0, start, len); Tensor pb = fb.narrow(0, start, len)) {
                    if (!Arrays.equals(pa.toByteArray(), pb.toByteArray())) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
