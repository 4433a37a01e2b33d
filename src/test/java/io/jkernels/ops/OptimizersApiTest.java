package io.jkernels.ops;

import static io.jkernels.testing.Rejects.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jkernels.ops.Optimizers.Hyper;
import io.jkernels.ops.Optimizers.ParamGrad;
import io.jkernels.ref.OptimizersRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Views;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The public API of {@link Optimizers}, {@link AdamW} and {@link Adam} on cpu (the reference
 * path): PyTorch's defaults, attr and tensor validation (a typed exception, every tensor
 * unchanged), and the stateful optimizers' bookkeeping (state created as zeros on the first
 * step, the step count per parameter, groups of different step counts, zeroState, loadState,
 * close) against the functional step with hand-kept state.
 */
class OptimizersApiTest {


    @Test
    void defaultsAreTorchs() {
        try (AdamW w = AdamW.builder().build(); Adam a = Adam.builder().build()) {
            assertEquals(new Hyper(1e-3, 0.9, 0.999, 1e-8, 1e-2, false, false), w.hyper());
            assertEquals(new Hyper(1e-3, 0.9, 0.999, 1e-8, 0.0, false, false), a.hyper());
            assertEquals(Hyper.adamwDefaults(), w.hyper());
            assertEquals(Hyper.adamDefaults(), a.hyper());
        }
        try (AdamW w = AdamW.builder().lr(0.1).betas(0.5, 0.6).eps(1e-3).weightDecay(0.2).amsgrad(true)
                .maximize(true).build()) {
            assertEquals(new Hyper(0.1, 0.5, 0.6, 1e-3, 0.2, true, true), w.hyper());
        }
    }

    @Test
    void badAttrsAreRejected() {
        Class<TensorException.BadAttr> bad = TensorException.BadAttr.class;
        assertThrows(bad, () -> AdamW.builder().lr(-1e-3).build());
        assertThrows(bad, () -> AdamW.builder().lr(Double.NaN).build());
        assertThrows(bad, () -> AdamW.builder().eps(-1e-8).build());
        assertThrows(bad, () -> Adam.builder().betas(1.0, 0.999).build());
        assertThrows(bad, () -> Adam.builder().betas(-0.1, 0.999).build());
        assertThrows(bad, () -> Adam.builder().betas(0.9, 1.0).build());
        assertThrows(bad, () -> Adam.builder().betas(0.9, Double.NaN).build());
        assertThrows(bad, () -> Adam.builder().weightDecay(-0.01).build());
        // the edges of the domains are valid
        new Hyper(0.0, 0.0, 0.0, 0.0, 0.0, false, false);
    }

