package io.jkernels.table.families;

import static io.jkernels.table.BadCalls.with;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.ElementwiseBench;
import io.jkernels.bench.OptimizerCases;
import io.jkernels.bench.Scale;
import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.ops.Optimizers;
import io.jkernels.ops.Optimizers.Hyper;
import io.jkernels.table.BadCalls;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpFamily;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimizers of OPS.md "Optimizers" (adamw, adam: one step, in place): one definition per op.
 * Inputs param, grad, exp_avg, exp_avg_sq and, with amsgrad, max_exp_avg_sq; the outputs are the
 * updated param, exp_avg, exp_avg_sq (and max_exp_avg_sq), returned as aliases of the inputs the
 * op wrote. The public API is {@link Optimizers} (and {@code AdamW} / {@code Adam} over parameter
 * lists), the reference {@code OptimizersRef}, the kernels kernels/optimizers.cu over
 * kernels/math/optimizers.h, the golden cases tools/golden/gen_optimizers.py; the bench cases are
 * {@link OptimizerCases} (torch.optim defaults, step 10).
 */
public final class OptimizersTable implements OpFamily {
    static final String FAMILY = "optimizers";

    /** OPS.md's float32 default, in the conformance cases and the bench checks alike. */
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;
    private static final String WHY = "each element is a dozen float32 operations (the two moments, a sqrt, a "
            + "division) against float64, each rounded once: a few ulp of |m|, |v|, |param| and of the update; "
            + "the per-step scalars (bias corrections, lr / (1 - beta1^step)) are computed in double on the host "
            + "and rounded once (NOTE [Adam scalars on the host], kernels/math/optimizers.h)";

    /** One tensor: 2^27 elements on a GPU (the size). */
    static final ElementwiseBench.Sizes ONE_TENSOR = new ElementwiseBench.Sizes(1L << 27, 1L << 20, 4099);

    /** The valid calls the error samples start from (step is required). */
    private static final Map<String, Object> STEP = Map.of("step", 10L);

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public List<OpEntry> ops() {
        Hyper adamw = Hyper.adamwDefaults();
        Hyper amsgrad = new Hyper(adamw.lr(), adamw.beta1(), adamw.beta2(), adamw.eps(), adamw.weightDecay(), true,
                false);
        return List.of(
                op("adamw", Optimizers.ADAMW_WEIGHT_DECAY, true, "torch.optim.AdamW(fused=True)",
                        List.of(oneTensor("adamw_f32", adamw, true),
                                oneTensor("adamw_amsgrad_f32", amsgrad, true),
                                new BenchEntry("adamw_gpt2_small_f32", FAMILY, "f32", (device, scale, seed) ->
                                        OptimizerCases.paramList(device, gpt2Small(scale), adamw, RTOL, ATOL, seed))),
                        List.of(demo("adamw", STEP), demo("adamw", Map.of("step", 10L, "amsgrad", true)))),
                op("adam", Optimizers.ADAM_WEIGHT_DECAY, false, "torch.optim.Adam(fused=True)",
                        List.of(oneTensor("adam_f32", Hyper.adamDefaults(), false)),
                        List.of(demo("adam", Map.of("step", 10L, "weight_decay", 0.01)))));
    }

