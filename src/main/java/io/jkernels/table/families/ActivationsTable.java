package io.jkernels.table.families;

import io.jkernels.bench.ElementwiseBench;
import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.ops.Activations;
import io.jkernels.ops.Activations.GatedGrad;
import io.jkernels.ops.Approximate;
import io.jkernels.ref.ActivationsRef;
import io.jkernels.table.ElementwiseOp;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpFamily;
import io.jkernels.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The activations of OPS.md "Activations" (and docs/OPS-EXTENSIONS.md): one definition per op.
 * The public API is {@link Activations}, the reference {@link ActivationsRef}, the kernels
 * kernels/activations.cu over the math of kernels/math/activations.h, the golden cases
 * tools/golden/gen_activations.py. Adding an op: docs/ADDING_AN_OP.md.
 */
public final class ActivationsTable implements OpFamily {
    static final String FAMILY = "activations";

    /** gelu and geglu: "none" (erf) or "tanh". */
    static final AttrSpec APPROXIMATE = AttrSpec.string("approximate", "none", "none", "tanh");
    static final AttrSpec NEGATIVE_SLOPE = AttrSpec.real("negative_slope", Activations.LEAKY_RELU_SLOPE);
    static final AttrSpec ALPHA = AttrSpec.real("alpha", Activations.ELU_ALPHA);
    /** softplus: finite, non-zero (PyTorch would return inf or NaN for 0). */
    static final AttrSpec BETA = AttrSpec.real("beta", Activations.SOFTPLUS_BETA)
            .where(v -> ((Double) v) != 0 && Double.isFinite((Double) v), "finite and non-zero");
    /** softplus: where beta x exceeds it, the output is x. */
    static final AttrSpec THRESHOLD = AttrSpec.real("threshold", Activations.SOFTPLUS_THRESHOLD)
            .where(v -> !Double.isNaN((Double) v), "not NaN");
    /** heaviside: the value at 0. */
    static final AttrSpec VALUE = AttrSpec.real("value", 0.0);

