package io.jkernels.tensor;

import static io.jkernels.tensor.Step.apply;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Tensor contract, copies: copyFrom between strided views of ranks 1 to 4 in every dtype (the
 * {@code copy_strided_b<N>} kernels on kernel backends), across devices, between views of one
 * allocation (overlapping ones as if the source were read first, the same view a no-op), every bit
 * pattern kept, contiguous()/copy()/to() aliasing, and mismatched shape or dtype. See
 * {@link TensorContract}.
 */
abstract class TensorCopiesContract extends TensorContract {

    @Test
    void contiguousOfContiguousIsAnAliasAndCopyIsNot() {
        double[] v = values(DType.F32, 6, 5);
        try (Tensor t = make(DType.F32, v, 2, 3); Tensor a = t.contiguous(); Tensor c = t.copy(); Tensor to = t.to(device())) {
            a.fill(1);
            double[] ones = new double[6];
            Arrays.fill(ones, 1);
            assertValues(ones, t, "contiguous() of a contiguous tensor aliases");
            assertValues(ones, to, "to(same device) aliases");
            assertValues(v, c, "copy() is new memory");
        }
    }

    /** (srcBase, srcSteps, dstBase, dstSteps) with equal final shapes: ranks 1..4, odd strides, offsets. */
    static List<Arguments> stridedCopyCases() {
        List<Arguments> cases = new ArrayList<>();
        // rank 1: a column (stride 5, offset 2) into another column (stride 3, offset 2)
        cases.add(Arguments.of("rank1", new long[] {7, 5}, List.of(Step.select(1, 2)), new long[] {7, 3}, List.of(Step.select(1, 2))));
        // rank 2: transposed + narrowed into a narrowed row-major view
        cases.add(Arguments.of("rank2", new long[] {6, 9}, List.of(Step.transpose(0, 1), Step.narrow(0, 2, 5)),
                new long[] {5, 8}, List.of(Step.narrow(1, 1, 6))));
        // rank 3: permuted + narrowed into a transposed view
        cases.add(Arguments.of("rank3", new long[] {4, 5, 6}, List.of(Step.permute(2, 0, 1), Step.narrow(2, 1, 3)),
                new long[] {4, 6, 3}, List.of(Step.transpose(0, 1))));
        // rank 4: permuted + narrowed into transposed + narrowed
        cases.add(Arguments.of("rank4", new long[] {2, 3, 4, 5}, List.of(Step.permute(3, 1, 0, 2), Step.narrow(0, 1, 3)),
                new long[] {3, 2, 3, 6}, List.of(Step.transpose(1, 2), Step.narrow(3, 2, 4))));
        // odd stride 21 with an element offset (select), into a contiguous view at offset 10
        cases.add(Arguments.of("oddStride", new long[] {5, 3, 7}, List.of(Step.select(1, 1), Step.transpose(0, 1)),
                new long[] {9, 5}, List.of(Step.narrow(0, 2, 7))));
        // contiguous into contiguous, both at offsets (the plain copy path)
        cases.add(Arguments.of("offsets", new long[] {4, 5}, List.of(Step.narrow(0, 1, 2)),
                new long[] {6, 5}, List.of(Step.narrow(0, 3, 2))));
        // size-1 dims with strides that do not matter, plus a non-contiguous inner dim
        cases.add(Arguments.of("size1", new long[] {3, 1, 8}, List.of(Step.narrow(2, 3, 5), Step.permute(1, 0, 2)),
                new long[] {1, 5, 3}, List.of(Step.transpose(1, 2))));
        return cases;
    }

