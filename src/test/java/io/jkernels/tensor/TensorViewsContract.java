package io.jkernels.tensor;

import static io.jkernels.tensor.Step.apply;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Tensor contract, views: reshape, view, flatten, narrow, select, slice, transpose and permute
 * against the {@link Layout} model (shape, strides, offset, values), writes through a view seen by
 * its base, negative dims and indices, and arguments out of range. See {@link TensorContract}.
 */
abstract class TensorViewsContract extends TensorContract {

    @Test
    void reshapeInfersMinusOneAndShares() {
        double[] v = values(DType.F32, 24, 0);
        try (Tensor t = make(DType.F32, v, 4, 6); Tensor r = t.reshape(-1, 3); Tensor r2 = t.reshape(2, -1, 4);
             Tensor fl = t.flatten(); Tensor vw = t.view(3, 8)) {
            assertArrayEquals(new long[] {8, 3}, r.shape());
            assertArrayEquals(new long[] {3, 1}, r.strides());
            assertArrayEquals(new long[] {2, 3, 4}, r2.shape());
            assertArrayEquals(new long[] {24}, fl.shape());
            assertArrayEquals(new long[] {3, 8}, vw.shape());
            assertValues(v, r, "reshape");
            try (Tensor row = r.narrow(0, 2, 1)) {
                row.fill(500);
            }
            for (int i = 6; i < 9; i++) {
                v[i] = 500;
            }
            assertValues(v, t, "write through reshape(-1, 3).narrow(0, 2, 1)");
            assertValues(v, vw, "another view sees it too");
        }
    }

    @Test
    void reshapeOfNarrowedContiguousViewKeepsOffset() {
        double[] v = values(DType.F32, 30, 1);
        try (Tensor t = make(DType.F32, v, 5, 6); Tensor n = t.narrow(0, 2, 2); Tensor r = n.reshape(3, 4)) {
            assertEquals(12, r.offset());
            assertValues(Arrays.copyOfRange(v, 12, 24), r, "reshape of rows 2..3");
        }
    }

    @Test
    void reshapeOfNonContiguousCopies() {
        double[] v = values(DType.F32, 12, 2);
        Layout m = Layout.contiguous(3, 4).transpose(0, 1);
        try (Tensor t = make(DType.F32, v, 3, 4); Tensor tr = t.transpose(0, 1); Tensor r = tr.reshape(-1)) {
            assertValues(m.gather(v), r, "reshape of a transpose");
            r.fill(0);
            assertValues(v, t, "a reshape that had to copy does not write the base");
        }
    }

