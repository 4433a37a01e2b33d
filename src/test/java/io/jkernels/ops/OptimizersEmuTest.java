package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jkernels.ops.Optimizers.Hyper;
import io.jkernels.ops.Optimizers.ParamGrad;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import io.jkernels.testing.Rejects;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Sizes;
import io.jkernels.testing.Views;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimizer kernels (kernels/optimizers.cu) on the host emulator against the float64
 * reference on cpu: the one-tensor kernels of {@link Optimizers#adamwStep} / {@link
 * Optimizers#adamStep} (every variant: adam/adamw x amsgrad x maximize) over the size sweep and
 * odd shapes in aligned, misaligned and strided-grad layouts, NaN/Inf rules, determinism, errors
 * on emu tensors writing nothing; and the multi-tensor kernels of {@link AdamW} / {@link Adam}
 * over parameter lists crossing chunk boundaries, over several steps, with step-count groups,
 * changing gradient tensors (table upload) and mixed devices, against the cpu optimizer and
 * bit-for-bit against the one-tensor kernel.
 *
 * <p>Tolerance: OPS.md's float32 default, rtol 1e-5 and atol 1e-6, unchanged. The kernel computes
 * in float32 with the step's scalars rounded from double once (kernels/math/optimizers.h); on the
 * inputs of {@link OptimizerInputs} that is a few float32 roundings of |param| + |update|, about
 * 1e-7 absolute, so the default tolerance holds with a wide margin.
 */
@Tag("emu")
class OptimizersEmuTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;

    @BeforeAll
    static void emu() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    /** How the emu tensors are laid out. */
    enum Layout {
        /** Fresh aligned tensors: the 16-byte vector body. */
        ALIGNED,
        /** Every tensor at element offset 1: same address mod 16, scalar head, vector body, scalar tail. */
        MISALIGNED_ALL,
        /** Only grad at offset 1: the pointers disagree mod 16, scalar loop throughout. */
        MISALIGNED_GRAD,
        /** A non-contiguous grad (read through a contiguous copy). */
        STRIDED_GRAD
    }

    /** The four kernels and maximize, with non-default hyper-parameters. */
    static List<Object[]> variants() {
        List<Object[]> out = new ArrayList<>();
        for (boolean decoupled : new boolean[] {true, false}) {
            for (boolean amsgrad : new boolean[] {false, true}) {
                out.add(new Object[] {decoupled, new Hyper(2e-3, 0.9, 0.999, 1e-8, 0.05, amsgrad, !amsgrad)});
            }
        }
        return out;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long[] small = {1, 3, 17, 129, 4097};
        for (Object[] v : variants()) {
            out.add(Arguments.of(v[0], v[1], Layout.ALIGNED, Sizes.shapes(Sizes.SWEEP)));
            for (Layout l : new Layout[] {Layout.MISALIGNED_ALL, Layout.MISALIGNED_GRAD, Layout.STRIDED_GRAD}) {
                out.add(Arguments.of(v[0], v[1], l, Sizes.shapes(small)));
            }
        }
        return out.stream();
    }

    private static void step(boolean decoupled, Tensor[] t, Hyper h, long step) {
        Tensor x = h.amsgrad() ? t[4] : null;
        if (decoupled) {
            Optimizers.adamwStep(t[0], t[1], t[2], t[3], x, h, step);
        } else {
            Optimizers.adamStep(t[0], t[1], t[2], t[3], x, h, step);
        }
    }

    /** The five cpu tensors on emu in the layout. */
    private static Tensor[] toEmu(Tensor[] cpu, Layout layout) {
        Tensor[] out = new Tensor[cpu.length];
        for (int k = 0; k < cpu.length; k++) {
            boolean offset = layout == Layout.MISALIGNED_ALL || (layout == Layout.MISALIGNED_GRAD && k == 1);
            try (Tensor e = cpu[k].to(Device.emu())) {
                out[k] = offset ? Views.misaligned(e) : layout == Layout.STRIDED_GRAD && k == 1 ? Views.strided(e)
                        : e.alias();
            }
        }
        return out;
    }

    private static void close(Tensor[]... groups) {
        for (Tensor[] g : groups) {
            for (Tensor t : g) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    private static final String[] NAMES = {"param", "grad", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"};

    /** Compares the updated tensors (param, exp_avg, exp_avg_sq, max_exp_avg_sq when amsgrad). */
    private static void compare(String what, Tensor[] actual, Tensor[] expected, boolean amsgrad) {
        for (int k : amsgrad ? new int[] {0, 2, 3, 4} : new int[] {0, 2, 3}) {
            Compare.allClose(what + " " + NAMES[k], actual[k], expected[k], RTOL, ATOL);
        }
    }

    @ParameterizedTest(name = "adamw={0} {1} {2}")
    @MethodSource("cases")
    void matchesReference(boolean decoupled, Hyper h, Layout layout, List<long[]> shapes) {
        long seed = 100;
        for (long[] shape : shapes) {
            String what = (decoupled ? "adamw " : "adam ") + h + " " + layout + " " + Arrays.toString(shape);
            try (OptimizerInputs in = new OptimizerInputs(seed++, shape)) {
                Tensor[] emu = toEmu(in.all(), layout);
                try {
                    step(decoupled, emu, h, 7);
                    step(decoupled, in.all(), h, 7);
                    compare(what, emu, in.all(), h.amsgrad());
                } finally {
                    close(emu);
                }
            }
        }
    }

    @Test
    void nanAndInfFollowTheFormula() {
        for (Object[] v : variants()) {
            boolean decoupled = (boolean) v[0];
            for (double wd : new double[] {0.0, 0.1}) {
                Hyper base = (Hyper) v[1];
                Hyper h = new Hyper(base.lr(), base.beta1(), base.beta2(), base.eps(), wd, base.amsgrad(),
                        base.maximize());
                try (OptimizerInputs in = new OptimizerInputs(7, 37)) {
                    double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0};
                    for (int i = 0; i < specials.length; i++) {
                        in.grad.setDouble(i, specials[i]);
                        in.param.setDouble(10 + i, specials[i]);  // adam wd 0: an Inf param keeps m finite
                        in.maxExpAvgSq.setDouble(20 + i, Math.abs(specials[i]));
                        in.expAvgSq.setDouble(30 + i, Math.abs(specials[i]));
                    }
                    Tensor[] emu = toEmu(in.all(), Layout.ALIGNED);
                    try {
                        step(decoupled, emu, h, 3);
                        step(decoupled, in.all(), h, 3);
                        compare("specials adamw=" + decoupled + " " + h, emu, in.all(), h.amsgrad());
                    } finally {
                        close(emu);
                    }
                }
            }
        }
    }

    @Test
    void repeatedRunsGiveIdenticalBits() {
        Hyper h = new Hyper(1e-3, 0.9, 0.999, 1e-8, 0.01, true, false);
        try (OptimizerInputs in = new OptimizerInputs(9, 100003)) {
            Tensor[] a = toEmu(in.all(), Layout.ALIGNED);
            Tensor[] b = toEmu(in.all(), Layout.ALIGNED);
            try {
                step(true, a, h, 5);
                step(true, b, h, 5);
                for (int k = 0; k < 5; k++) {
                    Compare.bitEqual(NAMES[k], a[k], b[k]);
                }
            } finally {
                close(a, b);
            }
        }
    }

    @Test
    void errorsOnEmuWriteNothing() {
        try (OptimizerInputs in = new OptimizerInputs(13, 33); OptimizerInputs other = new OptimizerInputs(14, 32)) {
            Tensor[] e = toEmu(in.all(), Layout.ALIGNED);
            Tensor[] o = toEmu(other.all(), Layout.ALIGNED);
            try (Tensor cpuGrad = in.grad.copy()) {
                List<Tensor> all = new ArrayList<>(List.of(e));
                Hyper h = Hyper.adamwDefaults();
                Rejects.rejects(TensorException.BadAttr.class, all,
                        () -> Optimizers.adamwStep(e[0], e[1], e[2], e[3], null, h, 0));
                Rejects.rejects(TensorException.Shape.class, all,
                        () -> Optimizers.adamwStep(e[0], o[1], e[2], e[3], null, h, 1));
                Rejects.rejects(TensorException.DeviceMismatch.class, all,
                        () -> Optimizers.adamwStep(e[0], cpuGrad, e[2], e[3], null, h, 1));
                try (AdamW opt = AdamW.of(h)) {
                    Rejects.rejects(TensorException.class, all, () -> opt.step(List.of(
                            new ParamGrad(e[0], e[1]), new ParamGrad(o[0], e[1]))));
                }
            } finally {
                close(e, o);
            }
        }
    }

    // ---- multi-tensor --------------------------------------------------------------------------

    /** Sizes around the chunk (Optimizers.CHUNK = 8192) and the vector width, a zero-size one, odd shapes. */
    private static final long[][] LIST = {{8192}, {17}, {0}, {3, 1, 11}, {8193}, {2 * 8192 + 5}, {1}, {4097},
        {64, 13}, {2, 0, 3}, {100000}};

    @Test
    void multiTensorMatchesCpuOptimizerOverSteps() {
        for (Object[] v : variants()) {
            boolean decoupled = (boolean) v[0];
            Hyper h = (Hyper) v[1];
            Optimizers.AdamOptimizer onEmu = decoupled ? AdamW.of(h) : Adam.of(h);
            Optimizers.AdamOptimizer onCpu = decoupled ? AdamW.of(h) : Adam.of(h);
            List<OptimizerInputs> ins = new ArrayList<>();
            List<Tensor[]> emu = new ArrayList<>();
            try (onEmu; onCpu) {
                for (int i = 0; i < LIST.length; i++) {
                    OptimizerInputs in = new OptimizerInputs(200 + i, LIST[i]);
                    ins.add(in);
                    // tensor 1 misaligned (scalar head/tail), tensor 3 with a strided grad
                    emu.add(toEmu(in.all(), i == 1 ? Layout.MISALIGNED_ALL : i == 3 ? Layout.STRIDED_GRAD
                            : Layout.ALIGNED));
                }
                for (int s = 0; s < 3; s++) {
                    List<ParamGrad> e = new ArrayList<>();
                    List<ParamGrad> c = new ArrayList<>();
                    for (int i = 0; i < LIST.length; i++) {
                        if (s == 0 && i % 3 == 2) {
                            continue;  // skipped on the first step: two step-count groups later
                        }
                        e.add(new ParamGrad(emu.get(i)[0], emu.get(i)[1]));
                        c.add(new ParamGrad(ins.get(i).param, ins.get(i).grad));
                    }
                    onEmu.step(e);
                    onCpu.step(c);
                    for (int i = 0; i < LIST.length; i++) {
                        String what = (decoupled ? "adamw " : "adam ") + h + " step " + s + " tensor " + i;
                        checkState(what, emu.get(i)[0], ins.get(i).param, onEmu, onCpu);
                    }
                }
            } finally {
                ins.forEach(OptimizerInputs::close);
                emu.forEach(OptimizersEmuTest::close);
            }
        }
    }

    private static void checkState(String what, Tensor emuParam, Tensor cpuParam, Optimizers.AdamOptimizer onEmu,
            Optimizers.AdamOptimizer onCpu) {
        Optimizers.AdamOptimizer.State se = onEmu.state(emuParam);
        Optimizers.AdamOptimizer.State sc = onCpu.state(cpuParam);
        if (sc == null) {
            assertEquals(null, se, what);
            return;
        }
        assertEquals(sc.step(), se.step(), what + " step count");
        Compare.allClose(what + " param", emuParam, cpuParam, RTOL, ATOL);
        Compare.allClose(what + " exp_avg", se.expAvg(), sc.expAvg(), RTOL, ATOL);
        Compare.allClose(what + " exp_avg_sq", se.expAvgSq(), sc.expAvgSq(), RTOL, ATOL);
        if (sc.maxExpAvgSq() != null) {
            Compare.allClose(what + " max_exp_avg_sq", se.maxExpAvgSq(), sc.maxExpAvgSq(), RTOL, ATOL);
        }
    }

    @Test
    void multiTensorIsBitIdenticalToTheOneTensorKernel() {
        for (Object[] v : variants()) {
            boolean decoupled = (boolean) v[0];
            Hyper h = (Hyper) v[1];
            List<Tensor[]> multi = new ArrayList<>();
            List<Tensor[]> single = new ArrayList<>();
            try (Optimizers.AdamOptimizer opt = decoupled ? AdamW.of(h) : Adam.of(h)) {
                List<ParamGrad> pairs = new ArrayList<>();
                for (int i = 0; i < LIST.length; i++) {
                    try (OptimizerInputs in = new OptimizerInputs(300 + i, LIST[i])) {
                        multi.add(toEmu(in.all(), Layout.ALIGNED));
                        single.add(toEmu(in.all(), Layout.ALIGNED));
                    }
                    Tensor[] m = multi.get(multi.size() - 1);
                    opt.loadState(m[0], m[2], m[3], h.amsgrad() ? m[4] : null, 4);
                    pairs.add(new ParamGrad(m[0], m[1]));
                }
                opt.step(pairs);
                for (int i = 0; i < LIST.length; i++) {
                    Tensor[] s = single.get(i);
                    step(decoupled, s, h, 5);
                    Optimizers.AdamOptimizer.State st = opt.state(multi.get(i)[0]);
                    String what = (decoupled ? "adamw " : "adam ") + h + " tensor " + i;
                    Compare.bitEqual(what + " param", multi.get(i)[0], s[0]);
                    Compare.bitEqual(what + " exp_avg", st.expAvg(), s[2]);
                    Compare.bitEqual(what + " exp_avg_sq", st.expAvgSq(), s[3]);
                    if (h.amsgrad()) {
                        Compare.bitEqual(what + " max_exp_avg_sq", st.maxExpAvgSq(), s[4]);
                    }
                }
            } finally {
                multi.forEach(OptimizersEmuTest::close);
                single.forEach(OptimizersEmuTest::close);
            }
        }
    }

    @Test
    void newGradientTensorsAndMixedDevicesAreFollowed() {
        Hyper h = Hyper.adamwDefaults();
        try (AdamW onEmu = AdamW.of(h); AdamW onCpu = AdamW.of(h); OptimizerInputs a = new OptimizerInputs(41, 5000);
                OptimizerInputs b = new OptimizerInputs(42, 300); OptimizerInputs c = new OptimizerInputs(43, 77);
                Tensor pa = a.param.to(Device.emu()); Tensor pb = b.param.to(Device.emu());
                Tensor cpuParam = c.param.copy()) {
            for (int s = 0; s < 3; s++) {
                // fresh gradient tensors every step (new addresses: the table is uploaded again),
                // and a cpu parameter in the same list (its own group, run by the reference)
                try (Tensor ga = a.grad.to(Device.emu()); Tensor gbAligned = b.grad.to(Device.emu());
                        Tensor gb = s == 1 ? gbAligned.alias() : Views.misaligned(gbAligned)) {
                    onEmu.step(List.of(new ParamGrad(pa, ga), new ParamGrad(cpuParam, c.grad), new ParamGrad(pb, gb)));
                }
                onCpu.step(List.of(new ParamGrad(a.param, a.grad), new ParamGrad(c.param, c.grad),
                        new ParamGrad(b.param, b.grad)));
                checkState("a step " + s, pa, a.param, onEmu, onCpu);
                checkState("b step " + s, pb, b.param, onEmu, onCpu);
                Compare.bitEqual("cpu param step " + s, cpuParam, c.param);
            }
        }
    }
}
