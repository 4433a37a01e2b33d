package io.jkernels.ops;

import io.jkernels.ops.Activations.GatedGrad;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import io.jkernels.testing.Inputs;
import java.util.List;

/**
 * Every activation op of OPS.md as a uniform test subject: how to make its inputs and how to run
 * it into given (or fresh) outputs. Used by the emu and cpu tests.
 */
final class ActivationOpTable {
    private ActivationOpTable() {
    }

    @FunctionalInterface
    interface Run {
        /** Runs the op on {@code in}; {@code out} entries are the out= tensors, or null (allocate). */
        Tensor[] apply(Tensor[] in, Tensor[] out);
    }

    /**
     * One op: {@code inputs} names (the first, grad_output in a backward, is drawn without special
     * values), number of outputs, and whether it is exact up to one rounding (relu, leaky_relu,
     * reglu, heaviside forward; OPS.md).
     */
    record Op(String name, List<String> inputs, int outputs, boolean exact, Run run) {
        @Override
        public String toString() {
            return name;
        }

        boolean backward() {
            return name.contains("backward");
        }

        /** Seeded cpu inputs of this op: activations get the special values, gradients and up do not. */
        Tensor[] makeInputs(long seed, DType dtype, long[] shape) {
            Tensor[] t = new Tensor[inputs.size()];
            for (int i = 0; i < t.length; i++) {
                String n = inputs.get(i);
                boolean special = n.equals("input") || n.equals("gate");
                t[i] = Inputs.mixed(seed * 31 + i, dtype, special ? 3.0 : 2.0, 0.05,
                        special ? specials(exact) : n.equals("up") ? UP_SPECIALS : new double[0], shape);
            }
            return t;
        }
    }

    /**
     * Values the kernels must get right: zeros, tiny and denormal, the GELU negative tail (x < -5),
     * sigmoid/silu past exp overflow (x < -88), large values, NaN; +-Inf only for the exact ops
     * (OPS.md leaves the others' value at +-Inf unspecified).
     */
    static double[] specials(boolean withInf) {
        double[] base = {0.0, -0.0, Double.NaN, 1e-30, -1e-30, 1e-40, -5.5, -6.5, -7.25, -9.0, -12.0, -20.0, 20.0,
            -50.0, -88.5, -90.0, -100.0, 100.0, 1.0, -1.0, 3.0, -3.0};
        if (!withInf) {
            return base;
        }
        double[] t = java.util.Arrays.copyOf(base, base.length + 2);
        t[base.length] = Double.POSITIVE_INFINITY;
        t[base.length + 1] = Double.NEGATIVE_INFINITY;
        return t;
    }

    private static final double[] UP_SPECIALS = {0.0, -0.0, Double.NaN, 1.0, -1.0};

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    private static Tensor[] two(GatedGrad g) {
        return new Tensor[] {g.gradGate(), g.gradUp()};
    }

    private static Op unary(String name, boolean exact, Run run) {
        return new Op(name, List.of("input"), 1, exact, run);
    }

    private static Op unaryBwd(String name, Run run) {
        return new Op(name, List.of("grad_output", "input"), 1, false, run);
    }

    private static Op gated(String name, boolean exact, Run run) {
        return new Op(name, List.of("gate", "up"), 1, exact, run);
    }

    private static Op gatedBwd(String name, Run run) {
        return new Op(name, List.of("grad_output", "gate", "up"), 2, false, run);
    }