    @Test
    void badArgumentsAreTypedAndWriteNothing() {
        try (OptimizerInputs in = new OptimizerInputs(1, 3, 5); OptimizerInputs other = new OptimizerInputs(2, 5, 3);
                Tensor ints = Tensor.zeros(DType.I32, Device.cpu(), 3, 5);
                Tensor half = Tensor.zeros(DType.F16, Device.cpu(), 3, 5);
                Tensor wide = Tensor.zeros(DType.F32, Device.cpu(), 3, 10);
                Tensor strided = wide.narrow(1, 0, 5)) {
            Tensor p = in.param;
            Tensor g = in.grad;
            Tensor m = in.expAvg;
            Tensor v = in.expAvgSq;
            Tensor x = in.maxExpAvgSq;
            List<Tensor> all = new ArrayList<>(List.of(in.all()));
            all.addAll(List.of(other.all()));
            all.add(wide);
            Class<TensorException.BadAttr> bad = TensorException.BadAttr.class;
            // step 0, lr < 0, beta1 = 1, eps < 0, weight_decay < 0
            rejects(bad, all, () -> Optimizers.adamwStep(p, g, m, v, null, 1e-3, 0.9, 0.999, 1e-8, 0.01, 0, false,
                    false));
            rejects(bad, all, () -> Optimizers.adamStep(p, g, m, v, null, -1e-3, 0.9, 0.999, 1e-8, 0, 1, false,
                    false));
            rejects(bad, all, () -> Optimizers.adamwStep(p, g, m, v, null, 1e-3, 1.0, 0.999, 1e-8, 0.01, 1, false,
                    false));
            rejects(bad, all, () -> Optimizers.adamwStep(p, g, m, v, null, 1e-3, 0.9, 0.999, -1, 0.01, 1, false,
                    false));
            rejects(bad, all, () -> Optimizers.adamwStep(p, g, m, v, null, 1e-3, 0.9, 0.999, 1e-8, -1, 1, false,
                    false));
            Hyper h = Hyper.adamwDefaults();
            Hyper ams = new Hyper(1e-3, 0.9, 0.999, 1e-8, 0.01, true, false);
            Class<TensorException.Shape> shape = TensorException.Shape.class;
            rejects(shape, all, () -> Optimizers.adamwStep(p, other.grad, m, v, null, h, 2));
            rejects(shape, all, () -> Optimizers.adamwStep(p, g, other.expAvg, v, null, h, 2));
            rejects(shape, all, () -> Optimizers.adamStep(p, g, m, other.expAvgSq, null, h, 2));
            rejects(shape, all, () -> Optimizers.adamwStep(p, g, m, v, other.maxExpAvgSq, ams, 2));
            rejects(shape, all, () -> Optimizers.adamwStep(strided, g, m, v, null, h, 2));
            rejects(shape, all, () -> Optimizers.adamwStep(p, g, strided, v, null, h, 2));
            rejects(shape, all, () -> Optimizers.adamwStep(p, g, m, v, strided, ams, 2));
            Class<TensorException.DTypeMismatch> dtype = TensorException.DTypeMismatch.class;
            rejects(dtype, all, () -> Optimizers.adamwStep(ints, g, m, v, null, h, 2));
            rejects(dtype, all, () -> Optimizers.adamwStep(half, g, m, v, null, h, 2));
            rejects(dtype, all, () -> Optimizers.adamwStep(p, half, m, v, null, h, 2));
            rejects(dtype, all, () -> Optimizers.adamwStep(p, g, ints, v, null, h, 2));
            rejects(TensorException.class, all, () -> Optimizers.adamwStep(p, g, m, v, null, ams, 2));
            rejects(TensorException.class, all, () -> Optimizers.adamwStep(p, g, m, v, x, h, 2));
            rejects(NullPointerException.class, all, () -> Optimizers.adamwStep(p, null, m, v, null, h, 2));
            Tensor closed = Tensor.zeros(DType.F32, Device.cpu(), 3, 5);
            closed.close();
            rejects(IllegalStateException.class, all, () -> Optimizers.adamwStep(p, g, closed, v, null, h, 2));
        }
    }

    @Test
    void stridedGradIsRead() {
        try (OptimizerInputs a = new OptimizerInputs(3, 4, 6); OptimizerInputs b = new OptimizerInputs(3, 4, 6);
                Tensor strided = Views.strided(a.grad)) {
            Hyper h = new Hyper(1e-2, 0.9, 0.99, 1e-8, 0.1, true, false);
            Optimizers.adamwStep(a.param, strided, a.expAvg, a.expAvgSq, a.maxExpAvgSq, h, 4);
            Optimizers.adamwStep(b.param, b.grad, b.expAvg, b.expAvgSq, b.maxExpAvgSq, h, 4);
            Compare.bitEqual("param", a.param, b.param);
            Compare.bitEqual("exp_avg", a.expAvg, b.expAvg);
        }
    }

    @Test
    void functionalStepIsTheReference() {
        try (OptimizerInputs a = new OptimizerInputs(5, 17); OptimizerInputs b = new OptimizerInputs(5, 17)) {
            Optimizers.adamStep(a.param, a.grad, a.expAvg, a.expAvgSq, a.maxExpAvgSq, 0.01, 0.8, 0.95, 1e-6, 0.1, 3,
                    true, true);
            OptimizersRef.adam(b.param, b.grad, b.expAvg, b.expAvgSq, b.maxExpAvgSq, 0.01, 0.8, 0.95, 1e-6, 0.1, 3,
                    true, true);
            for (int k = 0; k < 5; k++) {
                Compare.bitEqual("tensor " + k, a.all()[k], b.all()[k]);
            }
        }
    }

    /** Hand-kept state for one parameter: the functional step applied to copies. */
    private static final class Manual implements AutoCloseable {
        final Tensor param;
        final Tensor m;
        final Tensor v;
        final Tensor x;
        long step;

        Manual(Tensor param0) {
            param = param0.copy();
            m = Tensor.zeros(DType.F32, Device.cpu(), param0.shape());
            v = Tensor.zeros(DType.F32, Device.cpu(), param0.shape());
            x = Tensor.zeros(DType.F32, Device.cpu(), param0.shape());
        }

        void step(Tensor grad, Hyper h, boolean decoupled) {
            step++;
            if (decoupled) {
                Optimizers.adamwStep(param, grad, m, v, h.amsgrad() ? x : null, h, step);
            } else {
                Optimizers.adamStep(param, grad, m, v, h.amsgrad() ? x : null, h, step);
            }
        }

