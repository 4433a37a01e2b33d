package io.jkernels.ops;

import static io.jkernels.ops.ActivationLaunch.gated;
import static io.jkernels.ops.ActivationLaunch.gatedBackward;
import static io.jkernels.ops.ActivationLaunch.gradRef;
import static io.jkernels.ops.ActivationLaunch.unary;
import static io.jkernels.ops.ActivationLaunch.unaryBackward;
import static io.jkernels.ops.PackedGated.packed;
import static io.jkernels.ops.PackedGated.packedBackward;
import io.jkernels.ref.ActivationsRef;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * The gated activations of {@link Activations} ({@code act(gate) * up}: swiglu, geglu, reglu,
 * glu), with gate and up apart or packed in one tensor. Package-private: the methods are public
 * and called through {@link Activations}, which extends this class (see its doc for the rules).
 */
abstract class GatedActivations {
    GatedActivations() {
    }

    // ---- swiglu: silu(gate) * up ---------------------------------------------------------------

    public static Tensor swiglu(Tensor gate, Tensor up) {
        return swiglu(gate, up, null);
    }

    /** swiglu into {@code out} (may be gate or up). */
    public static Tensor swiglu(Tensor gate, Tensor up, Tensor out) {
        return gated("swiglu", gate, up, out, null, (in, o) -> ActivationsRef.swiglu(in[0], in[1], o[0]));
    }

    /** Both gradients in one pass: {@code (g up silu'(gate), g silu(gate))}. */
    public static Activations.GatedGrad swigluBackward(Tensor gradOutput, Tensor gate, Tensor up) {
        return swigluBackward(gradOutput, gate, up, null, null);
    }