    static Stream<Arguments> stridedCopyCasesByDtype() {
        // every dtype: element sizes 1, 2, 4, 8 (copy_strided_b1..b8 on kernel backends)
        return Stream.of(DType.values()).flatMap(dt -> stridedCopyCases().stream().map(a -> {
            Object[] o = a.get();
            return Arguments.of(dt, o[0], o[1], o[2], o[3], o[4]);
        }));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("stridedCopyCasesByDtype")
    void copyFromBetweenViews(DType dt, String name, long[] srcShape, List<Step> srcSteps, long[] dstShape, List<Step> dstSteps) {
        Layout sm = apply(Layout.contiguous(srcShape), srcSteps);
        Layout dm = apply(Layout.contiguous(dstShape), dstSteps);
        assertArrayEquals(sm.shape(), dm.shape(), "test case shapes agree");
        double[] sv = values(dt, Layout.contiguous(srcShape).numel(), 1);
        double[] dv = values(dt, Layout.contiguous(dstShape).numel(), 2);
        if (dt != DType.BOOL) {
            Arrays.fill(dv, 123); // a sentinel no source element has
        }
        double[] srcBefore = sv.clone();
        try (Tensor src = make(dt, sv, srcShape); Tensor dst = make(dt, dv, dstShape);
             Tensor s = apply(src, srcSteps); Tensor d = apply(dst, dstSteps)) {
            d.copyFrom(s);
            double[] expected = dv.clone();
            double[] moved = sm.gather(sv);
            int[] pos = dm.positions();
            for (int i = 0; i < pos.length; i++) {
                expected[pos[i]] = moved[i];
            }
            assertValues(expected, dst, name + " " + dt + ": destination base (only the view's elements change)");
            assertValues(moved, d, name + " " + dt + ": destination view");
            assertValues(srcBefore, src, name + " " + dt + ": source unchanged");
        }
    }

    /** A non-contiguous cpu view into a non-contiguous view here, and back (staged through contiguous images). */
    @ParameterizedTest
    @EnumSource(DType.class)
    void copyFromAcrossDevicesBetweenViews(DType dt) {
        Layout hm = Layout.contiguous(4, 6).transpose(0, 1).narrow(0, 1, 4);     // (4, 4) on cpu
        Layout dm = Layout.contiguous(5, 4, 3).select(2, 1).narrow(0, 1, 4);    // (4, 4) here, stride 12 and 3
        double[] hv = values(dt, 24, 4);
        double[] dv = values(dt, 60, 5);
        try (Tensor host = make(dt, Device.cpu(), hv, 4, 6); Tensor here = make(dt, dv, 5, 4, 3);
             Tensor hView = apply(host, List.of(Step.transpose(0, 1), Step.narrow(0, 1, 4)));
             Tensor dView = apply(here, List.of(Step.select(2, 1), Step.narrow(0, 1, 4)))) {
            dView.copyFrom(hView);
            double[] expected = dv.clone();
            double[] moved = hm.gather(hv);
            int[] pos = dm.positions();
            for (int i = 0; i < pos.length; i++) {
                expected[pos[i]] = moved[i];
            }
            assertValues(expected, here, dt + " cpu view -> " + device() + " view");

            double[] back = hv.clone();
            try (Tensor src = apply(here, List.of(Step.select(2, 2), Step.narrow(0, 0, 4), Step.transpose(0, 1)))) {
                Layout sm = Layout.contiguous(5, 4, 3).select(2, 2).narrow(0, 0, 4).transpose(0, 1);
                hView.copyFrom(src);
                double[] got = sm.gather(expected);
                int[] hp = hm.positions();
                for (int i = 0; i < hp.length; i++) {
                    back[hp[i]] = got[i];
                }
            }
            assertValues(back, host, dt + " " + device() + " view -> cpu view");
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void copyKeepsEveryBitPattern(DType dt) {
        // all 256 byte values in every lane: NaN payloads, subnormals, -0 survive copies bit for bit
        int n = 256;
        ByteBuffer raw = ByteBuffer.allocate(n * dt.bytes());
        for (int i = 0; i < raw.capacity(); i++) {
            raw.put(i, (byte) (i / dt.bytes() + 17 * (i % dt.bytes())));
        }
        byte[] bits = raw.array().clone();
        try (Tensor h = Tensor.fromBuffer(raw, dt, 16, 16); Tensor t = h.to(device()); Tensor tr = t.transpose(0, 1);
             Tensor c = tr.contiguous(); Tensor back = c.transpose(0, 1); Tensor c2 = back.contiguous()) {
            assertArrayEquals(bits, t.toByteArray(), dt + " to " + device());
            assertArrayEquals(bits, c2.toByteArray(), dt + " transposed twice through contiguous()");
        }
    }

    /** Two non-overlapping views of one allocation: column 0 of a transpose into column 2. */
    @Test
    void copyFromBetweenViewsOfOneAllocation() {
        double[] v = values(DType.F64, 15, 6);
        try (Tensor t = make(DType.F64, v, 3, 5); Tensor tr = t.transpose(0, 1); Tensor from = tr.select(0, 0);
             Tensor to = tr.select(0, 2)) {
            to.copyFrom(from);
            for (int r = 0; r < 3; r++) {
                v[r * 5 + 2] = v[r * 5];
            }
            assertValues(v, t, "column 0 copied onto column 2");
        }
    }

    /** (shape, srcSteps, dstSteps): two views of one allocation that share elements. */
    static List<Arguments> overlappingCopyCases() {
        List<Arguments> cases = new ArrayList<>();
        // contiguous, shifted up by 3 and down by 3 (a plain device copy over overlapping ranges)
        cases.add(Arguments.of("shiftUp", new long[] {11}, List.of(Step.narrow(0, 0, 8)), List.of(Step.narrow(0, 3, 8))));
        cases.add(Arguments.of("shiftDown", new long[] {11}, List.of(Step.narrow(0, 3, 8)), List.of(Step.narrow(0, 0, 8))));
        // a square onto its own transpose: every off-diagonal element is read and written
        cases.add(Arguments.of("transpose", new long[] {6, 6}, List.of(Step.transpose(0, 1)), List.of()));
        // a transposed 4 x 4 block onto the block one row and one column further
        cases.add(Arguments.of("transposedShift", new long[] {5, 5},
                List.of(Step.narrow(0, 0, 4), Step.narrow(1, 0, 4), Step.transpose(0, 1)),
                List.of(Step.narrow(0, 1, 4), Step.narrow(1, 1, 4))));
        // rank 3: permuted planes 0..2 onto permuted planes 1..3
        cases.add(Arguments.of("permutedPlanes", new long[] {4, 3, 5},
                List.of(Step.narrow(0, 0, 3), Step.permute(2, 0, 1)), List.of(Step.narrow(0, 1, 3), Step.permute(2, 0, 1))));
        return cases;
    }

    static Stream<Arguments> overlappingCopyCasesByDtype() {
        return Stream.of(DType.values()).flatMap(dt -> overlappingCopyCases().stream().map(a -> {
            Object[] o = a.get();
            return Arguments.of(dt, o[0], o[1], o[2], o[3]);
        }));
    }

    /** Overlapping views copy as if the source were read completely before anything is written. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("overlappingCopyCasesByDtype")
    void copyFromBetweenOverlappingViewsReadsTheSourceFirst(DType dt, String name, long[] shape, List<Step> srcSteps,
                                                            List<Step> dstSteps) {
        Layout base = Layout.contiguous(shape);
        Layout sm = apply(base, srcSteps);
        Layout dm = apply(base, dstSteps);
        double[] v = values(dt, base.numel(), 8);
        long start = device().liveBytes();
        try (Tensor t = make(dt, v, shape); Tensor s = apply(t, srcSteps); Tensor d = apply(t, dstSteps)) {
            assertTrue(d.overlaps(s), name + ": the views overlap");
            d.copyFrom(s);
            double[] expected = v.clone();
            double[] moved = sm.gather(v);
            int[] pos = dm.positions();
            for (int i = 0; i < pos.length; i++) {
                expected[pos[i]] = moved[i];
            }
            assertValues(expected, t, name + " " + dt);
        }
        assertEquals(start, device().liveBytes(), "no temporary left behind");
    }

    /** A view copied onto itself (the same handle, an alias, an equal view) changes nothing. */
    @Test
    void copyFromTheSameViewIsANoOp() {
        double[] v = values(DType.F32, 12, 9);
        try (Tensor t = make(DType.F32, v, 3, 4); Tensor a = t.alias(); Tensor tr = t.transpose(0, 1);
             Tensor tr2 = t.transpose(0, 1); Tensor n = tr.narrow(0, 1, 2); Tensor n2 = tr2.narrow(0, 1, 2)) {
            t.copyFrom(t);
            t.copyFrom(a);
            tr.copyFrom(tr2);
            n.copyFrom(n2);
            assertValues(v, t, "copies of views onto themselves");
        }
    }

    /** Even and odd elements: the views interleave over one memory range but share no element. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void copyFromBetweenInterleavedViewsOfOneAllocation(DType dt) {
        double[] v = values(dt, 14, 10);
        try (Tensor t = make(dt, v, 7, 2); Tensor even = t.select(1, 0); Tensor odd = t.select(1, 1)) {
            odd.copyFrom(even);
            double[] expected = v.clone();
            for (int i = 0; i < 7; i++) {
                expected[2 * i + 1] = v[2 * i];
            }
            assertValues(expected, t, dt + " even elements onto odd ones");
            even.copyFrom(odd);
            assertValues(expected, t, dt + " and back");
        }
    }

    @Test
    void copyFromWithMismatchedShapeOrDtype() {
        double[] v = values(DType.F32, 6, 0);
        try (Tensor dst = make(DType.F32, v, 2, 3); Tensor wrongShape = Tensor.zeros(DType.F32, device(), 3, 2);
             Tensor wrongType = Tensor.zeros(DType.F64, device(), 2, 3);
             Tensor cpuWrong = Tensor.zeros(DType.F32, Device.cpu(), 6)) {
            TensorException.Shape e = assertThrows(TensorException.Shape.class, () -> dst.copyFrom(wrongShape));
            assertMessage(e, "[3, 2]", "[2, 3]");
            TensorException.DTypeMismatch d = assertThrows(TensorException.DTypeMismatch.class, () -> dst.copyFrom(wrongType));
            assertMessage(d, "f64", "f32");
            assertThrows(TensorException.Shape.class, () -> dst.copyFrom(cpuWrong));
            assertValues(v, dst, "destination unchanged");
        }
    }
}
