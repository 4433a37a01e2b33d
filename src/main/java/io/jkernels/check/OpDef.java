package io.jkernels.check;

import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One op of OPS.md as the checker sees it: its name, inputs (required ones in order, then
 * optional ones) with their kinds, attrs, outputs, default float tolerances, and the call into the
 * public op API ({@code io.jkernels.ops}). Built with {@link #builder}:
 *
 * <pre>{@code
 * OpDef.builder("leaky_relu")
 *      .input("input")
 *      .attr(AttrSpec.real("negative_slope", 0.01))
 *      .outputs("output")
 *      .tolerance(1e-5, 1e-6)
 *      .body((in, a) -> Map.of("output", Activations.leakyRelu(in.get("input"), a.getDouble("negative_slope"))))
 *      .build();
 * }</pre>
 */
public final class OpDef {

    /**
     * How the runner prepares an input read from a case (OPS.md "General rules").
     * <ul>
     * <li>{@code FLOAT}: {@code <f8} is rounded to f32 (nearest even); other dtypes go to the op as read (it rejects them).
     * <li>{@code FLOAT64}: as read (an op that takes f64 itself).
     * <li>{@code INDEX}: i64; i32 is widened; any other dtype is an error.
     * <li>{@code MASK}: bool; any other dtype is an error.
     * <li>{@code COUNT}: i64; any other dtype is an error.
     * </ul>
     */
    public enum InputKind { FLOAT, FLOAT64, INDEX, MASK, COUNT }

    /** One input: name, kind, whether it may be absent. */
    public record Input(String name, InputKind kind, boolean optional) {
    }

    /** The call of the op: inputs by name (already on the target device) and attrs, to outputs by name. */
    @FunctionalInterface
    public interface Body {
        Map<String, Tensor> run(Map<String, Tensor> inputs, Attrs attrs);
    }

    private final String name;
    private final List<Input> inputs;
    private final List<AttrSpec> attrs;
    private final List<String> outputs;
    private final double rtol;
    private final double atol;
    private final Consumer<Attrs> check;
    private final Body body;
    private final Reconcile reconcile;

    /**
     * Where OPS.md accepts more than one answer (vq_nearest's near ties), rewrites the expected
     * outputs to the accepted answer the op gave, so the ordinary comparison then applies.
     */
    @FunctionalInterface
    public interface Reconcile {
        /**
         * @param inputs   the case's inputs as the op received them (cpu)
         * @param actual   the op's outputs (any device)
         * @param expected the case's expected outputs (cpu)
         * @return the expected outputs to compare with: {@code expected} itself, or new cpu tensors
         */
        Map<String, Tensor> apply(Map<String, Tensor> inputs, Map<String, Tensor> actual, Map<String, Tensor> expected);
    }

    /** The expected outputs to compare the op's outputs with (see {@link Reconcile}). */
    public Map<String, Tensor> reconcile(Map<String, Tensor> inputs, Map<String, Tensor> actual,
                                         Map<String, Tensor> expected) {
        return reconcile == null ? expected : reconcile.apply(inputs, actual, expected);
    }

    private OpDef(Builder b) {
        this.name = b.name;
        List<Input> in = new ArrayList<>();
        b.inputs.stream().filter(i -> !i.optional()).forEach(in::add);
        b.inputs.stream().filter(Input::optional).forEach(in::add);
        this.inputs = List.copyOf(in);
        this.attrs = List.copyOf(b.attrs);
        this.outputs = List.copyOf(b.outputs);
        this.rtol = b.rtol;
        this.atol = b.atol;
        this.check = b.check;
        this.body = Objects.requireNonNull(b.body, "body of op " + b.name);
        this.reconcile = b.reconcile;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    /** Required inputs in order, then optional ones. */
    public List<Input> inputs() {
        return inputs;
    }

    public List<String> requiredInputs() {
        return inputs.stream().filter(i -> !i.optional()).map(Input::name).toList();
    }

    public List<String> optionalInputs() {
        return inputs.stream().filter(Input::optional).map(Input::name).toList();
    }

    public List<AttrSpec> attrs() {
        return attrs;
    }

    /** Every output the op can produce (some only under some attrs). */
    public List<String> outputs() {
        return outputs;
    }

    /** Default rtol for float outputs. */
    public double rtol() {
        return rtol;
    }

    /** Default atol for float outputs. */
    public double atol() {
        return atol;
    }

    /** The input of that name, or null. */
    public Input input(String inputName) {
        for (Input i : inputs) {
            if (i.name().equals(inputName)) {
                return i;
            }
        }
        return null;
    }

    // ---- validation ----------------------------------------------------------------------------

    /** Checks that {@code given} holds every required input and nothing the op does not take. */
    public void checkInputNames(Set<String> given) {
        for (String g : given) {
            if (input(g) == null) {
                throw new TensorException("extra input '" + g + "': " + name + " takes " + inputList());
            }
        }
        for (String r : requiredInputs()) {
            if (!given.contains(r)) {
                throw new TensorException("missing input '" + r + "': " + name + " takes " + inputList());
            }
        }
    }

    private String inputList() {
        String req = String.join(", ", requiredInputs());
        List<String> opt = optionalInputs();
        return req + (opt.isEmpty() ? "" : (req.isEmpty() ? "" : ", ") + "optional " + String.join(", ", opt));
    }

    /**
     * Parses a case's attrs: every key must be an attr of this op and of the right type and
     * domain; required ones must be there; the rest take their defaults. Errors are
     * {@link TensorException.BadAttr}.
     */
    public Attrs parseAttrs(Map<String, Object> raw) {
        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> given = new HashSet<>();
        Map<String, Object> in = raw == null ? Map.of() : raw;
        for (String key : in.keySet()) {
            if (spec(key) == null) {
                String takes = attrs.isEmpty() ? "it takes no attrs"
                        : "it takes " + attrs.stream().map(AttrSpec::name).collect(Collectors.joining(", "));
                throw new TensorException.BadAttr("unknown attr '" + key + "' for " + name + ": " + takes);
            }
        }
        for (AttrSpec s : attrs) {
            Object json = in.get(s.name());
            if (json != null) {
                values.put(s.name(), s.parse(name, json));
                given.add(s.name());
            } else if (s.defaultValue() != null) {
                values.put(s.name(), s.defaultValue());
            } else if (s.required()) {
                throw new TensorException.BadAttr("missing required attr '" + s.name() + "' for " + name + ": "
                        + s.describe());
            }
        }
        Attrs a = new Attrs(name, values, given);
        if (check != null) {
            check.accept(a);
        }
        return a;
    }

    private AttrSpec spec(String attr) {
        for (AttrSpec s : attrs) {
            if (s.name().equals(attr)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The tensor the op receives for input {@code inputName} read as {@code t} (a cpu tensor), per
     * its {@link InputKind}: a new cpu tensor the caller closes (an alias when nothing changes).
     */
    public Tensor prepare(String inputName, Tensor t) {
        Input in = input(inputName);
        if (in == null) {
            throw new TensorException("extra input '" + inputName + "': " + name + " takes " + inputList());
        }
        DType d = t.dtype();
        switch (in.kind()) {
            case FLOAT:
                return d == DType.F64 ? convert(t, DType.F32) : t.alias();
            case FLOAT64:
                return t.alias();
            case INDEX:
                if (d == DType.I64) {
                    return t.alias();
                }
                if (d == DType.I32) {
                    return convert(t, DType.I64);
                }
                throw new TensorException.DTypeMismatch("input '" + inputName + "' of " + name
                        + " holds indices: it must be int64 (or int32, widened), got " + d);
            case MASK:
                if (d != DType.BOOL) {
                    throw new TensorException.DTypeMismatch("input '" + inputName + "' of " + name
                            + " is a mask: it must be bool, got " + d);
                }
                return t.alias();
            case COUNT:
                if (d != DType.I64) {
                    throw new TensorException.DTypeMismatch("input '" + inputName + "' of " + name
                            + " holds counts: it must be int64, got " + d);
                }
                return t.alias();
            default:
                throw new IllegalStateException("unknown input kind " + in.kind());
        }
    }

    /** f64 -> f32 (round to nearest even, as a Java cast) or i32 -> i64, elementwise on cpu. */
    private static Tensor convert(Tensor t, DType to) {
        try (Tensor c = t.to(Device.cpu())) {
            Tensor out = Tensor.empty(to, Device.cpu(), c.shape());
            long n = c.numel();
            if (to == DType.I64) {
                for (long i = 0; i < n; i++) {
                    out.setLong(i, c.getLong(i));
                }
            } else {
                for (long i = 0; i < n; i++) {
                    out.setDouble(i, (float) c.getDouble(i));
                }
            }
            return out;
        }
    }

    /**
     * Runs the op on inputs already prepared and on the target device. Checks the input names first;
     * the op's own argument errors come out as thrown.
     */
    public Map<String, Tensor> run(Map<String, Tensor> in, Attrs a) {
        checkInputNames(in.keySet());
        Map<String, Tensor> out = body.run(Map.copyOf(in), a);
        if (out == null) {
            throw new IllegalStateException("op " + name + " returned no outputs");
        }
        for (String k : out.keySet()) {
            if (!outputs.contains(k)) {
                out.values().forEach(t -> {
                    if (t != null && !in.containsValue(t)) {
                        t.close();
                    }
                });
                throw new IllegalStateException("op " + name + " returned output '" + k + "' it does not declare "
                        + outputs);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name + "(" + inputList() + (attrs.isEmpty() ? "" : "; "
                + attrs.stream().map(AttrSpec::describe).collect(Collectors.joining(", "))) + ") -> "
                + String.join(", ", outputs);
    }

    /** Builds an {@link OpDef}. Defaults: no attrs, tolerance rtol 1e-5, atol 1e-6 (OPS.md's float32 default). */
    public static final class Builder {
        private final String name;
        private final List<Input> inputs = new ArrayList<>();
        private final List<AttrSpec> attrs = new ArrayList<>();
        private final List<String> outputs = new ArrayList<>();
        private double rtol = 1e-5;
        private double atol = 1e-6;
        private Consumer<Attrs> check;
        private Body body;
        private Reconcile reconcile;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** A required float input. */
        public Builder input(String inputName) {
            return input(inputName, InputKind.FLOAT);
        }

        /** A required input of that kind. */
        public Builder input(String inputName, InputKind kind) {
            return add(new Input(inputName, kind, false));
        }

        /** Several required float inputs, in order. */
        public Builder inputs(String... names) {
            for (String n : names) {
                input(n);
            }
            return this;
        }

        /** An optional input of that kind. */
        public Builder optionalInput(String inputName, InputKind kind) {
            return add(new Input(inputName, kind, true));
        }

        private Builder add(Input in) {
            if (inputs.stream().anyMatch(i -> i.name().equals(in.name()))) {
                throw new IllegalArgumentException(name + ": input '" + in.name() + "' declared twice");
            }
            inputs.add(in);
            return this;
        }

        public Builder attr(AttrSpec spec) {
            if (attrs.stream().anyMatch(s -> s.name().equals(spec.name()))) {
                throw new IllegalArgumentException(name + ": attr '" + spec.name() + "' declared twice");
            }
            attrs.add(spec);
            return this;
        }

        public Builder attrs(AttrSpec... specs) {
            for (AttrSpec s : specs) {
                attr(s);
            }
            return this;
        }

        /** The outputs the op can produce, in order. */
        public Builder outputs(String... names) {
            outputs.addAll(List.of(names));
            return this;
        }

        /** Default float-output tolerance of the op (OPS.md per op). */
        public Builder tolerance(double rtol, double atol) {
            this.rtol = rtol;
            this.atol = atol;
            return this;
        }

        /** A check across attrs (e.g. "exactly one of size and scale_factor"), throwing BadAttr. */
        public Builder check(Consumer<Attrs> attrCheck) {
            this.check = attrCheck;
            return this;
        }

        public Builder body(Body opBody) {
            this.body = opBody;
            return this;
        }

        /** How accepted alternative answers are recognised (see {@link Reconcile}). */
        public Builder reconcile(Reconcile r) {
            this.reconcile = r;
            return this;
        }

        public OpDef build() {
            if (outputs.isEmpty()) {
                throw new IllegalStateException("op " + name + " declares no outputs");
            }
            return new OpDef(this);
        }
    }
}
