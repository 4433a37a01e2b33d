package io.jkernels.bench;

import io.jkernels.bench.ElementwiseBench.Call;
import io.jkernels.bench.ElementwiseBench.Sizes;
import io.jkernels.bench.ElementwiseBench.Tolerance;
import io.jkernels.ops.Activations;
import io.jkernels.ops.Approximate;
import io.jkernels.ref.ActivationsRef;
import io.jkernels.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The activations of {@link Activations} (OPS.md "Activations", PyTorch defaults for the attrs),
 * forward and backward, in f32 and bf16: 2^28 elements on a GPU, gated ones gate and up 2^27
 * each. Each entry runs the op's {@code out} form (a call allocates nothing) and is checked
 * against {@link ActivationsRef}. Names follow benchmarks/torch_peer.py. To add an activation:
 * one {@code unary}/{@code gated} line per direction.
 */
public final class ActivationBench implements BenchFamily {
    /** The dtypes every activation is benchmarked in. */
    public static final List<DType> DTYPES = List.of(DType.F32, DType.BF16);

    private static final double SLOPE = Activations.LEAKY_RELU_SLOPE;
    private static final double ALPHA = Activations.ELU_ALPHA;
    private static final double HEAVISIDE_VALUE = 0.0;

    @Override
    public String name() {
        return "activations";
    }

