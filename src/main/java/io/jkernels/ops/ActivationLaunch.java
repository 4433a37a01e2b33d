package io.jkernels.ops;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * The launch path of the elementwise activations ({@link Activations}): argument checks, outputs,
 * contiguous copies, then {@code <op>_<fwd|bwd>_<dtype>(inputs..., outputs..., n [, attrs])} on the
 * inputs' device or the reference on cpu. Each public method of {@link Activations} is one call
 * into here (or into {@link PackedGated} for the packed gate/up forms).
 */
final class ActivationLaunch {
    private ActivationLaunch() {
    }

    /** The reference of one call: cpu inputs (contiguous) to cpu outputs. */
    @FunctionalInterface
    interface Ref {
        void run(Tensor[] in, Tensor[] out);
    }

    // ---- launch machinery ----------------------------------------------------------------------

    /**
     * The kernel attrs after the element count (ATTR in kernels/activations.cu): none (null), a
     * float (slope, alpha, value: FATTR), an int (approximate: IATTR) or floats in order (FFATTR).
     */
    static void attr(KernelArgs a, Object attr) {
        if (attr instanceof Float f) {
            a.f32(f);
        } else if (attr instanceof Integer i) {
            a.i32(i);
        } else if (attr instanceof float[] fs) {
            for (float f : fs) {
                a.f32(f);
            }
        } else if (attr != null) {
            throw new IllegalArgumentException("kernel attr of type " + attr.getClass().getName());
        }
    }

    /** Elements per thread per grid-stride step: one 16-byte vector. */
    static int perThread(Tensor t) {
        return 16 / t.dtype().bytes();
    }

    static void checkInputs(String[] names, Tensor[] inputs) {
        Checks.floating(names[0], inputs[0]);
        for (int i = 1; i < inputs.length; i++) {
            Checks.like(names[0], inputs[0], names[i], inputs[i]);
        }
    }

    /**
     * Runs {@code <op>_<dtype>(inputs..., outputs..., n [, attr])} on the inputs' device, or the
     * reference on cpu. {@code outs} entries may be null (allocated here). Validates first: nothing
     * is written when an argument is rejected.
     */
    static Tensor[] elementwise(String op, String[] names, Tensor[] inputs, Tensor[] outs, Object attr,
            Ref ref) {
        checkInputs(names, inputs);
        for (Tensor o : outs) {
            if (o != null) {
                Checks.output(names[0], inputs[0], "out", o);
            }
        }
        String[] outNames = new String[outs.length];
        java.util.Arrays.fill(outNames, "out");
        Checks.disjointOutputs(outNames, outs, true, names, inputs);
        Tensor[] result = outs.clone();
        Tensor[] contiguous = new Tensor[inputs.length];
        boolean ok = false;
        try {
            for (int i = 0; i < inputs.length; i++) {
                contiguous[i] = inputs[i].contiguous();
            }
            for (int i = 0; i < result.length; i++) {
                if (result[i] == null) {
                    result[i] = Tensor.empty(inputs[0].dtype(), inputs[0].device(), inputs[0].shape());
                }
            }
            long n = inputs[0].numel();
            if (n > 0) {
                KernelBackend kb = Kernels.of(inputs[0]);
                if (kb == null) {
                    ref.run(contiguous, result);
                } else {
                    KernelArgs a = KernelArgs.get();
                    for (Tensor t : contiguous) {
                        a.ptr(t);
                    }
                    for (Tensor t : result) {
                        a.ptr(t);
                    }
                    a.i64(n);
                    attr(a, attr);
                    kb.launch(op + "_" + inputs[0].dtype().suffix(), Kernels.elementwise(kb, n, perThread(inputs[0])),
                            a);
                }
            }
            ok = true;
            return result;
        } finally {
            closeAll(contiguous);
            if (!ok) {
                for (int i = 0; i < result.length; i++) {
                    if (outs[i] == null) {
                        closeAll(result[i]);
                    }
                }
            }
        }
    }

    static void closeAll(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }

    static Tensor unary(String op, Tensor input, Tensor out, Object attr, Ref ref) {
        return elementwise(op + "_fwd", new String[] {"input"}, new Tensor[] {input}, new Tensor[] {out}, attr, ref)[0];
    }

    static Tensor unaryBackward(String op, Tensor gradOutput, Tensor input, Tensor gradInput, Object attr,
            Ref ref) {
        return elementwise(op + "_bwd", new String[] {"grad_output", "input"}, new Tensor[] {gradOutput, input},
                new Tensor[] {gradInput}, attr, ref)[0];
    }

    static Tensor gated(String op, Tensor gate, Tensor up, Tensor out, Object attr, Ref ref) {
        return elementwise(op + "_fwd", new String[] {"gate", "up"}, new Tensor[] {gate, up}, new Tensor[] {out}, attr,
                ref)[0];
    }

    static Activations.GatedGrad gatedBackward(String op, Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate,
            Tensor gradUp, Object attr, Ref ref) {
        Tensor[] r = elementwise(op + "_bwd", new String[] {"grad_output", "gate", "up"},
                new Tensor[] {gradOutput, gate, up}, new Tensor[] {gradGate, gradUp}, attr, ref);
        return new Activations.GatedGrad(r[0], r[1]);
    }

    /** (grad_output, gate, up) -> (grad_gate, grad_up) into the given cpu tensors. */
    @FunctionalInterface
    interface GatedBackwardRef {
        void run(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp);
    }

    static Ref gradRef(GatedBackwardRef r) {
        return (in, o) -> r.run(in[0], in[1], in[2], o[0], o[1]);
    }

    /** {@code a}, or a BadAttr for null. */
    static Approximate approx(Approximate a) {
        if (a == null) {
            throw new TensorException.BadAttr("approximate must be \"none\" or \"tanh\", got null");
        }
        return a;
    }
}