    /** The ops written out here, with non-default attrs where an op has attrs (to test that they arrive). */
    private static final List<Op> WRITTEN = List.of(
            unary("relu", true, (i, o) -> one(Activations.relu(i[0], o[0]))),
            unaryBwd("relu_backward", (i, o) -> one(Activations.reluBackward(i[0], i[1], o[0]))),
            unary("leaky_relu(0.2)", true, (i, o) -> one(Activations.leakyRelu(i[0], 0.2, o[0]))),
            unaryBwd("leaky_relu_backward(0.2)", (i, o) -> one(Activations.leakyReluBackward(i[0], i[1], 0.2, o[0]))),
            unary("elu(0.5)", false, (i, o) -> one(Activations.elu(i[0], 0.5, o[0]))),
            unaryBwd("elu_backward(0.5)", (i, o) -> one(Activations.eluBackward(i[0], i[1], 0.5, o[0]))),
            unary("heaviside(0.5)", true, (i, o) -> one(Activations.heaviside(i[0], 0.5, o[0]))),
            unary("sigmoid", false, (i, o) -> one(Activations.sigmoid(i[0], o[0]))),
            unaryBwd("sigmoid_backward", (i, o) -> one(Activations.sigmoidBackward(i[0], i[1], o[0]))),
            unary("tanh", false, (i, o) -> one(Activations.tanh(i[0], o[0]))),
            unaryBwd("tanh_backward", (i, o) -> one(Activations.tanhBackward(i[0], i[1], o[0]))),
            unary("silu", false, (i, o) -> one(Activations.silu(i[0], o[0]))),
            unaryBwd("silu_backward", (i, o) -> one(Activations.siluBackward(i[0], i[1], o[0]))),
            unary("gelu", false, (i, o) -> one(Activations.gelu(i[0], Approximate.NONE, o[0]))),
            unaryBwd("gelu_backward", (i, o) -> one(Activations.geluBackward(i[0], i[1], Approximate.NONE, o[0]))),
            unary("gelu(tanh)", false, (i, o) -> one(Activations.gelu(i[0], Approximate.TANH, o[0]))),
            unaryBwd("gelu_backward(tanh)",
                    (i, o) -> one(Activations.geluBackward(i[0], i[1], Approximate.TANH, o[0]))),
            gated("swiglu", false, (i, o) -> one(Activations.swiglu(i[0], i[1], o[0]))),
            gatedBwd("swiglu_backward", (i, o) -> two(Activations.swigluBackward(i[0], i[1], i[2], o[0], o[1]))),
            gated("geglu", false, (i, o) -> one(Activations.geglu(i[0], i[1], Approximate.NONE, o[0]))),
            gatedBwd("geglu_backward",
                    (i, o) -> two(Activations.gegluBackward(i[0], i[1], i[2], Approximate.NONE, o[0], o[1]))),
            gated("geglu(tanh)", false, (i, o) -> one(Activations.geglu(i[0], i[1], Approximate.TANH, o[0]))),
            gatedBwd("geglu_backward(tanh)",
                    (i, o) -> two(Activations.gegluBackward(i[0], i[1], i[2], Approximate.TANH, o[0], o[1]))),
            gated("reglu", true, (i, o) -> one(Activations.reglu(i[0], i[1], o[0]))),
            gatedBwd("reglu_backward", (i, o) -> two(Activations.regluBackward(i[0], i[1], i[2], o[0], o[1]))),
            gated("glu", false, (i, o) -> one(Activations.glu(i[0], i[1], o[0]))),
            gatedBwd("glu_backward", (i, o) -> two(Activations.gluBackward(i[0], i[1], i[2], o[0], o[1]))));

    /**
     * Every activation of the op table that {@link #WRITTEN} does not name (an op added through the
     * table alone is swept too), once per demo row's attrs (default attrs when it has none). Exact
     * (tolerance 0 in f32) when the table says bit-exact or gives OPS.md's one-rounding tolerance.
     */
    static List<Op> fromTable() {
        java.util.Set<String> written = new java.util.HashSet<>();
        for (Op op : WRITTEN) {
            written.add(op.name().replaceAll("\\(.*", ""));
        }
        List<Op> out = new java.util.ArrayList<>();
        for (OpEntry e : OpTable.standard().ops()) {
            if (!e.family().equals("activations") || written.contains(e.name())) {
                continue;
            }
            if (e.elementwise() == null) {
                throw new IllegalStateException("activation " + e.name() + " has no elementwise call");
            }
            boolean exact = e.tolerance().bitExact() || e.def().atol() == 1e-6;
            List<DemoCase> variants = e.demos().isEmpty() ? List.of(DemoCase.of(e.name(), java.util.Map.of()))
                    : e.demos();
            for (DemoCase d : variants) {
                Attrs a = e.def().parseAttrs(d.attrs());
                out.add(new Op(d.label(), e.def().requiredInputs(), e.def().outputs().size(), exact,
                        (i, o) -> e.elementwise().run(i, a, o)));
            }
        }
        return out;
    }

    /** Every activation: the written ones, then the rest of the op table. */
    static final List<Op> OPS = java.util.stream.Stream.concat(WRITTEN.stream(), fromTable().stream()).toList();

    /** Closes every non-null tensor. */
    static void close(Tensor[]... groups) {
        for (Tensor[] g : groups) {
            if (g != null) {
                for (Tensor t : g) {
                    if (t != null) {
                        t.close();
                    }
                }
            }
        }
    }
}
