package io.jkernels.check;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One row of the CLI's {@code demo}: an op, its attrs (JSON-style values as in case.json) and how
 * to make its random cpu inputs of about {@code n} elements. Registered by a family with
 * {@link OpRegistry#demo}.
 *
 * @param op     a registered op name
 * @param attrs  attrs as case.json would give them (e.g. {@code Map.of("approximate", "tanh")})
 * @param inputs makes the cpu inputs (the caller closes them)
 */
public record DemoCase(String op, Map<String, Object> attrs, InputMaker inputs) {

    /** Makes seeded random cpu inputs for a demo of {@code n} elements. */
    @FunctionalInterface
    public interface InputMaker {
        Map<String, Tensor> make(OpDef op, long n, long seed);
    }

    public DemoCase {
        attrs = Map.copyOf(attrs);
    }

    /** A demo whose required inputs are all float: each a standard normal f32 vector of n elements. */
    public static DemoCase of(String op, Map<String, Object> attrs) {
        return new DemoCase(op, attrs, DemoCase::randnInputs);
    }

    /** Standard normal f32 vectors of {@code n} elements for every required input (all must be FLOAT). */
    public static Map<String, Tensor> randnInputs(OpDef op, long n, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        long s = seed;
        for (OpDef.Input in : op.inputs()) {
            if (in.optional()) {
                continue;
            }
            if (in.kind() != OpDef.InputKind.FLOAT) {
                out.values().forEach(Tensor::close);
                throw new IllegalStateException("demo of " + op.name() + ": input '" + in.name() + "' is "
                        + in.kind() + ", give the demo its own InputMaker");
            }
            out.put(in.name(), Tensor.randn(s++, DType.F32, Device.cpu(), n));
        }
        return out;
    }

    /** "gelu" or "gelu(approximate=tanh)". */
    public String label() {
        return attrs.isEmpty() ? op : op + new TreeMap<>(attrs).toString().replace('{', '(').replace('}', ')');
    }
}
