package io.jkernels.ops;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/** Argument checks shared by the op classes: each message names the argument, the expected and the actual value. */
public final class Checks {
    private Checks() {
    }

    /** Non-null and open. */
    public static void open(String name, Tensor t) {
        if (t == null) {
            throw new NullPointerException(name + " is null");
        }
        if (t.isClosed()) {
            throw new IllegalStateException(name + " " + t + " is closed");
        }
    }

    /** Open and of a floating dtype the kernels take: f32, bf16 or f16. */
    public static void floating(String name, Tensor t) {
        open(name, t);
        DType d = t.dtype();
        if (d != DType.F32 && d != DType.BF16 && d != DType.F16) {
            throw new TensorException.DTypeMismatch(name + " must be f32, bf16 or f16, got " + d);
        }
    }

    /** Same shape, dtype and device as the reference argument. */
    public static void like(String refName, Tensor ref, String name, Tensor t) {
        open(name, t);
        if (!Arrays.equals(ref.shape(), t.shape())) {
            throw new TensorException.Shape(name + " shape " + Arrays.toString(t.shape()) + " does not match "
                    + refName + " shape " + Arrays.toString(ref.shape()));
        }
        if (ref.dtype() != t.dtype()) {
            throw new TensorException.DTypeMismatch(name + " dtype " + t.dtype() + " does not match " + refName
                    + " dtype " + ref.dtype());
        }
        if (!ref.device().equals(t.device())) {
            throw new TensorException.DeviceMismatch(name + " is on " + t.device() + " but " + refName + " is on "
                    + ref.device());
        }
    }

    /** An output argument: like the reference and contiguous (written in place). */
    public static void output(String refName, Tensor ref, String name, Tensor out) {
        like(refName, ref, name, out);
        if (!out.isContiguous()) {
            throw new TensorException.Shape(name + " must be contiguous to be written in place");
        }
    }

    /**
     * Rejects an output that shares memory with one of {@code inputs} (PyTorch: "some elements of
     * the input tensor and the written-to tensor refer to a single memory location"). With
     * {@code inPlaceOk}, {@code out} may be exactly an input's view (the in-place form of an
     * elementwise op); any other overlap is an error. Null inputs are skipped.
     */
    public static void disjoint(String outName, Tensor out, boolean inPlaceOk, String[] names, Tensor... inputs) {
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null || !out.overlaps(in) || (inPlaceOk && out.sameView(in))) {
                continue;
            }
            throw new TensorException(outName + " overlaps " + names[i] + " in memory"
                    + (inPlaceOk ? " without being the same view" : "") + ": write to a separate tensor");
        }
    }

    /**
     * {@link #disjoint} for every non-null output: against the inputs (exactly an input's view is
     * allowed only when {@code inPlaceOk}) and against the outputs before it (never).
     */
    public static void disjointOutputs(String[] outNames, Tensor[] outs, boolean inPlaceOk, String[] inNames,
                                       Tensor... inputs) {
        for (int k = 0; k < outs.length; k++) {
            if (outs[k] == null) {
                continue;
            }
            disjoint(outNames[k], outs[k], inPlaceOk, inNames, inputs);
            disjoint(outNames[k], outs[k], false, outNames, java.util.Arrays.copyOf(outs, k));
        }
    }
}
