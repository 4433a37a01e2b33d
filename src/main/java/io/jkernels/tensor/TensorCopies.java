package io.jkernels.tensor;

import io.jkernels.backend.Backend;
import io.jkernels.backend.HostMemory;
import io.jkernels.backend.Memory;
import java.lang.ref.Reference;
import java.util.Arrays;

/**
 * Element copies between tensors on any devices and in any layouts, and the memory-overlap test
 * they depend on: the bodies of {@link Tensor#copyFrom}, {@link Tensor#contiguous},
 * {@link Tensor#copy}, {@link Tensor#to}, {@link Tensor#overlaps} and {@link Tensor#sameView}.
 * Each copy runs as one backend call: a plain copy, a strided copy on one device, or a host
 * transfer of contiguous images; everything else is staged into those.
 */
final class TensorCopies {
    private TensorCopies() {
    }

    static Tensor contiguous(Tensor t) {
        t.check();
        if (t.isContiguous()) {
            return t.alias();
        }
        return copyInto(t, Tensor.empty(t.dtype, t.device(), t.shape));
    }

    static Tensor copy(Tensor t) {
        t.check();
        return copyInto(t, Tensor.empty(t.dtype, t.device(), t.shape));
    }

    static Tensor to(Tensor t, Device target) {
        t.check();
        if (target.equals(t.device())) {
            return t.alias();
        }
        return copyInto(t, Tensor.empty(t.dtype, target, t.shape));
    }

    /** Fills {@code out} from {@code src} and returns it, closing it when the copy fails. */
    private static Tensor copyInto(Tensor src, Tensor out) {
        try {
            copyFrom(out, src);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** Copies {@code src} into {@code dst}; neither is collected (its memory freed) mid-copy. */
    static void copyFrom(Tensor dst, Tensor src) {
        try {
            copyFromUnfenced(dst, src);
        } finally {
            Reference.reachabilityFence(src);
            Reference.reachabilityFence(dst);
        }
    }

    private static void copyFromUnfenced(Tensor dst, Tensor src) {
        dst.check();
        src.check();
        if (!Arrays.equals(dst.shape, src.shape)) {
            throw new TensorException.Shape("copyFrom: source shape " + Arrays.toString(src.shape)
                    + " does not match destination shape " + Arrays.toString(dst.shape));
        }
        if (src.dtype != dst.dtype) {
            throw new TensorException.DTypeMismatch("copyFrom: source dtype " + src.dtype
                    + " does not match destination dtype " + dst.dtype);
        }
        if (dst.numel == 0) {
            return;
        }
        if (sameView(dst, src)) {
            return;
        }
        if (overlaps(dst, src)) {
            // no device copy is defined over overlapping ranges (cuMemcpyDtoDAsync, the strided
            // kernels): stage the source; overlaps() is conservative, so only extra work, no refusal
            try (Tensor staged = src.copy()) {
                copyFrom(dst, staged);
            }
            return;
        }
        Backend backend = dst.storage.backend;
        int eb = dst.dtype.bytes();
        if (src.device().equals(dst.device())) {
            if (dst.isContiguous() && src.isContiguous()) {
                backend.copy(dst.storage.memory, dst.offset * eb, src.storage.memory, src.offset * eb, dst.numel * eb);
            } else {
                backend.copyStrided(dst.storage.memory, dst.offset, dst.strides, src.storage.memory, src.offset, src.strides,
                        dst.shape, eb);
            }
            return;
        }
        if (!dst.isContiguous() || !src.isContiguous()) {
            // move a contiguous image across, then scatter it on this device
            try (Tensor c = src.contiguous(); Tensor moved = Tensor.empty(dst.dtype, dst.device(), dst.shape)) {
                copyFrom(moved, c);
                copyFrom(dst, moved);
            }
            return;
        }
        long bytes = dst.numel * eb;
        Memory d = dst.storage.memory;
        Memory s = src.storage.memory;
        if (src.device().isCpu()) {
            backend.copyFromHost(d, dst.offset * eb, (HostMemory) s, src.offset * eb, bytes);
        } else if (dst.device().isCpu()) {
            src.storage.backend.copyToHost((HostMemory) d, dst.offset * eb, s, src.offset * eb, bytes);
        } else {
            try (Tensor staged = Tensor.empty(dst.dtype, Device.cpu(), dst.shape)) {
                copyFrom(staged, src);
                copyFrom(dst, staged);
            }
        }
    }

    // ---- overlap -----------------------------------------------------------------------------

    static boolean overlaps(Tensor a, Tensor b) {
        if (a.storage != b.storage || a.numel == 0 || b.numel == 0) {
            return false;
        }
        long[] x = byteSpan(a);
        long[] y = byteSpan(b);
        return x[0] < y[1] && y[0] < x[1];
    }

    static boolean sameView(Tensor a, Tensor b) {
        return a.storage == b.storage && a.offset == b.offset && a.dtype == b.dtype
                && Arrays.equals(a.shape, b.shape) && Arrays.equals(a.strides, b.strides);
    }

    /** [first byte, one past the last byte] reachable by {@code t}. */
    private static long[] byteSpan(Tensor t) {
        long lo = t.offset;
        long hi = t.offset;
        for (int i = 0; i < t.shape.length; i++) {
            long reach = (t.shape[i] - 1) * t.strides[i];
            if (reach < 0) {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        return new long[] {lo * t.dtype.bytes(), (hi + 1) * t.dtype.bytes()};
    }
}
