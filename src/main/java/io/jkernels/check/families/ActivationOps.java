package io.jkernels.check.families;

import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpFamily;
import io.jkernels.check.OpRegistry;
import io.jkernels.ops.Activations;
import io.jkernels.ops.Approximate;
import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * The activations of OPS.md "Activations" for the conformance runner and the demo. Adding an op is
 * one line with a helper below, e.g.
 *
 * <pre>{@code
 * r.register(unary("sigmoid", SMOOTH, Activations::sigmoid));
 * r.register(unaryWithAttrs("gelu", SMOOTH, (x, a) -> Activations.gelu(x, a.getString("approximate")), APPROXIMATE));
 * r.register(unaryBackward("sigmoid_backward", Activations::sigmoidBackward));
 * r.register(gated("swiglu", SMOOTH, Activations::swiglu));
 * r.register(gatedBackward("swiglu_backward", (g, gate, up) -> ...two tensors...));
 * r.demo("sigmoid");
 * }</pre>
 */
public final class ActivationOps implements OpFamily {

    /** Default tolerances of OPS.md's activations. */
    public enum Tol {
        /** relu, leaky_relu, reglu, heaviside forward: exact up to one rounding (the float32 default). */
        EXACT(1e-5, 1e-6),
        /** Every other activation and every backward. */
        SMOOTH(1e-5, 1e-5);

        final double rtol;
        final double atol;

        Tol(double rtol, double atol) {
            this.rtol = rtol;
            this.atol = atol;
        }
    }

    public static final Tol EXACT = Tol.EXACT;
    public static final Tol SMOOTH = Tol.SMOOTH;

    /** gelu and geglu: "none" (erf) or "tanh". */
    public static final AttrSpec APPROXIMATE = AttrSpec.string("approximate", "none", "none", "tanh");
    /** leaky_relu. */
    public static final AttrSpec NEGATIVE_SLOPE = AttrSpec.real("negative_slope", 0.01);
    /** elu. */
    public static final AttrSpec ALPHA = AttrSpec.real("alpha", 1.0);
    /** heaviside: the value at 0. */
    public static final AttrSpec VALUE = AttrSpec.real("value", 0.0);

    @Override
    public void register(OpRegistry r) {
        r.register(unary("relu", EXACT, Activations::relu));
        r.register(unaryBackward("relu_backward", Activations::reluBackward));
        r.register(unaryWithAttrs("leaky_relu", EXACT,
                (x, a) -> Activations.leakyRelu(x, a.getDouble("negative_slope")), NEGATIVE_SLOPE));
        r.register(unaryBackwardWithAttrs("leaky_relu_backward",
                (g, x, a) -> Activations.leakyReluBackward(g, x, a.getDouble("negative_slope")), NEGATIVE_SLOPE));
        r.register(unaryWithAttrs("elu", SMOOTH, (x, a) -> Activations.elu(x, a.getDouble("alpha")), ALPHA));
        r.register(unaryBackwardWithAttrs("elu_backward",
                (g, x, a) -> Activations.eluBackward(g, x, a.getDouble("alpha")), ALPHA));
        r.register(unaryWithAttrs("heaviside", EXACT, (x, a) -> Activations.heaviside(x, a.getDouble("value")), VALUE));
        r.register(unary("sigmoid", SMOOTH, Activations::sigmoid));
        r.register(unaryBackward("sigmoid_backward", Activations::sigmoidBackward));
        r.register(unary("tanh", SMOOTH, Activations::tanh));
        r.register(unaryBackward("tanh_backward", Activations::tanhBackward));
        r.register(unary("silu", SMOOTH, Activations::silu));
        r.register(unaryBackward("silu_backward", Activations::siluBackward));
        r.register(unaryWithAttrs("gelu", SMOOTH,
                (x, a) -> Activations.gelu(x, a.getString("approximate")), APPROXIMATE));
        r.register(unaryBackwardWithAttrs("gelu_backward",
                (g, x, a) -> Activations.geluBackward(g, x, a.getString("approximate")), APPROXIMATE));
        r.register(gated("swiglu", SMOOTH, Activations::swiglu));
        r.register(gatedBackward("swiglu_backward", (g, gate, up) -> pair(Activations.swigluBackward(g, gate, up))));
        r.register(gatedWithAttrs("geglu", SMOOTH,
                (gate, up, a) -> Activations.geglu(gate, up, Approximate.parse(a.getString("approximate"))), APPROXIMATE));
        r.register(gatedBackwardWithAttrs("geglu_backward", (g, gate, up, a) -> pair(
                Activations.gegluBackward(g, gate, up, Approximate.parse(a.getString("approximate")))), APPROXIMATE));
        r.register(gated("reglu", EXACT, Activations::reglu));
        r.register(gatedBackward("reglu_backward", (g, gate, up) -> pair(Activations.regluBackward(g, gate, up))));
        r.register(gated("glu", SMOOTH, Activations::glu));
        r.register(gatedBackward("glu_backward", (g, gate, up) -> pair(Activations.gluBackward(g, gate, up))));

        for (String op : new String[] {"relu", "relu_backward", "leaky_relu", "elu", "heaviside", "sigmoid",
            "sigmoid_backward", "tanh", "silu", "silu_backward", "gelu", "gelu_backward", "swiglu",
            "swiglu_backward", "geglu", "geglu_backward", "reglu", "glu"}) {
            r.demo(op);
        }
        r.demo("gelu", Map.of("approximate", "tanh"));
    }