    /** The same into {@code gradGate} and {@code gradUp} (contiguous, shaped like gate), returned as a GatedGrad. */
    public static Activations.GatedGrad swigluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
        return gatedBackward("swiglu", gradOutput, gate, up, gradGate, gradUp, null, gradRef(ActivationsRef::swigluBackward));
    }

    /** Packed: gate and up are the halves of {@code x}'s dimension {@code dim} (see the class doc). */
    public static Tensor swiglu(Tensor x, int dim, boolean gateFirst) {
        return packed("swiglu", x, dim, gateFirst, null, (in, o) -> ActivationsRef.swiglu(in[0], in[1], o[0]));
    }

    /** Backward of the packed form: one gradient shaped like {@code x}. */
    public static Tensor swigluBackward(Tensor gradOutput, Tensor x, int dim, boolean gateFirst) {
        return packedBackward("swiglu", gradOutput, x, dim, gateFirst, null, gradRef(ActivationsRef::swigluBackward));
    }

    // ---- geglu: gelu(gate) * up ----------------------------------------------------------------

    public static Tensor geglu(Tensor gate, Tensor up) {
        return geglu(gate, up, Approximate.NONE, null);
    }

    public static Tensor geglu(Tensor gate, Tensor up, Approximate approximate) {
        return geglu(gate, up, approximate, null);
    }

    public static Tensor geglu(Tensor gate, Tensor up, Approximate approximate, Tensor out) {
        boolean t = ActivationLaunch.approx(approximate) == Approximate.TANH;
        return gated("geglu", gate, up, out, approximate.code(),
                (in, o) -> ActivationsRef.geglu(in[0], in[1], t, o[0]));
    }

    public static Activations.GatedGrad gegluBackward(Tensor gradOutput, Tensor gate, Tensor up) {
        return gegluBackward(gradOutput, gate, up, Approximate.NONE);
    }

    public static Activations.GatedGrad gegluBackward(Tensor gradOutput, Tensor gate, Tensor up, Approximate approximate) {
        return gegluBackward(gradOutput, gate, up, approximate, null, null);
    }

    /** The same into {@code gradGate} and {@code gradUp} (contiguous, shaped like gate), returned as a GatedGrad. */
    public static Activations.GatedGrad gegluBackward(Tensor gradOutput, Tensor gate, Tensor up, Approximate approximate,
            Tensor gradGate, Tensor gradUp) {
        boolean t = ActivationLaunch.approx(approximate) == Approximate.TANH;
        return gatedBackward("geglu", gradOutput, gate, up, gradGate, gradUp, approximate.code(),
                gradRef((g, a, u, dg, du) -> ActivationsRef.gegluBackward(g, a, u, t, dg, du)));
    }

    public static Tensor geglu(Tensor x, int dim, boolean gateFirst, Approximate approximate) {
        boolean t = ActivationLaunch.approx(approximate) == Approximate.TANH;
        return packed("geglu", x, dim, gateFirst, approximate.code(),
                (in, o) -> ActivationsRef.geglu(in[0], in[1], t, o[0]));
    }

    public static Tensor gegluBackward(Tensor gradOutput, Tensor x, int dim, boolean gateFirst,
            Approximate approximate) {
        boolean t = ActivationLaunch.approx(approximate) == Approximate.TANH;
        return packedBackward("geglu", gradOutput, x, dim, gateFirst, approximate.code(),
                gradRef((g, a, u, dg, du) -> ActivationsRef.gegluBackward(g, a, u, t, dg, du)));
    }

    // ---- reglu: relu(gate) * up ----------------------------------------------------------------

    public static Tensor reglu(Tensor gate, Tensor up) {
        return reglu(gate, up, null);
    }

    public static Tensor reglu(Tensor gate, Tensor up, Tensor out) {
        return gated("reglu", gate, up, out, null, (in, o) -> ActivationsRef.reglu(in[0], in[1], o[0]));
    }

    /** {@code (gate <= 0 ? 0 : g up, g relu(gate))}. */
    public static Activations.GatedGrad regluBackward(Tensor gradOutput, Tensor gate, Tensor up) {
        return regluBackward(gradOutput, gate, up, null, null);
    }

    /** The same into {@code gradGate} and {@code gradUp} (contiguous, shaped like gate), returned as a GatedGrad. */
    public static Activations.GatedGrad regluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
        return gatedBackward("reglu", gradOutput, gate, up, gradGate, gradUp, null, gradRef(ActivationsRef::regluBackward));
    }

    public static Tensor reglu(Tensor x, int dim, boolean gateFirst) {
        return packed("reglu", x, dim, gateFirst, null, (in, o) -> ActivationsRef.reglu(in[0], in[1], o[0]));
    }

    public static Tensor regluBackward(Tensor gradOutput, Tensor x, int dim, boolean gateFirst) {
        return packedBackward("reglu", gradOutput, x, dim, gateFirst, null, gradRef(ActivationsRef::regluBackward));
    }

    // ---- glu: sigmoid(gate) * up ---------------------------------------------------------------

    /** {@code sigmoid(gate) * up} (OPS.md glu, separate inputs). */
    public static Tensor glu(Tensor gate, Tensor up) {
        return glu(gate, up, null);
    }

    public static Tensor glu(Tensor gate, Tensor up, Tensor out) {
        return gated("glu", gate, up, out, null, (in, o) -> ActivationsRef.glu(in[0], in[1], o[0]));
    }

    public static Activations.GatedGrad gluBackward(Tensor gradOutput, Tensor gate, Tensor up) {
        return gluBackward(gradOutput, gate, up, null, null);
    }

    /** The same into {@code gradGate} and {@code gradUp} (contiguous, shaped like gate), returned as a GatedGrad. */
    public static Activations.GatedGrad gluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
        return gatedBackward("glu", gradOutput, gate, up, gradGate, gradUp, null, gradRef(ActivationsRef::gluBackward));
    }

    /** torch.nn.functional.glu(x, dim) with dim -1. */
    public static Tensor glu(Tensor x) {
        return glu(x, -1);
    }

    /**
     * torch.nn.functional.glu(x, dim): {@code a * sigmoid(b)} where a, b are the first and second
     * halves of dimension {@code dim} (so the gate is the second half).
     */
    public static Tensor glu(Tensor x, int dim) {
        return glu(x, dim, false);
    }

    /** Packed glu with either gate order ({@code gateFirst} false is torch's F.glu). */
    public static Tensor glu(Tensor x, int dim, boolean gateFirst) {
        return packed("glu", x, dim, gateFirst, null, (in, o) -> ActivationsRef.glu(in[0], in[1], o[0]));
    }

    /** Backward of {@link #glu(Tensor, int)}: one gradient shaped like {@code x} (aten glu_backward). */
    public static Tensor gluBackward(Tensor gradOutput, Tensor x, int dim) {
        return gluBackward(gradOutput, x, dim, false);
    }

    public static Tensor gluBackward(Tensor gradOutput, Tensor x, int dim, boolean gateFirst) {
        return packedBackward("glu", gradOutput, x, dim, gateFirst, null, gradRef(ActivationsRef::gluBackward));
    }
}
