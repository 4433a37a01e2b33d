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
 * Activation functions, forward and backward (OPS.md "Activations"; PyTorch names and defaults):
 * relu, leaky_relu, elu, sigmoid, tanh, gelu, silu, softplus, heaviside (forward only) and the gated family
 * swiglu, geglu, reglu, glu ({@code act(gate) * up}). Kernels: kernels/activations.cu, math in
 * kernels/math/activations.h; reference: {@link ActivationsRef}.
 *
 * <p>Tensors are f32, bf16 or f16, computed in float32 and rounded once on store. Inputs may have
 * any shape and strides (a non-contiguous input is copied to a contiguous one first); results are
 * new contiguous tensors on the inputs' device, or a given {@code out} (contiguous, same shape,
 * dtype and device; it may be the input itself: the in-place forms {@code relu_} etc. are
 * {@code op(input, input)}). Every argument is checked before anything is written: a shape,
 * dtype or device mismatch, an odd packed dimension or an unknown {@code approximate} is a
 * {@link TensorException} and leaves every tensor as it was.
 *
 * <p>Packed gated forms ({@code swiglu(x, dim, gateFirst)} ...) take gate and up as the two halves
 * of {@code x}'s dimension {@code dim} (size 2H; the result has H there), as LLM MLPs store the
 * fused up-projection: {@code gateFirst} says whether the first half is the gate (llm.c style) or
 * the second (vLLM style, and torch's F.glu). The kernels work on the last dimension; another
 * {@code dim} is moved last by a contiguous copy (and the result moved back by another).
 *
 * <p>The gated ones are declared in the package-private {@code GatedActivations} and called as
 * {@code Activations.swiglu(...)} like the rest.
 */
public final class Activations extends GatedActivations {
    private Activations() {
    }

    /** The result of a gated backward: gradients of gate and up (close both, or this). */
    public record GatedGrad(Tensor gradGate, Tensor gradUp) implements AutoCloseable {
        @Override
        public void close() {
            gradGate.close();
            gradUp.close();
        }
    }

    // ---- relu ----------------------------------------------------------------------------------

    /** {@code max(x, 0)}, NaN propagating (torch.nn.functional.relu). */
    public static Tensor relu(Tensor input) {
        return relu(input, null);
    }

    /** relu into {@code out} (contiguous, same shape/dtype/device; may be {@code input}: in place). */
    public static Tensor relu(Tensor input, Tensor out) {
        return unary("relu", input, out, null, (in, o) -> ActivationsRef.relu(in[0], o[0]));
    }

    /** In-place relu (torch.relu_): {@code input} must be contiguous. */
    public static Tensor relu_(Tensor input) {
        return relu(input, input);
    }

    /** {@code input <= 0 ? 0 : grad_output} (aten threshold_backward with threshold 0). */
    public static Tensor reluBackward(Tensor gradOutput, Tensor input) {
        return reluBackward(gradOutput, input, null);
    }

    /** The same into {@code gradInput} (contiguous, shaped like input; aten's grad_input= form). */
    public static Tensor reluBackward(Tensor gradOutput, Tensor input, Tensor gradInput) {
        return unaryBackward("relu", gradOutput, input, gradInput, null,
                (in, o) -> ActivationsRef.reluBackward(in[0], in[1], o[0]));
    }

    // ---- leaky_relu ----------------------------------------------------------------------------

    /** Default {@code negative_slope} of leaky_relu (torch.nn.functional.leaky_relu). */
    public static final double LEAKY_RELU_SLOPE = 0.01;

    /** {@code x > 0 ? x : 0.01 x}. */
    public static Tensor leakyRelu(Tensor input) {
        return leakyRelu(input, LEAKY_RELU_SLOPE, null);
    }

    /** {@code x > 0 ? x : negativeSlope * x}. */
    public static Tensor leakyRelu(Tensor input, double negativeSlope) {
        return leakyRelu(input, negativeSlope, null);
    }

    /** leaky_relu into {@code out} (may be {@code input}). */
    public static Tensor leakyRelu(Tensor input, double negativeSlope, Tensor out) {
        float s = (float) negativeSlope;
        return unary("leaky_relu", input, out, s, (in, o) -> ActivationsRef.leakyRelu(in[0], s, o[0]));
    }

    /** In-place leaky_relu (torch.nn.functional.leaky_relu_). */
    public static Tensor leakyRelu_(Tensor input, double negativeSlope) {
        return leakyRelu(input, negativeSlope, input);
    }

    /** {@code x > 0 ? g : g * negativeSlope} (aten leaky_relu_backward). */
    public static Tensor leakyReluBackward(Tensor gradOutput, Tensor input, double negativeSlope) {
        return leakyReluBackward(gradOutput, input, negativeSlope, null);
    }

    /** The same into {@code gradInput} (contiguous, shaped like input; aten's grad_input= form). */
    public static Tensor leakyReluBackward(Tensor gradOutput, Tensor input, double negativeSlope, Tensor gradInput) {
        float s = (float) negativeSlope;
        return unaryBackward("leaky_relu", gradOutput, input, gradInput, s,
                (in, o) -> ActivationsRef.leakyReluBackward(in[0], in[1], s, o[0]));
    }

    public static Tensor leakyReluBackward(Tensor gradOutput, Tensor input) {
        return leakyReluBackward(gradOutput, input, LEAKY_RELU_SLOPE);
    }

    // ---- elu -----------------------------------------------------------------------------------

    /** Default {@code alpha} of elu. */
    public static final double ELU_ALPHA = 1.0;

    /** {@code x > 0 ? x : alpha (e^x - 1)} with alpha 1. */
    public static Tensor elu(Tensor input) {
        return elu(input, ELU_ALPHA, null);
    }

    public static Tensor elu(Tensor input, double alpha) {
        return elu(input, alpha, null);
    }

    /** elu into {@code out} (may be {@code input}). */
    public static Tensor elu(Tensor input, double alpha, Tensor out) {
        float a = (float) alpha;
        return unary("elu", input, out, a, (in, o) -> ActivationsRef.elu(in[0], a, o[0]));
    }

    /** In-place elu (torch.nn.functional.elu_). */
    public static Tensor elu_(Tensor input, double alpha) {
        return elu(input, alpha, input);
    }

    /** {@code x > 0 ? g : g alpha e^x}. */
    public static Tensor eluBackward(Tensor gradOutput, Tensor input, double alpha) {
        return eluBackward(gradOutput, input, alpha, null);
    }

    /** The same into {@code gradInput} (contiguous, shaped like input; aten's grad_input= form). */
    public static Tensor eluBackward(Tensor gradOutput, Tensor input, double alpha, Tensor gradInput) {
        float a = (float) alpha;
        return unaryBackward("elu", gradOutput, input, gradInput, a,
                (in, o) -> ActivationsRef.eluBackward(in[0], in[1], a, o[0]));
    }

    public static Tensor eluBackward(Tensor gradOutput, Tensor input) {
        return eluBackward(gradOutput, input, ELU_ALPHA);
    }

    // ---- heaviside (forward only) --------------------------------------------------------------

    /** 1 if x > 0, 0 if x < 0, 0 at +-0, NaN at NaN. */
    public static Tensor heaviside(Tensor input) {
        return heaviside(input, 0.0, null);
    }

    /** 1 if x > 0, 0 if x < 0, {@code value} at +-0, NaN at NaN (NumPy's heaviside). */
    public static Tensor heaviside(Tensor input, double value) {
        return heaviside(input, value, null);
    }

    /** heaviside into {@code out} (may be {@code input}: Tensor.heaviside_). */
    public static Tensor heaviside(Tensor input, double value, Tensor out) {
        float v = (float) value;
        return unary("heaviside", input, out, v, (in, o) -> ActivationsRef.heaviside(in[0], v, o[0]));
    }

    // ---- sigmoid, tanh, silu -------------------------------------------------------------------

    /** {@code 1 / (1 + e^-x)} (torch.sigmoid). */
    public static Tensor sigmoid(Tensor input) {
        return sigmoid(input, null);
    }

    public static Tensor sigmoid(Tensor input, Tensor out) {
        return unary("sigmoid", input, out, null, (in, o) -> ActivationsRef.sigmoid(in[0], o[0]));
    }

    /** In-place sigmoid (torch.sigmoid_). */
    public static Tensor sigmoid_(Tensor input) {
        return sigmoid(input, input);
    }

    /** {@code g sigmoid(x) (1 - sigmoid(x))}, from the input x. */
    public static Tensor sigmoidBackward(Tensor gradOutput, Tensor input) {
        return sigmoidBackward(gradOutput, input, null);
    }

    /** The same into {@code gradInput} (contiguous, shaped like input; aten's grad_input= form). */
    public static Tensor sigmoidBackward(Tensor gradOutput, Tensor input, Tensor gradInput) {
        return unaryBackward("sigmoid", gradOutput, input, gradInput, null,
                (in, o) -> ActivationsRef.sigmoidBackward(in[0], in[1], o[0]));
    }

    /** torch.tanh. */
    public static Tensor tanh(Tensor input) {
        return tanh(input, null);
    }

    public static Tensor tanh(Tensor input, Tensor out) {
        return unary("tanh", input, out, null, (in, o) -> ActivationsRef.tanh(in[0], o[0]));
    }

    /** In-place tanh (torch.tanh_). */
    public static Tensor tanh_(Tensor input) {
        return tanh(input, input);
    }

    /** {@code g (1 - tanh(x)^2)}, from the input x. */
    public static Tensor tanhBackward(Tensor gradOutput, Tensor input) {
        return tanhBackward(gradOutput, input, null);
    }

    /** The same into {@code gradInput} (contiguous, shaped like input; aten's grad_input= form). */
    public static Tensor tanhBackward(Tensor gradOutput, Tensor input, Tensor gradInput) {
        return unaryBackward("tanh", gradOutput, input, gradInput, null,
                (in, o) -> ActivationsRef.tanhBackward(in[0], in[1], o[0]));
    }

    /** {@code x sigmoid(x)} (torch.nn.functional.silu). */
    public static Tensor silu(Tensor input) {
        return silu(input, null);
    }

    public static Tensor silu(Tensor input, Tensor out) {
        return unary("silu", input, out, null, (in, o) -> ActivationsRef.silu(in[0], o[0]));
    }

    /** In-place silu (F.silu(x, inplace=True)). */
    public static Tensor silu_(Tensor input) {
        return silu(input, input);
    }

    public static Tensor siluBackward(Tensor gradOutput, Tensor input) {
        return siluBackward(gradOutput, input, null);
    }

    /** The same into {@code gradInput} (contiguous, shaped like input; aten's grad_input= form). */
    public static Tensor siluBackward(Tensor gradOutput, Tensor input, Tensor gradInput) {
        return unaryBackward("silu", gradOutput, input, gradInput, null,
                (in, o) -> ActivationsRef.siluBackward(in[0], in[1], o[0]));
    }

    // ---- softplus ------------------------------------------------------------------------------

    /** Defaults of softplus's {@code beta} and {@code threshold} (torch.nn.functional.softplus). */
    public static final double SOFTPLUS_BETA = 1.0;
    public static final double SOFTPLUS_THRESHOLD = 20.0;

    /** {@code log(1 + e^x)}, and x where x > 20 (torch.nn.functional.softplus). */
    public static Tensor softplus(Tensor input) {
        return softplus(input, SOFTPLUS_BETA, SOFTPLUS_THRESHOLD, null);
    }

    /**
     * {@code log(1 + e^(beta x)) / beta}, and x where {@code beta x > threshold}, into {@code out}
     * (may be {@code input}; null: a new tensor). beta must be finite and non-zero, threshold not NaN.
     */
    public static Tensor softplus(Tensor input, double beta, double threshold, Tensor out) {
        float[] p = softplusAttrs(beta, threshold);
        return unary("softplus", input, out, p, (in, o) -> ActivationsRef.softplus(in[0], p[0], p[1], o[0]));
    }

    /** {@code g sigmoid(beta x)}, and g where {@code beta x > threshold} (aten softplus_backward). */
    public static Tensor softplusBackward(Tensor gradOutput, Tensor input, double beta, double threshold,
                                          Tensor gradInput) {
        float[] p = softplusAttrs(beta, threshold);
        return unaryBackward("softplus", gradOutput, input, gradInput, p,
                (in, o) -> ActivationsRef.softplusBackward(in[0], in[1], p[0], p[1], o[0]));
    }

    /** beta and threshold as the kernel's two float attrs; BadAttr for beta 0 or not finite, threshold NaN. */
    private static float[] softplusAttrs(double beta, double threshold) {
        float b = (float) beta;
        if (b == 0 || !Float.isFinite(b)) {
            throw new TensorException.BadAttr("softplus beta must be finite and non-zero, got " + beta);
        }
        if (Double.isNaN(threshold)) {
            throw new TensorException.BadAttr("softplus threshold must not be NaN");
        }
        return new float[] {b, (float) threshold};
    }

    // ---- gelu ----------------------------------------------------------------------------------

    /** Exact GELU {@code x/2 (1 + erf(x / sqrt 2))} (torch.nn.functional.gelu, approximate="none"). */
    public static Tensor gelu(Tensor input) {
        return gelu(input, Approximate.NONE, null);
    }

    public static Tensor gelu(Tensor input, Approximate approximate) {
        return gelu(input, approximate, null);
    }

    /** {@code approximate} by PyTorch's name, "none" or "tanh" (anything else: BadAttr). */
    public static Tensor gelu(Tensor input, String approximate) {
        return gelu(input, Approximate.parse(approximate), null);
    }

    /** gelu into {@code out} (may be {@code input}). */
    public static Tensor gelu(Tensor input, Approximate approximate, Tensor out) {
        boolean t = ActivationLaunch.approx(approximate) == Approximate.TANH;
        return unary("gelu", input, out, approximate.code(), (in, o) -> ActivationsRef.gelu(in[0], t, o[0]));
    }

    public static Tensor geluBackward(Tensor gradOutput, Tensor input) {
        return geluBackward(gradOutput, input, Approximate.NONE);
    }

    public static Tensor geluBackward(Tensor gradOutput, Tensor input, Approximate approximate) {
        return geluBackward(gradOutput, input, approximate, null);
    }

    /** The same into {@code gradInput} (contiguous, shaped like input; aten's grad_input= form). */
    public static Tensor geluBackward(Tensor gradOutput, Tensor input, Approximate approximate, Tensor gradInput) {
        boolean t = ActivationLaunch.approx(approximate) == Approximate.TANH;
        return unaryBackward("gelu", gradOutput, input, gradInput, approximate.code(),
                (in, o) -> ActivationsRef.geluBackward(in[0], in[1], t, o[0]));
    }

    public static Tensor geluBackward(Tensor gradOutput, Tensor input, String approximate) {
        return geluBackward(gradOutput, input, Approximate.parse(approximate));
    }
}