        void check(String what, Tensor actual, Optimizers.AdamOptimizer.State s) {
            Compare.bitEqual(what + " param", actual, param);
            Compare.bitEqual(what + " exp_avg", s.expAvg(), m);
            Compare.bitEqual(what + " exp_avg_sq", s.expAvgSq(), v);
            if (s.maxExpAvgSq() != null) {
                Compare.bitEqual(what + " max_exp_avg_sq", s.maxExpAvgSq(), x);
            }
            assertEquals(step, s.step(), what + " step count");
        }

        @Override
        public void close() {
            param.close();
            m.close();
            v.close();
            x.close();
        }
    }

    @Test
    void statefulStepKeepsStatePerParameter() {
        for (boolean decoupled : new boolean[] {true, false}) {
            Hyper h = new Hyper(0.01, 0.9, 0.99, 1e-8, 0.05, true, false);
            Optimizers.AdamOptimizer opt = decoupled ? AdamW.of(h) : Adam.of(h);
            try (opt; OptimizerInputs a = new OptimizerInputs(11, 5, 3); OptimizerInputs b = new OptimizerInputs(12, 7);
                    Manual ma = new Manual(a.param); Manual mb = new Manual(b.param)) {
                assertNull(opt.state(a.param));
                // a alone twice, then a and b together: two groups (steps 3 and 1) in one call
                for (int s = 0; s < 4; s++) {
                    List<ParamGrad> list = s < 2 ? List.of(new ParamGrad(a.param, a.grad))
                            : List.of(new ParamGrad(a.param, a.grad), new ParamGrad(b.param, b.grad));
                    opt.step(list);
                    ma.step(a.grad, h, decoupled);
                    if (s >= 2) {
                        mb.step(b.grad, h, decoupled);
                    }
                    ma.check("a after call " + s, a.param, opt.state(a.param));
                    if (s >= 2) {
                        mb.check("b after call " + s, b.param, opt.state(b.param));
                    }
                }
                assertEquals(4, opt.state(a.param).step());
                assertEquals(2, opt.state(b.param).step());
                opt.zeroState();
                assertNull(opt.state(a.param));
            }
            assertThrows(IllegalStateException.class, () -> opt.step(List.of()));
            opt.close();  // idempotent
        }
    }

    @Test
    void duplicateOrBadPairsWriteNothing() {
        try (AdamW opt = AdamW.builder().build(); OptimizerInputs a = new OptimizerInputs(21, 6);
                OptimizerInputs b = new OptimizerInputs(22, 4)) {
            opt.step(a.param, a.grad);
            List<Tensor> watched = List.of(a.param, b.param, opt.state(a.param).expAvg(),
                    opt.state(a.param).expAvgSq());
            rejects(TensorException.class, watched, () -> opt.step(List.of(new ParamGrad(a.param, a.grad),
                    new ParamGrad(a.param, a.grad))));
            rejects(TensorException.Shape.class, watched, () -> opt.step(List.of(new ParamGrad(a.param, a.grad),
                    new ParamGrad(b.param, a.grad))));
            assertEquals(1, opt.state(a.param).step(), "a rejected step counts nothing");
            assertNull(opt.state(b.param), "a rejected step creates no state");
        }
    }

    @Test
    void loadStateThenStepMatchesTheFunctionalStep() {
        Hyper h = new Hyper(3e-3, 0.85, 0.98, 1e-7, 0.02, true, true);
        try (AdamW opt = AdamW.of(h); OptimizerInputs a = new OptimizerInputs(31, 2, 9);
                OptimizerInputs b = new OptimizerInputs(31, 2, 9)) {
            opt.loadState(a.param, a.expAvg, a.expAvgSq, a.maxExpAvgSq, 6);
            assertEquals(6, opt.state(a.param).step());
            opt.step(a.param, a.grad);
            Optimizers.adamwStep(b.param, b.grad, b.expAvg, b.expAvgSq, b.maxExpAvgSq, h, 7);
            Optimizers.AdamOptimizer.State s = opt.state(a.param);
            assertNotNull(s);
            Compare.bitEqual("param", a.param, b.param);
            Compare.bitEqual("exp_avg", s.expAvg(), b.expAvg);
            Compare.bitEqual("exp_avg_sq", s.expAvgSq(), b.expAvgSq);
            Compare.bitEqual("max_exp_avg_sq", s.maxExpAvgSq(), b.maxExpAvgSq);
            assertThrows(TensorException.class, () -> opt.loadState(a.param, a.expAvg, a.expAvgSq, null, 1));
            assertThrows(TensorException.BadAttr.class,
                    () -> opt.loadState(a.param, a.expAvg, a.expAvgSq, a.maxExpAvgSq, -1));
        }
    }
}
