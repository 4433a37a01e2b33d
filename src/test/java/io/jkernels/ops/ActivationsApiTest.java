package io.jkernels.ops;

import static io.jkernels.testing.Rejects.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.jkernels.ref.ActivationsRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Inputs;
import io.jkernels.testing.Poison;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The public API of {@link Activations} on cpu (the reference path): bad arguments give a typed
 * exception and leave every tensor unchanged; out= and in-place forms; torch's F.glu semantics;
 * packed forms along other dims.
 */
class ActivationsApiTest {

    private static Tensor t(long seed, DType d, long... shape) {
        return Inputs.mixed(seed, d, 2.0, 0, new double[0], shape);
    }


    @Test
    void badArgumentsAreTypedAndWriteNothing() {
        try (Tensor a = t(1, DType.F32, 3, 5); Tensor b = t(2, DType.F32, 5, 3); Tensor c = t(3, DType.F16, 3, 5);
                Tensor odd = t(4, DType.F32, 3, 7); Tensor ints = Tensor.zeros(DType.I32, Device.cpu(), 3, 5);
                Tensor out = Poison.nan(DType.F32, Device.cpu(), 3, 5);
                Tensor badOut = Poison.nan(DType.F32, Device.cpu(), 5, 3);
                Tensor big = Poison.nan(DType.F32, Device.cpu(), 3, 10);
                Tensor strided = big.narrow(1, 0, 5)) {
            List<Tensor> all = List.of(a, b, c, odd, ints, out, badOut, big);
            rejects(TensorException.Shape.class, all, () -> Activations.swiglu(a, b, out));
            rejects(TensorException.Shape.class, all, () -> Activations.swigluBackward(a, a, b));
            rejects(TensorException.Shape.class, all, () -> Activations.geluBackward(b, a));
            rejects(TensorException.DTypeMismatch.class, all, () -> Activations.geglu(a, c, Approximate.TANH, out));
            rejects(TensorException.DTypeMismatch.class, all, () -> Activations.sigmoidBackward(c, a));
            rejects(TensorException.DTypeMismatch.class, all, () -> Activations.relu(ints));
            rejects(TensorException.Shape.class, all, () -> Activations.relu(a, badOut));
            rejects(TensorException.Shape.class, all, () -> Activations.relu(a, strided));
            rejects(TensorException.DTypeMismatch.class, all, () -> Activations.relu(c, out));
            rejects(TensorException.Shape.class, all, () -> Activations.swiglu(odd, -1, true));
            rejects(TensorException.Shape.class, all, () -> Activations.glu(odd));
            rejects(TensorException.Shape.class, all, () -> Activations.swigluBackward(odd, a, -1, true));
            rejects(TensorException.Shape.class, all, () -> Activations.glu(a, 2));
            rejects(TensorException.BadAttr.class, all, () -> Activations.gelu(a, "fast"));
            rejects(TensorException.BadAttr.class, all, () -> Activations.geluBackward(a, a, (Approximate) null));
            rejects(TensorException.BadAttr.class, all, () -> Approximate.parse("Tanh"));
            rejects(TensorException.Shape.class, all, () -> Activations.relu_(strided));
        }
    }

    @Test
    @Tag("emu")
    void mixedDevicesAreRejected() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
        try (Tensor a = t(1, DType.F32, 17); Tensor b = t(2, DType.F32, 17); Tensor be = b.to(Device.emu());
                Tensor out = Poison.nan(DType.F32, Device.emu(), 17)) {
            rejects(TensorException.DeviceMismatch.class, List.of(a, be, out), () -> Activations.swiglu(a, be));
            rejects(TensorException.DeviceMismatch.class, List.of(a, be, out), () -> Activations.relu(a, out));
            rejects(TensorException.DeviceMismatch.class, List.of(a, be, out), () -> Activations.tanhBackward(be, a));
        }
    }

    @Test
    void outAndInPlaceForms() {
        try (Tensor x = t(7, DType.F32, 4, 9); Tensor expected = Activations.gelu(x, Approximate.TANH);
                Tensor out = Poison.nan(DType.F32, Device.cpu(), 4, 9)) {
            assertSame(out, Activations.gelu(x, Approximate.TANH, out));
            Compare.bitEqual("gelu out=", out, expected);
            try (Tensor y = x.copy(); Tensor e = Activations.elu(x, 0.5)) {
                assertSame(y, Activations.elu_(y, 0.5));
                Compare.bitEqual("elu_", y, e);
            }
        }
    }

    /** torch.nn.functional.glu(x, dim) = first_half * sigmoid(second_half), along any dim. */
    @Test
    void gluHasTorchSemantics() {
        try (Tensor x = t(9, DType.F32, 4, 6, 3); Tensor y = Activations.glu(x, 0)) {
            assertArrayEquals(new long[] {2, 6, 3}, y.shape());
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 6; j++) {
                    for (int k = 0; k < 3; k++) {
                        double a = x.getDouble((i * 6L + j) * 3 + k);
                        double b = x.getDouble(((i + 2) * 6L + j) * 3 + k);
                        assertEquals((float) (a * ActivationsRef.sigmoid(b)), y.getDouble((i * 6L + j) * 3 + k), 0.0);
                    }
                }
            }
        }
    }
}