    @Test
    void viewOfNonContiguousThrows() {
        try (Tensor t = Tensor.zeros(DType.F32, device(), 3, 4); Tensor tr = t.transpose(0, 1)) {
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> tr.view(12));
            assertMessage(e, "non-contiguous", "[4, 3]");
        }
    }

    static Stream<Arguments> viewCases() {
        return Stream.of(
                Arguments.of(new long[] {4, 6}, List.of(Step.narrow(1, 2, 3))),
                Arguments.of(new long[] {4, 6}, List.of(Step.narrow(0, 1, 2))),
                Arguments.of(new long[] {4, 6}, List.of(Step.select(1, 2))),
                Arguments.of(new long[] {4, 6}, List.of(Step.select(0, 3))),
                Arguments.of(new long[] {4, 6}, List.of(Step.transpose(0, 1))),
                Arguments.of(new long[] {2, 3, 4}, List.of(Step.permute(2, 0, 1))),
                Arguments.of(new long[] {2, 3, 4}, List.of(Step.permute(1, 2, 0), Step.narrow(2, 1, 1), Step.select(0, 2))),
                Arguments.of(new long[] {5, 3, 7}, List.of(Step.select(1, 1), Step.transpose(0, 1), Step.narrow(1, 1, 3))));
    }

    @ParameterizedTest
    @MethodSource("viewCases")
    void viewsMatchTheModelAndShareMemory(long[] shape, List<Step> steps) {
        Layout base = Layout.contiguous(shape);
        Layout m = apply(base, steps);
        double[] v = values(DType.F32, base.numel(), 3);
        try (Tensor t = make(DType.F32, v, shape); Tensor view = apply(t, steps)) {
            assertArrayEquals(m.shape(), view.shape(), "shape of " + steps);
            assertArrayEquals(m.strides(), view.strides(), "strides of " + steps);
            assertEquals(m.offset(), view.offset(), "offset of " + steps);
            assertValues(m.gather(v), view, "values of " + steps);
            try (Tensor c = view.contiguous()) {
                assertTrue(c.isContiguous());
                assertValues(m.gather(v), c, "contiguous() of " + steps);
            }
            view.fill(-77);
            for (int p : m.positions()) {
                v[p] = -77;
            }
            assertValues(v, t, "base after fill through " + steps);
        }
    }

    @Test
    void negativeDimsAndIndices() {
        double[] v = values(DType.F32, 12, 4);
        try (Tensor t = make(DType.F32, v, 3, 4); Tensor last = t.select(0, -1); Tensor col = t.select(-1, -2);
             Tensor tr = t.transpose(-1, -2); Tensor sl = t.slice(-1, 1, 3)) {
            assertValues(Arrays.copyOfRange(v, 8, 12), last, "select(0, -1)");
            assertValues(new double[] {v[2], v[6], v[10]}, col, "select(-1, -2)");
            assertArrayEquals(new long[] {4, 3}, tr.shape());
            assertValues(Layout.contiguous(3, 4).narrow(1, 1, 2).gather(v), sl, "slice(-1, 1, 3)");
        }
    }

    @Test
    void reshapeToAnIncompatibleShape() {
        double[] v = values(DType.F32, 6, 0);
        try (Tensor t = make(DType.F32, v, 2, 3)) {
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> t.reshape(4, 2));
            assertMessage(e, "[4, 2]", "6");
            e = assertThrows(TensorException.Shape.class, () -> t.reshape(-1, 4));
            assertMessage(e, "[-1, 4]", "6");
            e = assertThrows(TensorException.Shape.class, () -> t.reshape(-1, -1));
            assertMessage(e, "-1");
            e = assertThrows(TensorException.Shape.class, () -> t.reshape(3, -2));
            assertMessage(e, "-2");
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertValues(v, t, "unchanged");
        }
    }

    @Test
    void narrowAndSelectOutOfRange() {
        double[] v = values(DType.F32, 12, 0);
        try (Tensor t = make(DType.F32, v, 2, 6)) {
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 4, 3));
            assertMessage(e, "4", "3", "size 6");
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, -1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 0, -1));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 1, Long.MAX_VALUE));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(2, 0, 1));
            e = assertThrows(IndexOutOfBoundsException.class, () -> t.select(0, 2));
            assertMessage(e, "index 2", "size 2");
            e = assertThrows(IndexOutOfBoundsException.class, () -> t.select(1, -7));
            assertMessage(e, "-7", "size 6");
            assertThrows(IndexOutOfBoundsException.class, () -> t.slice(1, 3, 7));
            e = assertThrows(IndexOutOfBoundsException.class, () -> t.transpose(0, 2));
            assertMessage(e, "2", "rank 2");
            assertValues(v, t, "unchanged");
        }
    }

    @Test
    void permuteRejectsRepeatsAndWrongLength() {
        try (Tensor t = Tensor.zeros(DType.F32, device(), 2, 3, 4)) {
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> t.permute(0, 0, 1));
            assertMessage(e, "[0, 0, 1]", "repeats");
            e = assertThrows(TensorException.Shape.class, () -> t.permute(1, 0));
            assertMessage(e, "3", "2");
            assertThrows(TensorException.Shape.class, () -> t.permute(0, 1, -1, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> t.permute(0, 1, 3));
            assertThrows(TensorException.Shape.class, () -> t.permute(2, -1, 1), "-1 and 2 are the same dim");
        }
    }
}