    private static OpEntry op(String name, double weightDecay, boolean decoupled, String torch, List<BenchEntry> bench,
                              List<DemoCase> demos) {
        OpDef def = OpDef.builder(name)
                .inputs("param", "grad", "exp_avg", "exp_avg_sq")
                .optionalInput("max_exp_avg_sq", OpDef.InputKind.FLOAT)
                .attrs(attrs(weightDecay))
                .outputs("param", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                .tolerance(RTOL, ATOL)
                .body((in, a) -> run(in, a, decoupled))
                .build();
        return new OpEntry(FAMILY, def, torch, new OpEntry.Tolerance(WHY, false), bench, demos,
                (d, n, seed) -> state(n, seed, false), errors(), null, null);
    }

    /** Bad calls of adamw / adam (each with step 10, the required attr). */
    private static List<OpEntry.ErrorSample> errors() {
        return List.of(
                BadCalls.reshaped("grad one element longer than param", "grad", BadCalls.axis(0, 1), STEP),
                BadCalls.retyped("exp_avg_sq", DType.I32, STEP),
                BadCalls.added("max_exp_avg_sq one element shorter than param (amsgrad)", "max_exp_avg_sq",
                        DType.F32, m -> new long[] {m.get("param").numel() - 1}, with(STEP, "amsgrad", true)),
                BadCalls.attrs("beta2 = 1 (outside [0, 1))", "beta2", with(STEP, "beta2", 1.0)),
                BadCalls.attrs("step 0 (the count includes this step: >= 1)", "step", Map.of("step", 0L)));
    }

    /** The attrs of adamw / adam (OPS.md), with the op's default weight_decay. */
    static AttrSpec[] attrs(double weightDecay) {
        return new AttrSpec[] {
            AttrSpec.real("lr", Optimizers.LR).atLeast(0),
            AttrSpec.real("beta1", Optimizers.BETA1).where(OptimizersTable::unitInterval, "in [0, 1)"),
            AttrSpec.real("beta2", Optimizers.BETA2).where(OptimizersTable::unitInterval, "in [0, 1)"),
            AttrSpec.real("eps", Optimizers.EPS).atLeast(0),
            AttrSpec.real("weight_decay", weightDecay).atLeast(0),
            AttrSpec.integer("step").atLeast(1),
            AttrSpec.bool("amsgrad", false),
            AttrSpec.bool("maximize", false),
        };
    }

    private static boolean unitInterval(Object v) {
        double d = ((Number) v).doubleValue();
        return d >= 0 && d < 1;
    }

    private static Map<String, Tensor> run(Map<String, Tensor> in, Attrs a, boolean decoupled) {
        Tensor param = in.get("param");
        Tensor m = in.get("exp_avg");
        Tensor v = in.get("exp_avg_sq");
        Tensor vmax = in.get("max_exp_avg_sq");
        Hyper h = new Hyper(a.getDouble("lr"), a.getDouble("beta1"), a.getDouble("beta2"), a.getDouble("eps"),
                a.getDouble("weight_decay"), a.getBool("amsgrad"), a.getBool("maximize"));
        if (decoupled) {
            Optimizers.adamwStep(param, in.get("grad"), m, v, vmax, h, a.getLong("step"));
        } else {
            Optimizers.adamStep(param, in.get("grad"), m, v, vmax, h, a.getLong("step"));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("param", param.alias());
        out.put("exp_avg", m.alias());
        out.put("exp_avg_sq", v.alias());
        if (vmax != null) {
            out.put("max_exp_avg_sq", vmax.alias());
        }
        return out;
    }

    // ---- bench ---------------------------------------------------------------------------------

    /** One in-place step over one f32 tensor of {@link #ONE_TENSOR} elements. */
    private static BenchEntry oneTensor(String name, Hyper h, boolean decoupled) {
        return new BenchEntry(name, FAMILY, "f32", (device, scale, seed) ->
                OptimizerCases.oneTensor(device, ONE_TENSOR.at(scale), h, decoupled, RTOL, ATOL, seed));
    }

    /**
     * The parameter shapes of GPT-2 small (vocabulary 50257, context 1024, width 768, 12 layers:
     * 148 tensors, 124.4M elements) on a GPU; the same structure at vocabulary 2048, context 256,
     * width 64, 2 layers on the host and vocabulary 67, context 16, width 8, 1 layer at the tiny scale.
     */
    static List<long[]> gpt2Small(Scale scale) {
        return switch (scale) {
            case GPU -> OptimizerCases.gpt2(50257, 1024, 768, 12);
            case HOST -> OptimizerCases.gpt2(2048, 256, 64, 2);
            case TINY -> OptimizerCases.gpt2(67, 16, 8, 1);
        };
    }

    // ---- demo and sample inputs ----------------------------------------------------------------

    private static DemoCase demo(String op, Map<String, Object> attrs) {
        boolean amsgrad = Boolean.TRUE.equals(attrs.get("amsgrad"));
        return new DemoCase(op, attrs, (def, n, seed) -> state(n, seed, amsgrad));
    }

    /**
     * param and grad standard normal, exp_avg 0.1 N(0, 1) and exp_avg_sq (and max_exp_avg_sq, at
     * least as large) in [0, 0.02): the state of a few steps of such gradients.
     */
    private static Map<String, Tensor> state(long n, long seed, boolean amsgrad) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("param", Tensor.randn(seed, DType.F32, Device.cpu(), n));
        out.put("grad", Tensor.randn(seed + 1, DType.F32, Device.cpu(), n));
        Tensor m = Tensor.randn(seed + 2, DType.F32, Device.cpu(), n);
        Tensor v = Tensor.rand(seed + 3, DType.F32, Device.cpu(), n);
        Tensor x = amsgrad ? Tensor.rand(seed + 4, DType.F32, Device.cpu(), n) : null;
        for (long i = 0; i < n; i++) {
            m.setDouble(i, 0.1 * m.getDouble(i));
            v.setDouble(i, 0.01 * v.getDouble(i));
            if (x != null) {
                x.setDouble(i, v.getDouble(i) + 0.01 * x.getDouble(i));
            }
        }
        out.put("exp_avg", m);
        out.put("exp_avg_sq", v);
        if (x != null) {
            out.put("max_exp_avg_sq", x);
        }
        return out;
    }
}