    @Override
    public List<BenchEntry> entries() {
        List<BenchEntry> e = new ArrayList<>();
        for (DType d : DTYPES) {
            Tolerance tol = Tolerance.activation(d);
            // relu and its backward select or zero an input: exact (OPS.md)
            unary(e, "relu", d, 1, Tolerance.EXACT, (in, o) -> Activations.relu(in[0], o[0]),
                    (in, o) -> ActivationsRef.relu(in[0], o[0]));
            unary(e, "relu_backward", d, 2, Tolerance.EXACT, (in, o) -> Activations.reluBackward(in[0], in[1], o[0]),
                    (in, o) -> ActivationsRef.reluBackward(in[0], in[1], o[0]));
            unary(e, "leaky_relu", d, 1, tol, (in, o) -> Activations.leakyRelu(in[0], SLOPE, o[0]),
                    (in, o) -> ActivationsRef.leakyRelu(in[0], SLOPE, o[0]));
            unary(e, "leaky_relu_backward", d, 2, tol,
                    (in, o) -> Activations.leakyReluBackward(in[0], in[1], SLOPE, o[0]),
                    (in, o) -> ActivationsRef.leakyReluBackward(in[0], in[1], SLOPE, o[0]));
            unary(e, "elu", d, 1, tol, (in, o) -> Activations.elu(in[0], ALPHA, o[0]),
                    (in, o) -> ActivationsRef.elu(in[0], ALPHA, o[0]));
            unary(e, "elu_backward", d, 2, tol, (in, o) -> Activations.eluBackward(in[0], in[1], ALPHA, o[0]),
                    (in, o) -> ActivationsRef.eluBackward(in[0], in[1], ALPHA, o[0]));
            unary(e, "sigmoid", d, 1, tol, (in, o) -> Activations.sigmoid(in[0], o[0]),
                    (in, o) -> ActivationsRef.sigmoid(in[0], o[0]));
            unary(e, "sigmoid_backward", d, 2, tol, (in, o) -> Activations.sigmoidBackward(in[0], in[1], o[0]),
                    (in, o) -> ActivationsRef.sigmoidBackward(in[0], in[1], o[0]));
            unary(e, "tanh", d, 1, tol, (in, o) -> Activations.tanh(in[0], o[0]),
                    (in, o) -> ActivationsRef.tanh(in[0], o[0]));
            unary(e, "tanh_backward", d, 2, tol, (in, o) -> Activations.tanhBackward(in[0], in[1], o[0]),
                    (in, o) -> ActivationsRef.tanhBackward(in[0], in[1], o[0]));
            unary(e, "gelu", d, 1, tol, (in, o) -> Activations.gelu(in[0], Approximate.NONE, o[0]),
                    (in, o) -> ActivationsRef.gelu(in[0], false, o[0]));
            unary(e, "gelu_backward", d, 2, tol,
                    (in, o) -> Activations.geluBackward(in[0], in[1], Approximate.NONE, o[0]),
                    (in, o) -> ActivationsRef.geluBackward(in[0], in[1], false, o[0]));
            unary(e, "silu", d, 1, tol, (in, o) -> Activations.silu(in[0], o[0]),
                    (in, o) -> ActivationsRef.silu(in[0], o[0]));
            unary(e, "silu_backward", d, 2, tol, (in, o) -> Activations.siluBackward(in[0], in[1], o[0]),
                    (in, o) -> ActivationsRef.siluBackward(in[0], in[1], o[0]));
            unary(e, "heaviside", d, 1, Tolerance.EXACT, (in, o) -> Activations.heaviside(in[0], HEAVISIDE_VALUE, o[0]),
                    (in, o) -> ActivationsRef.heaviside(in[0], HEAVISIDE_VALUE, o[0]));

            gated(e, "swiglu", d, tol, (in, o) -> Activations.swiglu(in[0], in[1], o[0]),
                    (in, o) -> ActivationsRef.swiglu(in[0], in[1], o[0]),
                    (in, o) -> Activations.swigluBackward(in[0], in[1], in[2], o[0], o[1]),
                    (in, o) -> ActivationsRef.swigluBackward(in[0], in[1], in[2], o[0], o[1]));
            gated(e, "geglu", d, tol, (in, o) -> Activations.geglu(in[0], in[1], Approximate.NONE, o[0]),
                    (in, o) -> ActivationsRef.geglu(in[0], in[1], false, o[0]),
                    (in, o) -> Activations.gegluBackward(in[0], in[1], in[2], Approximate.NONE, o[0], o[1]),
                    (in, o) -> ActivationsRef.gegluBackward(in[0], in[1], in[2], false, o[0], o[1]));
            gated(e, "reglu", d, tol, (in, o) -> Activations.reglu(in[0], in[1], o[0]),
                    (in, o) -> ActivationsRef.reglu(in[0], in[1], o[0]),
                    (in, o) -> Activations.regluBackward(in[0], in[1], in[2], o[0], o[1]),
                    (in, o) -> ActivationsRef.regluBackward(in[0], in[1], in[2], o[0], o[1]));
            gated(e, "glu", d, tol, (in, o) -> Activations.glu(in[0], in[1], o[0]),
                    (in, o) -> ActivationsRef.glu(in[0], in[1], o[0]),
                    (in, o) -> Activations.gluBackward(in[0], in[1], in[2], o[0], o[1]),
                    (in, o) -> ActivationsRef.gluBackward(in[0], in[1], in[2], o[0], o[1]));
        }
        return e;
    }

    /** An elementwise op with {@code inputs} inputs and one output, 2^28 elements on a GPU. */
    private void unary(List<BenchEntry> e, String op, DType d, int inputs, Tolerance tol, Call call, Call ref) {
        e.add(ElementwiseBench.entry(name(), op, d, inputs, 1, ElementwiseBench.ELEMENTWISE, tol, call, ref));
    }

    /**
     * A gated op: forward (gate, up) -> out and backward (grad_output, gate, up) -> (grad_gate,
     * grad_up), gate and up 2^27 elements each on a GPU.
     */
    private void gated(List<BenchEntry> e, String op, DType d, Tolerance tol, Call fwd, Call fwdRef, Call bwd,
                       Call bwdRef) {
        Sizes s = ElementwiseBench.GATED;
        e.add(ElementwiseBench.entry(name(), op, d, 2, 1, s, tol, fwd, fwdRef));
        e.add(ElementwiseBench.entry(name(), op + "_backward", d, 3, 2, s, tol, bwd, bwdRef));
    }
}
