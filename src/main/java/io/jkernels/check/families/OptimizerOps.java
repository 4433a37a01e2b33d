package io.jkernels.check.families;

import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpFamily;
import io.jkernels.check.OpRegistry;
import io.jkernels.ops.Optimizers;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimizers of OPS.md "Optimizers" (adamw, adam: one step, in place) for the conformance
 * runner and the demo. Inputs param, grad, exp_avg, exp_avg_sq and, with amsgrad, max_exp_avg_sq;
 * the outputs are the updated param, exp_avg, exp_avg_sq (and max_exp_avg_sq), returned as
 * aliases of the inputs the op wrote. Default tolerance: OPS.md's float32 default (rtol 1e-5,
 * atol 1e-6).
 */
public final class OptimizerOps implements OpFamily {

    @Override
    public void register(OpRegistry r) {
        r.register(adam("adamw", Optimizers.ADAMW_WEIGHT_DECAY, true));
        r.register(adam("adam", Optimizers.ADAM_WEIGHT_DECAY, false));
        r.demo(demo("adamw", Map.of("step", 10L)));
        r.demo(demo("adamw", Map.of("step", 10L, "amsgrad", true)));
        r.demo(demo("adam", Map.of("step", 10L, "weight_decay", 0.01)));
    }

    /** The attrs of adamw / adam (OPS.md), with the op's default weight_decay. */
    public static AttrSpec[] attrs(double weightDecay) {
        return new AttrSpec[] {
            AttrSpec.real("lr", Optimizers.LR).atLeast(0),
            AttrSpec.real("beta1", Optimizers.BETA1).where(OptimizerOps::unitInterval, "in [0, 1)"),
            AttrSpec.real("beta2", Optimizers.BETA2).where(OptimizerOps::unitInterval, "in [0, 1)"),
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

    private static OpDef adam(String name, double weightDecay, boolean decoupled) {
        return OpDef.builder(name)
                .inputs("param", "grad", "exp_avg", "exp_avg_sq")
                .optionalInput("max_exp_avg_sq", OpDef.InputKind.FLOAT)
                .attrs(attrs(weightDecay))
                .outputs("param", "exp_avg", "exp_avg_sq", "max_exp_avg_sq")
                .body((in, a) -> run(in, a, decoupled))
                .build();
    }

    private static Map<String, Tensor> run(Map<String, Tensor> in, Attrs a, boolean decoupled) {
        Tensor param = in.get("param");
        Tensor m = in.get("exp_avg");
        Tensor v = in.get("exp_avg_sq");
        Tensor vmax = in.get("max_exp_avg_sq");
        Optimizers.Hyper h = new Optimizers.Hyper(a.getDouble("lr"), a.getDouble("beta1"), a.getDouble("beta2"),
                a.getDouble("eps"), a.getDouble("weight_decay"), a.getBool("amsgrad"), a.getBool("maximize"));
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

    /**
     * A demo row: param and grad standard normal, exp_avg 0.1 N(0, 1) and exp_avg_sq (and
     * max_exp_avg_sq, at least as large) in [0, 0.02): the state of a few steps of such gradients.
     */
    private static DemoCase demo(String op, Map<String, Object> attrs) {
        boolean amsgrad = Boolean.TRUE.equals(attrs.get("amsgrad"));
        return new DemoCase(op, attrs, (def, n, seed) -> {
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
        });
    }
}
