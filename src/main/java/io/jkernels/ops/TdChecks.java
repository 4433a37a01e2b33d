package io.jkernels.ops;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * The argument checks of the RL ops ({@link Td} and {@link Returns}): gamma, epsilon and alpha in
 * range, dtypes (f32 tables, index and mask inputs), devices, shapes, tables updated in place, the
 * transition count B and the workspace's device. Each message names the argument; each failure is
 * the {@link TensorException} (or {@link TensorException.BadAttr}) that Td's javadoc gives.
 */
final class TdChecks {
    private TdChecks() {
    }

    /** A workspace must live on the device of the tensors it serves (cpu tensors use none). */
    static void workspace(String refName, Tensor ref, Td.Workspace ws) {
        if (ws != null && !ws.device().equals(ref.device()) && !ref.device().isCpu()) {
            throw new TensorException.DeviceMismatch("workspace is on " + ws.device() + " but " + refName + " is on "
                    + ref.device());
        }
    }

    static void unit(String name, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new TensorException.BadAttr(name + " must be in [0, 1], got " + v);
        }
    }

    static void alpha(double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new TensorException.BadAttr("alpha must be a finite number >= 0, got " + v);
        }
    }

    static void dtype(String name, Tensor t, DType d) {
        Checks.open(name, t);
        if (t.dtype() != d) {
            throw new TensorException.DTypeMismatch(name + " must be " + d + ", got " + t.dtype());
        }
    }

    static void index(String name, Tensor t) {
        Checks.open(name, t);
        if (t.dtype() != DType.I64 && t.dtype() != DType.I32) {
            throw new TensorException.DTypeMismatch(name + " holds indices: it must be int64 (or int32), got " + t.dtype());
        }
    }

    static void mask(String name, Tensor t) {
        Checks.open(name, t);
        if (t.dtype() != DType.BOOL) {
            throw new TensorException.DTypeMismatch(name + " is a mask: it must be bool, got " + t.dtype());
        }
    }

    static void device(String refName, Tensor ref, String name, Tensor t) {
        if (!ref.device().equals(t.device())) {
            throw new TensorException.DeviceMismatch(name + " is on " + t.device() + " but " + refName + " is on "
                    + ref.device());
        }
    }

    static void shape(String name, Tensor t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new TensorException.Shape(name + " shape " + Arrays.toString(t.shape()) + " does not match the expected "
                    + Arrays.toString(shape));
        }
    }

    /** A table updated in place: f32 (or {@code d}), contiguous, of the given rank. */
    static void table(String name, Tensor t, DType d, int rank) {
        dtype(name, t, d);
        if (t.dim() != rank) {
            throw new TensorException.Shape(name + " must have " + rank + " dimension" + (rank == 1 ? "" : "s") + ", got shape "
                    + Arrays.toString(t.shape()));
        }
        if (!t.isContiguous()) {
            throw new TensorException.Shape(name + " must be contiguous to be updated in place");
        }
    }

    /** The transition count B of a 1-D states tensor (checked to fit the kernels' int owner codes). */
    static long batch(String name, Tensor t) {
        index(name, t);
        if (t.dim() != 1) {
            throw new TensorException.Shape(name + " must be 1-D (B), got shape " + Arrays.toString(t.shape()));
        }
        long b = t.numel();
        if (b >= Integer.MAX_VALUE) {
            throw new TensorException.Shape(name + " holds " + b + " transitions, at most " + (Integer.MAX_VALUE - 1));
        }
        return b;
    }

    static void check1d(Tensor ref, String name, Tensor t, long b) {
        Checks.open(name, t);
        device("table", ref, name, t);
        shape(name, t, b);
    }
}
