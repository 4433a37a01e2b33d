package io.jkernels.ops;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.ref.ActivationsRef;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * Activation functions, forward and backward (OPS.md "Activations"; PyTorch names and defaults):
 * relu, leaky_relu, elu, sigmoid, tanh, gelu, silu, heaviside (forward only) and the gated family
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
 */
public final class Activations {
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

    /** The reference of one call: cpu inputs (contiguous) to cpu outputs. */
    @FunctionalInterface
    private interface Ref {
        void run(Tensor[] in, Tensor[] out);
    }

    // ---- launch machinery ----------------------------------------------------------------------

    /** A kernel attr: none, a float (slope, alpha, value) or an int (approximate). */
    private static void attr(KernelArgs a, Object attr) {
        if (attr instanceof Float f) {
            a.f32(f);
        } else if (attr instanceof Integer i) {
            a.i32(i);
        }
    }

    /** Elements per thread per grid-stride step: one 16-byte vector. */
    private static int perThread(Tensor t) {
        return 16 / t.dtype().bytes();
    }

    private static void checkInputs(String[] names, Tensor[] inputs) {
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
    private static Tensor[] elementwise(String op, String[] names, Tensor[] inputs, Tensor[] outs, Object attr,
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

    private static void closeAll(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }

    private static Tensor unary(String op, Tensor input, Tensor out, Object attr, Ref ref) {
        return elementwise(op + "_fwd", new String[] {"input"}, new Tensor[] {input}, new Tensor[] {out}, attr, ref)[0];
    }

    private static Tensor unaryBackward(String op, Tensor gradOutput, Tensor input, Tensor gradInput, Object attr,
            Ref ref) {
        return elementwise(op + "_bwd", new String[] {"grad_output", "input"}, new Tensor[] {gradOutput, input},
                new Tensor[] {gradInput}, attr, ref)[0];
    }

    private static Tensor gated(String op, Tensor gate, Tensor up, Tensor out, Object attr, Ref ref) {
        return elementwise(op + "_fwd", new String[] {"gate", "up"}, new Tensor[] {gate, up}, new Tensor[] {out}, attr,
                ref)[0];
    }

    private static GatedGrad gatedBackward(String op, Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate,
            Tensor gradUp, Object attr, Ref ref) {
        Tensor[] r = elementwise(op + "_bwd", new String[] {"grad_output", "gate", "up"},
                new Tensor[] {gradOutput, gate, up}, new Tensor[] {gradGate, gradUp}, attr, ref);
        return new GatedGrad(r[0], r[1]);
    }

    // ---- packed gate/up ------------------------------------------------------------------------

    /** Which half of the packed dimension holds the gate. */
    private static int packedDim(String name, Tensor x, int dim) {
        Checks.floating(name, x);
        int rank = x.dim();
        if (rank == 0) {
            throw new TensorException.Shape(name + " must have at least one dimension to split, got a scalar");
        }
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new TensorException.Shape("dim " + dim + " out of range for " + name + " of rank " + rank);
        }
        long size = x.shape()[d];
        if (size % 2 != 0) {
            throw new TensorException.Shape(name + " dimension " + dim + " must be even to split into gate and up, got size "
                    + size + " (shape " + Arrays.toString(x.shape()) + ")");
        }
        return d;
    }

    private static long[] halved(long[] shape, int d) {
        long[] s = shape.clone();
        s[d] /= 2;
        return s;
    }

    /** The packed forward along the last dimension; x contiguous-or-not, last dim even. */
    private static Tensor packedLast(String op, Tensor x, boolean gateFirst, Object attr, Ref ref) {
        int last = x.dim() - 1;
        long h = x.shape()[last] / 2;
        try (Tensor xc = x.contiguous()) {
            Tensor out = Tensor.empty(x.dtype(), x.device(), halved(x.shape(), last));
            try {
                launchPacked(op + "_packed_fwd", null, xc, out, h, gateFirst, attr, ref);
                return out;
            } catch (RuntimeException | Error e) {
                out.close();
                throw e;
            }
        }
    }

    private static Tensor packedLastBackward(String op, Tensor gradOutput, Tensor x, boolean gateFirst, Object attr,
            Ref ref) {
        int last = x.dim() - 1;
        long h = x.shape()[last] / 2;
        try (Tensor xc = x.contiguous(); Tensor gc = gradOutput.contiguous()) {
            Tensor dx = Tensor.empty(x.dtype(), x.device(), x.shape());
            try {
                launchPacked(op + "_packed_bwd", gc, xc, dx, h, gateFirst, attr, ref);
                return dx;
            } catch (RuntimeException | Error e) {
                dx.close();
                throw e;
            }
        }
    }

    /**
     * {@code kernel(x, y, rows, h, gate_first [, attr])} or, with grad, {@code kernel(grad, x, dx,
     * ...)}; the reference on cpu runs the unpacked op on the two half views.
     */
    private static void launchPacked(String kernel, Tensor grad, Tensor x, Tensor y, long h, boolean gateFirst,
            Object attr, Ref ref) {
        if (x.numel() == 0) {
            return;
        }
        int last = x.dim() - 1;
        KernelBackend kb = Kernels.of(x);
        if (kb == null) {
            try (Tensor gate = x.narrow(last, gateFirst ? 0 : h, h); Tensor up = x.narrow(last, gateFirst ? h : 0, h)) {
                if (grad == null) {
                    ref.run(new Tensor[] {gate, up}, new Tensor[] {y});
                } else {
                    try (Tensor dg = y.narrow(last, gateFirst ? 0 : h, h); Tensor du = y.narrow(last, gateFirst ? h : 0, h)) {
                        ref.run(new Tensor[] {grad, gate, up}, new Tensor[] {dg, du});
                    }
                }
            }
            return;
        }
        long rows = x.numel() / (2 * h);
        KernelArgs a = KernelArgs.get();
        if (grad != null) {
            a.ptr(grad);
        }
        a.ptr(x).ptr(y).i64(rows).i64(h).i32(gateFirst ? 1 : 0);
        attr(a, attr);
        kb.launch(kernel + "_" + x.dtype().suffix(), Kernels.elementwise(kb, rows * h, perThread(x)), a);
    }

    /** Packed forward along {@code dim}: another dim is moved last (contiguous copies) and back. */
    private static Tensor packed(String op, Tensor x, int dim, boolean gateFirst, Object attr, Ref ref) {
        int d = packedDim("input", x, dim);
        int last = x.dim() - 1;
        if (d == last) {
            return packedLast(op, x, gateFirst, attr, ref);
        }
        try (Tensor xt = x.transpose(d, last); Tensor rt = packedLast(op, xt, gateFirst, attr, ref);
                Tensor back = rt.transpose(d, last)) {
            return back.contiguous();
        }
    }

    private static Tensor packedBackward(String op, Tensor gradOutput, Tensor x, int dim, boolean gateFirst,
            Object attr, Ref ref) {
        int d = packedDim("input", x, dim);
        Checks.open("grad_output", gradOutput);
        long[] expect = halved(x.shape(), d);
        if (!Arrays.equals(expect, gradOutput.shape())) {
            throw new TensorException.Shape("grad_output shape " + Arrays.toString(gradOutput.shape())
                    + " does not match the output shape " + Arrays.toString(expect) + " of input shape "
                    + Arrays.toString(x.shape()) + " split along dim " + dim);
        }
        if (gradOutput.dtype() != x.dtype()) {
            throw new TensorException.DTypeMismatch("grad_output dtype " + gradOutput.dtype()
                    + " does not match input dtype " + x.dtype());
        }
        if (!gradOutput.device().equals(x.device())) {
            throw new TensorException.DeviceMismatch("grad_output is on " + gradOutput.device() + " but input is on "
                    + x.device());
        }
        int last = x.dim() - 1;
        if (d == last) {
            return packedLastBackward(op, gradOutput, x, gateFirst, attr, ref);
        }
        try (Tensor xt = x.transpose(d, last); Tensor gt = gradOutput.transpose(d, last);
                Tensor rt = packedLastBackward(op, gt, xt, gateFirst, attr, ref); Tensor back = rt.transpose(d, last)) {
            return back.contiguous();
        }
    }

    private static Ref gradRef(GatedBackwardRef r) {
        return (in, o) -> r.run(in[0], in[1], in[2], o[0], o[1]);
    }

    @FunctionalInterface
    private interface GatedBackwardRef {
        void run(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp);
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
        boolean t = approx(approximate) == Approximate.TANH;
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
        boolean t = approx(approximate) == Approximate.TANH;
        return unaryBackward("gelu", gradOutput, input, gradInput, approximate.code(),
                (in, o) -> ActivationsRef.geluBackward(in[0], in[1], t, o[0]));
    }

    public static Tensor geluBackward(Tensor gradOutput, Tensor input, String approximate) {
        return geluBackward(gradOutput, input, Approximate.parse(approximate));
    }

    private static Approximate approx(Approximate a) {
        if (a == null) {
            throw new TensorException.BadAttr("approximate must be \"none\" or \"tanh\", got null");
        }
        return a;
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
    public static GatedGrad swigluBackward(Tensor gradOutput, Tensor gate, Tensor up) {
        return swigluBackward(gradOutput, gate, up, null, null);
    }

    /** The same into {@code gradGate} and {@code gradUp} (contiguous, shaped like gate), returned as a GatedGrad. */
    public static GatedGrad swigluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
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
        boolean t = approx(approximate) == Approximate.TANH;
        return gated("geglu", gate, up, out, approximate.code(),
                (in, o) -> ActivationsRef.geglu(in[0], in[1], t, o[0]));
    }

    public static GatedGrad gegluBackward(Tensor gradOutput, Tensor gate, Tensor up) {
        return gegluBackward(gradOutput, gate, up, Approximate.NONE);
    }

    public static GatedGrad gegluBackward(Tensor gradOutput, Tensor gate, Tensor up, Approximate approximate) {
        return gegluBackward(gradOutput, gate, up, approximate, null, null);
    }

    /** The same into {@code gradGate} and {@code gradUp} (contiguous, shaped like gate), returned as a GatedGrad. */
    public static GatedGrad gegluBackward(Tensor gradOutput, Tensor gate, Tensor up, Approximate approximate,
            Tensor gradGate, Tensor gradUp) {
        boolean t = approx(approximate) == Approximate.TANH;
        return gatedBackward("geglu", gradOutput, gate, up, gradGate, gradUp, approximate.code(),
                gradRef((g, a, u, dg, du) -> ActivationsRef.gegluBackward(g, a, u, t, dg, du)));
    }

    public static Tensor geglu(Tensor x, int dim, boolean gateFirst, Approximate approximate) {
        boolean t = approx(approximate) == Approximate.TANH;
        return packed("geglu", x, dim, gateFirst, approximate.code(),
                (in, o) -> ActivationsRef.geglu(in[0], in[1], t, o[0]));
    }

    public static Tensor gegluBackward(Tensor gradOutput, Tensor x, int dim, boolean gateFirst,
            Approximate approximate) {
        boolean t = approx(approximate) == Approximate.TANH;
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
    public static GatedGrad regluBackward(Tensor gradOutput, Tensor gate, Tensor up) {
        return regluBackward(gradOutput, gate, up, null, null);
    }

    /** The same into {@code gradGate} and {@code gradUp} (contiguous, shaped like gate), returned as a GatedGrad. */
    public static GatedGrad regluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
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

    public static GatedGrad gluBackward(Tensor gradOutput, Tensor gate, Tensor up) {
        return gluBackward(gradOutput, gate, up, null, null);
    }

    /** The same into {@code gradGate} and {@code gradUp} (contiguous, shaped like gate), returned as a GatedGrad. */
    public static GatedGrad gluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
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
