package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.ops.Resample.NearestMode;
import io.jkernels.ops.Resample.Resize;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Views;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The public API of {@link Resample} on cpu: output-size rules, argument checks (typed
 * exceptions, inputs left unchanged, nothing allocated that leaks), out= forms, non-contiguous
 * inputs. The kernels are tested in {@code ResampleEmuTest}; the values in ResampleRefTest and
 * the golden cases.
 */
class ResampleApiTest {

    @Test
    void outputSizeFollowsOpsMd() {
        assertArrayEquals(new long[] {23, 23}, Resample.outputSize(10, 10, Resize.scale(2.3)));  // floor in float64
        assertArrayEquals(new long[] {5, 3}, Resample.outputSize(10, 7, Resize.scale(0.5)));
        assertArrayEquals(new long[] {10, 15}, Resample.outputSize(10, 10, Resize.scale(1.0, 1.5)));
        assertArrayEquals(new long[] {7, 7}, Resample.outputSize(3, 4, Resize.size(7)));
        assertArrayEquals(new long[] {23, 23}, Resample.outputSize(10, 10, Resize.scale(2.3).recompute()));
        assertArrayEquals(new long[] {4, 6}, Resample.outputSize(2, 3, new Resize(null, new double[] {2.0}, false)));
    }

    @Test
    void badResizesAreBadAttrs() {
        long h = 5;
        long w = 5;
        TensorException.BadAttr e;
        assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, null));
        assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, new Resize(null, null, false)));
        assertThrows(TensorException.BadAttr.class,
                () -> Resample.outputSize(h, w, new Resize(new long[] {4, 4}, new double[] {2}, false)));
        e = assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, Resize.size(4).recompute()));
        assertTrue(e.getMessage().contains("recompute_scale_factor"), e.getMessage());
        assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, Resize.scale(0.1)));  // floor(0.5) = 0
        assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, Resize.size(0, 3)));
        assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, Resize.scale(-2)));
        assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, Resize.scale(Double.NaN)));
        assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, Resize.scale(Double.POSITIVE_INFINITY)));
        assertThrows(TensorException.BadAttr.class,
                () -> Resample.outputSize(h, w, new Resize(new long[] {1, 2, 3}, null, false)));
        assertThrows(TensorException.BadAttr.class, () -> Resample.outputSize(h, w, Resize.scale(1e12)));
        assertThrows(TensorException.BadAttr.class, () -> NearestMode.parse("bilinear"));
    }

    /** The call must throw {@code type} and leave {@code inputs} bit for bit as they were. */
    private static void rejects(Class<? extends Throwable> type, Executable call, Tensor... inputs) {
        Tensor[] before = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            before[i] = inputs[i].copy();
        }
        try {
            long live = Device.cpu().liveBytes();
            assertThrows(type, call);
            assertTrue(Device.cpu().liveBytes() <= live, "an output was allocated and leaked");
            for (int i = 0; i < inputs.length; i++) {
                Compare.bitEqual("input " + i + " after a rejected call", inputs[i], before[i]);
            }
        } finally {
            for (Tensor t : before) {
                t.close();
            }
        }
    }

    @Test
    void badTensorsAreTypedErrorsAndChangeNothing() {
        try (Tensor x = Tensor.randn(1, DType.F32, Device.cpu(), 2, 3, 4, 5);
                Tensor x3 = Tensor.randn(2, DType.F32, Device.cpu(), 3, 4, 5);
                Tensor xi = Tensor.zeros(DType.I64, Device.cpu(), 1, 1, 2, 2);
                Tensor xw0 = Tensor.zeros(DType.F32, Device.cpu(), 1, 1, 2, 0);
                Tensor out = Tensor.full(7, DType.F32, Device.cpu(), 2, 3, 8, 10);
                Tensor badOut = Tensor.full(7, DType.F32, Device.cpu(), 2, 3, 8, 9);
                Tensor f16Out = Tensor.full(7, DType.F16, Device.cpu(), 2, 3, 8, 10);
                Tensor g = Tensor.randn(3, DType.F32, Device.cpu(), 2, 3, 8, 10)) {
            Resize two = Resize.scale(2);
            rejects(TensorException.Shape.class, () -> Resample.upsampleNearest2d(x3, two), x3);
            rejects(TensorException.DTypeMismatch.class, () -> Resample.upsampleBilinear2d(xi, two, false), xi);
            rejects(TensorException.Shape.class, () -> Resample.upsampleNearest2d(xw0, two), xw0);
            rejects(TensorException.Shape.class, () -> Resample.upsampleNearest2d(x, two, NearestMode.NEAREST, badOut),
                    x, badOut);
            rejects(TensorException.DTypeMismatch.class,
                    () -> Resample.upsampleBilinear2d(x, two, false, f16Out), x, f16Out);
            rejects(TensorException.BadAttr.class, () -> Resample.upsampleNearest2d(x, Resize.size(4).recompute(),
                    NearestMode.NEAREST, out), x, out);
            rejects(TensorException.BadAttr.class, () -> Resample.upsampleNearest2d(x, two, null), x);
            // backward: grad_output must match the output size of input_size
            rejects(TensorException.Shape.class,
                    () -> Resample.upsampleBilinear2dBackward(g, new long[] {4, 4}, two, false), g);
            rejects(TensorException.Shape.class,
                    () -> Resample.upsampleNearest2dBackward(g, new long[] {4, 5}, Resize.size(8, 11), NearestMode.NEAREST), g);
            rejects(TensorException.BadAttr.class,
                    () -> Resample.upsampleNearest2dBackward(g, null, two, NearestMode.NEAREST), g);
            rejects(TensorException.BadAttr.class,
                    () -> Resample.upsampleNearest2dBackward(g, new long[] {4, 5, 1}, two, NearestMode.NEAREST), g);
            rejects(TensorException.Shape.class,
                    () -> Resample.upsampleBilinear2dBackward(g, new long[] {4, 5}, two, true, badOut), g, badOut);
            // pixel ops
            rejects(TensorException.BadAttr.class, () -> Resample.pixelShuffle(x, 0), x);
            rejects(TensorException.Shape.class, () -> Resample.pixelShuffle(x, 2), x);  // 3 channels
            rejects(TensorException.Shape.class, () -> Resample.pixelUnshuffle(x, 2), x);  // 5 columns
            try (Tensor v = Tensor.randn(4, DType.F32, Device.cpu(), 4, 4)) {
                rejects(TensorException.Shape.class, () -> Resample.pixelShuffle(v, 1), v);
            }
            rejects(TensorException.Shape.class, () -> Resample.pixelShuffle(x, 1, badOut), x, badOut);
        }
        Tensor closed = Tensor.randn(5, DType.F32, Device.cpu(), 1, 1, 2, 2);
        closed.close();
        assertThrows(IllegalStateException.class, () -> Resample.upsampleNearest2d(closed, Resize.scale(2)));
        assertThrows(IllegalStateException.class, () -> Resample.pixelShuffle(closed, 1));
    }

    @Test
    void outFormsWriteIntoAndReturnTheirArgument() {
        try (Tensor x = Tensor.randn(6, DType.F32, Device.cpu(), 2, 3, 4, 5);
                Tensor expected = Resample.upsampleBilinear2d(x, Resize.scale(2), true);
                Tensor out = Tensor.full(Double.NaN, DType.F32, Device.cpu(), 2, 3, 8, 10)) {
            assertSame(out, Resample.upsampleBilinear2d(x, Resize.scale(2), true, out));
            Compare.bitEqual("out form", out, expected);
        }
        try (Tensor x = Tensor.randn(7, DType.F32, Device.cpu(), 2, 8, 3, 5);
                Tensor expected = Resample.pixelShuffle(x, 2);
                Tensor out = Tensor.full(Double.NaN, DType.F32, Device.cpu(), 2, 2, 6, 10)) {
            assertSame(out, Resample.pixelShuffle(x, 2, out));
            Compare.bitEqual("out form", out, expected);
        }
    }

    @Test
    void nonContiguousInputsAreCopied() {
        check(() -> Tensor.randn(8, DType.F32, Device.cpu(), 2, 3, 5, 4),
                t -> Resample.upsampleNearest2d(t, Resize.size(7, 9), NearestMode.NEAREST_EXACT));
        check(() -> Tensor.randn(9, DType.F32, Device.cpu(), 2, 3, 5, 4),
                t -> Resample.upsampleBilinear2dBackward(t, new long[] {2, 3}, Resize.size(5, 4), false));
        check(() -> Tensor.randn(10, DType.F32, Device.cpu(), 3, 9, 2, 4), t -> Resample.pixelShuffle(t, 3));
    }

    private static void check(Supplier<Tensor> make, java.util.function.UnaryOperator<Tensor> op) {
        try (Tensor x = make.get(); Tensor strided = Views.strided(x); Tensor a = op.apply(x); Tensor b = op.apply(strided)) {
            Compare.bitEqual("strided input", b, a);
        }
    }

    @Test
    void emptyBatchOrChannelsGiveEmptyResults() {
        try (Tensor x = Tensor.zeros(DType.F32, Device.cpu(), 0, 3, 4, 5);
                Tensor y = Resample.upsampleBilinear2d(x, Resize.scale(2), false);
                Tensor c = Tensor.zeros(DType.F32, Device.cpu(), 2, 0, 4, 5);
                Tensor z = Resample.upsampleNearest2dBackward(c, new long[] {2, 5}, Resize.scale(2, 1), NearestMode.NEAREST)) {
            assertArrayEquals(new long[] {0, 3, 8, 10}, y.shape());
            assertArrayEquals(new long[] {2, 0, 2, 5}, z.shape());
        }
    }
}