    /** OPS.md's float32 default: the op rounds once, as the reference does. */
    private static final double[] ONE_ROUNDING = {1e-5, 1e-6};
    /** OPS.md's activation tolerance: every transcendental activation and every backward. */
    private static final double[] SMOOTH = {1e-5, 1e-5};
    private static final String SMOOTH_WHY = "float32 exp/erf/tanh in the kernel against float64 math, a few ulp";
    private static final String BACKWARD_WHY = "a product of float32 terms each rounded once, against float64";

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public List<OpEntry> ops() {
        return List.of(
                unary("relu", "torch.nn.functional.relu", ONE_ROUNDING, "max(x, 0) selects its input")
                        .bitExact().api((in, a, o) -> one(Activations.relu(in[0], o[0])))
                        .reference((in, a, o) -> ActivationsRef.relu(in[0], o[0])).demo().build(),
                backward("relu_backward", "torch.ops.aten.threshold_backward(g, x, 0)",
                        "selects grad_output or zero").bitExact()
                        .api((in, a, o) -> one(Activations.reluBackward(in[0], in[1], o[0])))
                        .reference((in, a, o) -> ActivationsRef.reluBackward(in[0], in[1], o[0])).demo().build(),
                unary("leaky_relu", "torch.nn.functional.leaky_relu", ONE_ROUNDING, "one float32 product")
                        .attrs(NEGATIVE_SLOPE)
                        .api((in, a, o) -> one(Activations.leakyRelu(in[0], slope(a), o[0])))
                        .reference((in, a, o) -> ActivationsRef.leakyRelu(in[0], slope(a), o[0])).demo().build(),
                backward("leaky_relu_backward", "torch.ops.aten.leaky_relu_backward", BACKWARD_WHY)
                        .attrs(NEGATIVE_SLOPE)
                        .api((in, a, o) -> one(Activations.leakyReluBackward(in[0], in[1], slope(a), o[0])))
                        .reference((in, a, o) -> ActivationsRef.leakyReluBackward(in[0], in[1], slope(a), o[0]))
                        .build(),
                unary("elu", "torch.nn.functional.elu", SMOOTH, SMOOTH_WHY).attrs(ALPHA)
                        .api((in, a, o) -> one(Activations.elu(in[0], alpha(a), o[0])))
                        .reference((in, a, o) -> ActivationsRef.elu(in[0], alpha(a), o[0])).demo().build(),
                backward("elu_backward", "torch.ops.aten.elu_backward", BACKWARD_WHY).attrs(ALPHA)
                        .api((in, a, o) -> one(Activations.eluBackward(in[0], in[1], alpha(a), o[0])))
                        .reference((in, a, o) -> ActivationsRef.eluBackward(in[0], in[1], alpha(a), o[0])).build(),
                unary("heaviside", "torch.heaviside", ONE_ROUNDING, "selects 0, 1, value or NaN").bitExact()
                        .attrs(VALUE)
                        .api((in, a, o) -> one(Activations.heaviside(in[0], a.getDouble("value"), o[0])))
                        .reference((in, a, o) -> ActivationsRef.heaviside(in[0], a.getDouble("value"), o[0]))
                        .demo().build(),
                unary("sigmoid", "torch.sigmoid", SMOOTH, SMOOTH_WHY)
                        .api((in, a, o) -> one(Activations.sigmoid(in[0], o[0])))
                        .reference((in, a, o) -> ActivationsRef.sigmoid(in[0], o[0])).demo().build(),
                backward("sigmoid_backward", "torch.ops.aten.sigmoid_backward", BACKWARD_WHY)
                        .api((in, a, o) -> one(Activations.sigmoidBackward(in[0], in[1], o[0])))
                        .reference((in, a, o) -> ActivationsRef.sigmoidBackward(in[0], in[1], o[0])).demo().build(),
                unary("tanh", "torch.tanh", SMOOTH, SMOOTH_WHY)
                        .api((in, a, o) -> one(Activations.tanh(in[0], o[0])))
                        .reference((in, a, o) -> ActivationsRef.tanh(in[0], o[0])).demo().build(),
                backward("tanh_backward", "torch.ops.aten.tanh_backward", BACKWARD_WHY)
                        .api((in, a, o) -> one(Activations.tanhBackward(in[0], in[1], o[0])))
                        .reference((in, a, o) -> ActivationsRef.tanhBackward(in[0], in[1], o[0])).build(),
                unary("silu", "torch.nn.functional.silu", SMOOTH, SMOOTH_WHY)
                        .api((in, a, o) -> one(Activations.silu(in[0], o[0])))
                        .reference((in, a, o) -> ActivationsRef.silu(in[0], o[0])).demo().build(),
                backward("silu_backward", "torch.ops.aten.silu_backward", BACKWARD_WHY)
                        .api((in, a, o) -> one(Activations.siluBackward(in[0], in[1], o[0])))
                        .reference((in, a, o) -> ActivationsRef.siluBackward(in[0], in[1], o[0])).demo().build(),
                unary("softplus", "torch.nn.functional.softplus", SMOOTH, SMOOTH_WHY).attrs(BETA, THRESHOLD)
                        .api((in, a, o) -> one(Activations.softplus(in[0], beta(a), threshold(a), o[0])))
                        .reference((in, a, o) -> ActivationsRef.softplus(in[0], (float) beta(a),
                                (float) threshold(a), o[0]))
                        .demo().demo(Map.of("beta", 2.0, "threshold", 5.0)).build(),
                backward("softplus_backward", "torch.ops.aten.softplus_backward", BACKWARD_WHY)
                        .attrs(BETA, THRESHOLD)
                        .api((in, a, o) -> one(Activations.softplusBackward(in[0], in[1], beta(a), threshold(a),
                                o[0])))
                        .reference((in, a, o) -> ActivationsRef.softplusBackward(in[0], in[1], (float) beta(a),
                                (float) threshold(a), o[0]))
                        .demo().build(),
                unary("gelu", "torch.nn.functional.gelu", SMOOTH, SMOOTH_WHY).attrs(APPROXIMATE)
                        .api((in, a, o) -> one(Activations.gelu(in[0], approximate(a), o[0])))
                        .reference((in, a, o) -> ActivationsRef.gelu(in[0], tanh(a), o[0]))
                        .demo().demo(Map.of("approximate", "tanh")).build(),
                backward("gelu_backward", "torch.ops.aten.gelu_backward", BACKWARD_WHY).attrs(APPROXIMATE)
                        .api((in, a, o) -> one(Activations.geluBackward(in[0], in[1], approximate(a), o[0])))
                        .reference((in, a, o) -> ActivationsRef.geluBackward(in[0], in[1], tanh(a), o[0]))
                        .demo().build(),
                gated("swiglu", "F.silu(gate) * up", SMOOTH, SMOOTH_WHY)
                        .api((in, a, o) -> one(Activations.swiglu(in[0], in[1], o[0])))
                        .reference((in, a, o) -> ActivationsRef.swiglu(in[0], in[1], o[0])).demo().build(),
                gatedBackward("swiglu_backward", "autograd of F.silu(gate) * up")
                        .api((in, a, o) -> two(Activations.swigluBackward(in[0], in[1], in[2], o[0], o[1])))
                        .reference((in, a, o) -> ActivationsRef.swigluBackward(in[0], in[1], in[2], o[0], o[1]))
                        .demo().build(),
                gated("geglu", "F.gelu(gate, approximate=approximate) * up", SMOOTH, SMOOTH_WHY).attrs(APPROXIMATE)
                        .api((in, a, o) -> one(Activations.geglu(in[0], in[1], approximate(a), o[0])))
                        .reference((in, a, o) -> ActivationsRef.geglu(in[0], in[1], tanh(a), o[0])).demo().build(),
                gatedBackward("geglu_backward", "autograd of F.gelu(gate, approximate=approximate) * up")
                        .attrs(APPROXIMATE)
                        .api((in, a, o) -> two(Activations.gegluBackward(in[0], in[1], in[2], approximate(a),
                                o[0], o[1])))
                        .reference((in, a, o) -> ActivationsRef.gegluBackward(in[0], in[1], in[2], tanh(a), o[0],
                                o[1]))
                        .demo().build(),
                gated("reglu", "F.relu(gate) * up", ONE_ROUNDING, "one float32 product of a selected value")
                        .api((in, a, o) -> one(Activations.reglu(in[0], in[1], o[0])))
                        .reference((in, a, o) -> ActivationsRef.reglu(in[0], in[1], o[0])).demo().build(),
                gatedBackward("reglu_backward", "autograd of F.relu(gate) * up")
                        .api((in, a, o) -> two(Activations.regluBackward(in[0], in[1], in[2], o[0], o[1])))
                        .reference((in, a, o) -> ActivationsRef.regluBackward(in[0], in[1], in[2], o[0], o[1]))
                        .build(),
                gated("glu", "torch.sigmoid(gate) * up (F.glu with gate and up apart)", SMOOTH, SMOOTH_WHY)
                        .api((in, a, o) -> one(Activations.glu(in[0], in[1], o[0])))
                        .reference((in, a, o) -> ActivationsRef.glu(in[0], in[1], o[0])).demo().build(),
                gatedBackward("glu_backward", "autograd of torch.sigmoid(gate) * up")
                        .api((in, a, o) -> two(Activations.gluBackward(in[0], in[1], in[2], o[0], o[1])))
                        .reference((in, a, o) -> ActivationsRef.gluBackward(in[0], in[1], in[2], o[0], o[1]))
                        .build());
    }