    private static Tensor[] pair(Activations.GatedGrad g) {
        return new Tensor[] {g.gradGate(), g.gradUp()};
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** (gate, up, attrs) -> output. */
    @FunctionalInterface
    public interface GatedWithAttrs {
        Tensor apply(Tensor gate, Tensor up, Attrs attrs);
    }

    /** (grad_output, input, attrs) -> grad_input. */
    @FunctionalInterface
    public interface UnaryBackwardWithAttrs {
        Tensor apply(Tensor gradOutput, Tensor input, Attrs attrs);
    }

    /** (grad_output, gate, up) -> {grad_gate, grad_up}. */
    @FunctionalInterface
    public interface GatedBackward {
        Tensor[] apply(Tensor gradOutput, Tensor gate, Tensor up);
    }

    /** (grad_output, gate, up, attrs) -> {grad_gate, grad_up}. */
    @FunctionalInterface
    public interface GatedBackwardWithAttrs {
        Tensor[] apply(Tensor gradOutput, Tensor gate, Tensor up, Attrs attrs);
    }

    /** input -> output, no attrs. */
    public static OpDef unary(String op, Tol tol, UnaryOperator<Tensor> f) {
        return unaryWithAttrs(op, tol, (x, a) -> f.apply(x));
    }

    /** input -> output with attrs. */
    public static OpDef unaryWithAttrs(String op, Tol tol, BiFunction<Tensor, Attrs, Tensor> f, AttrSpec... attrs) {
        return OpDef.builder(op).input("input").attrs(attrs).outputs("output").tolerance(tol.rtol, tol.atol)
                .body((in, a) -> Map.of("output", f.apply(in.get("input"), a)))
                .build();
    }

    /** (grad_output, input) -> grad_input, no attrs; the backward tolerance. */
    public static OpDef unaryBackward(String op, BinaryOperator<Tensor> f) {
        return unaryBackwardWithAttrs(op, (g, x, a) -> f.apply(g, x));
    }

    /** (grad_output, input) -> grad_input with attrs; the backward tolerance. */
    public static OpDef unaryBackwardWithAttrs(String op, UnaryBackwardWithAttrs f, AttrSpec... attrs) {
        return OpDef.builder(op).inputs("grad_output", "input").attrs(attrs).outputs("grad_input")
                .tolerance(SMOOTH.rtol, SMOOTH.atol)
                .body((in, a) -> Map.of("grad_input", f.apply(in.get("grad_output"), in.get("input"), a)))
                .build();
    }

    /** (gate, up) -> output, no attrs. */
    public static OpDef gated(String op, Tol tol, BinaryOperator<Tensor> f) {
        return gatedWithAttrs(op, tol, (g, u, a) -> f.apply(g, u));
    }

    /** (gate, up) -> output with attrs. */
    public static OpDef gatedWithAttrs(String op, Tol tol, GatedWithAttrs f, AttrSpec... attrs) {
        return OpDef.builder(op).inputs("gate", "up").attrs(attrs).outputs("output").tolerance(tol.rtol, tol.atol)
                .body((in, a) -> Map.of("output", f.apply(in.get("gate"), in.get("up"), a)))
                .build();
    }

    /** (grad_output, gate, up) -> grad_gate, grad_up, no attrs; the backward tolerance. */
    public static OpDef gatedBackward(String op, GatedBackward f) {
        return gatedBackwardWithAttrs(op, (g, x, u, a) -> f.apply(g, x, u));
    }

    /** (grad_output, gate, up) -> grad_gate, grad_up with attrs; the backward tolerance. */
    public static OpDef gatedBackwardWithAttrs(String op, GatedBackwardWithAttrs f, AttrSpec... attrs) {
        return OpDef.builder(op).inputs("grad_output", "gate", "up").attrs(attrs).outputs("grad_gate", "grad_up")
                .tolerance(SMOOTH.rtol, SMOOTH.atol)
                .body((in, a) -> {
                    Tensor[] g = f.apply(in.get("grad_output"), in.get("gate"), in.get("up"), a);
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    out.put("grad_gate", g[0]);
                    out.put("grad_up", g[1]);
                    return out;
                })
                .build();
    }
}
