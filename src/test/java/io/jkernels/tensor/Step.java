package io.jkernels.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** A view step applied both to a tensor and to its model. */
record Step(String name, Function<Tensor, Tensor> tensor, UnaryOperator<Layout> model) {
    static Step permute(int... order) {
        return new Step("permute" + Arrays.toString(order), t -> t.permute(order), m -> m.permute(order));
    }

    static Step transpose(int a, int b) {
        return new Step("transpose(" + a + "," + b + ")", t -> t.transpose(a, b), m -> m.transpose(a, b));
    }

    static Step narrow(int d, long start, long len) {
        return new Step("narrow(" + d + "," + start + "," + len + ")", t -> t.narrow(d, start, len),
                m -> m.narrow(d, start, len));
    }

    static Step select(int d, long index) {
        return new Step("select(" + d + "," + index + ")", t -> t.select(d, index), m -> m.select(d, index));
    }

    @Override
    public String toString() {
        return name;
    }

    /** Applies the steps to {@code base}, closing the intermediate views; returns the final view. */
    static Tensor apply(Tensor base, List<Step> steps) {
        Tensor t = base.alias();
        for (Step s : steps) {
            Tensor next = s.tensor().apply(t);
            t.close();
            t = next;
        }
        return t;
    }

    static Layout apply(Layout base, List<Step> steps) {
        Layout m = base;
        for (Step s : steps) {
            m = s.model().apply(m);
        }
        return m;
    }
}