    // ---- the shapes of an activation -----------------------------------------------------------

    /** input -> output. */
    static ElementwiseOp unary(String op, String torch, double[] tol, String why) {
        return ElementwiseOp.of(FAMILY, op, "input").outputs("output").torch(torch).tolerance(tol[0], tol[1], why);
    }

    /** (grad_output, input) -> grad_input, OPS.md's backward tolerance. */
    static ElementwiseOp backward(String op, String torch, String why) {
        return ElementwiseOp.of(FAMILY, op, "grad_output", "input").outputs("grad_input").torch(torch)
                .tolerance(SMOOTH[0], SMOOTH[1], why);
    }

    /** (gate, up) -> output, gate and up half the elementwise bench size each. */
    static ElementwiseOp gated(String op, String torch, double[] tol, String why) {
        return ElementwiseOp.of(FAMILY, op, "gate", "up").outputs("output").torch(torch)
                .tolerance(tol[0], tol[1], why).sizes(ElementwiseBench.GATED);
    }

    /** (grad_output, gate, up) -> (grad_gate, grad_up), OPS.md's backward tolerance. */
    static ElementwiseOp gatedBackward(String op, String torch) {
        return ElementwiseOp.of(FAMILY, op, "grad_output", "gate", "up").outputs("grad_gate", "grad_up").torch(torch)
                .tolerance(SMOOTH[0], SMOOTH[1], BACKWARD_WHY).sizes(ElementwiseBench.GATED);
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    private static Tensor[] two(GatedGrad g) {
        return new Tensor[] {g.gradGate(), g.gradUp()};
    }

    private static double slope(Attrs a) {
        return a.getDouble("negative_slope");
    }

    private static double beta(Attrs a) {
        return a.getDouble("beta");
    }

    private static double threshold(Attrs a) {
        return a.getDouble("threshold");
    }

    private static double alpha(Attrs a) {
        return a.getDouble("alpha");
    }

    private static Approximate approximate(Attrs a) {
        return Approximate.parse(a.getString("approximate"));
    }

    private static boolean tanh(Attrs a) {
        return approximate(a) == Approximate.TANH;
    }
}
