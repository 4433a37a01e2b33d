package io.jkernels.table;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.ElementwiseBench;
import io.jkernels.check.AttrSpec;
import io.jkernels.check.Attrs;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The definition of an elementwise op for the {@link OpTable}: {@code k} float inputs of one shape
 * to {@code m} outputs of that shape, with attrs. One builder call chain per op gives its
 * conformance def, its bench entries (f32 and bf16, the out form checked against the reference),
 * its demo rows, a valid sample and its bad-input samples (each input as int32; each further input
 * of another shape; an unknown attr).
 *
 * <pre>{@code
 * ElementwiseOp.of("activations", "silu", "input").outputs("output")
 *         .torch("torch.nn.functional.silu").tolerance(1e-5, 1e-5, "one exp and one division in float32")
 *         .api((in, a, out) -> new Tensor[] {Activations.silu(in[0], out[0])})
 *         .reference((in, a, out) -> ActivationsRef.silu(in[0], out[0]))
 *         .demo().build();
 * }</pre>
 */
public final class ElementwiseOp {
    /** The dtypes every elementwise op is benchmarked in. */
    public static final List<DType> BENCH_DTYPES = List.of(DType.F32, DType.BF16);

    /** The op's public API call: inputs and attrs to outputs; {@code out} entries are out= tensors or null. */
    @FunctionalInterface
    public interface Api {
        Tensor[] run(Tensor[] in, Attrs attrs, Tensor[] out);
    }

    /** The op's cpu reference: contiguous cpu inputs and attrs into cpu outputs. */
    @FunctionalInterface
    public interface Reference {
        void run(Tensor[] in, Attrs attrs, Tensor[] out);
    }

    private final String family;
    private final String name;
    private final List<String> inputs;
    private final List<String> outputs = new ArrayList<>();
    private final List<AttrSpec> attrs = new ArrayList<>();
    private final List<Map<String, Object>> demos = new ArrayList<>();
    private String torch = "";
    private double rtol = 1e-5;
    private double atol = 1e-6;
    private String reason;
    private boolean bitExact;
    private ElementwiseBench.Sizes sizes = ElementwiseBench.ELEMENTWISE;
    private Api api;
    private Reference reference;

    private ElementwiseOp(String family, String name, List<String> inputs) {
        this.family = family;
        this.name = name;
        this.inputs = List.copyOf(inputs);
    }

    /** An op of {@code family} named {@code name} (OPS.md) with these float inputs, in order. */
    public static ElementwiseOp of(String family, String name, String... inputs) {
        return new ElementwiseOp(family, name, Arrays.asList(inputs));
    }

    public ElementwiseOp outputs(String... names) {
        outputs.addAll(Arrays.asList(names));
        return this;
    }

    public ElementwiseOp attrs(AttrSpec... specs) {
        attrs.addAll(Arrays.asList(specs));
        return this;
    }

    /** The PyTorch expression the op matches. */
    public ElementwiseOp torch(String expression) {
        this.torch = expression;
        return this;
    }

    /** The spec tolerance for float32 outputs and why it is that. */
    public ElementwiseOp tolerance(double rtol, double atol, String why) {
        this.rtol = rtol;
        this.atol = atol;
        this.reason = why;
        return this;
    }

    /**
     * The op only selects, negates or zeroes its inputs: kernels and reference agree bit for bit
     * in every dtype, and the bench checks with tolerance 0.
     */
    public ElementwiseOp bitExact() {
        this.bitExact = true;
        return this;
    }

    /** The bench sizes (default {@link ElementwiseBench#ELEMENTWISE}; gated ops {@link ElementwiseBench#GATED}). */
    public ElementwiseOp sizes(ElementwiseBench.Sizes s) {
        this.sizes = s;
        return this;
    }

    public ElementwiseOp api(Api call) {
        this.api = call;
        return this;
    }

    public ElementwiseOp reference(Reference ref) {
        this.reference = ref;
        return this;
    }

    /** A demo row with the default attrs. */
    public ElementwiseOp demo() {
        return demo(Map.of());
    }

    /** A demo row with these attrs (case.json values). */
    public ElementwiseOp demo(Map<String, Object> demoAttrs) {
        demos.add(demoAttrs);
        return this;
    }

    public OpEntry build() {
        Objects.requireNonNull(reason, "tolerance reason of " + name);
        Objects.requireNonNull(api, "api of " + name);
        Objects.requireNonNull(reference, "reference of " + name);
        if (outputs.isEmpty()) {
            throw new IllegalStateException("op " + name + " declares no outputs");
        }
        Api call = api;
        List<String> outs = List.copyOf(outputs);
        OpDef def = OpDef.builder(name).inputs(inputs.toArray(String[]::new)).attrs(attrs.toArray(AttrSpec[]::new))
                .outputs(outs.toArray(String[]::new)).tolerance(rtol, atol)
                .body((in, a) -> {
                    Tensor[] args = inputs.stream().map(in::get).toArray(Tensor[]::new);
                    Tensor[] r = call.run(args, a, new Tensor[outs.size()]);
                    Map<String, Tensor> m = new LinkedHashMap<>();
                    for (int i = 0; i < outs.size(); i++) {
                        m.put(outs.get(i), r[i]);
                    }
                    return m;
                })
                .build();
        List<DemoCase> demoCases = demos.stream().map(a -> DemoCase.of(name, a)).toList();
        return new OpEntry(family, def, torch, new OpEntry.Tolerance(reason, bitExact), benchEntries(def),
                demoCases, DemoCase::randnInputs, errorSamples(), null, null, call);
    }

    private List<BenchEntry> benchEntries(OpDef def) {
        Attrs defaults = def.parseAttrs(Map.of());
        Api call = api;
        Reference ref = reference;
        List<BenchEntry> out = new ArrayList<>();
        for (DType d : BENCH_DTYPES) {
            out.add(ElementwiseBench.entry(family, name, d, inputs.size(), outputs.size(), sizes, benchTolerance(d),
                    (in, o) -> call.run(in, defaults, o), (in, o) -> ref.run(in, defaults, o)));
        }
        return out;
    }

    /**
     * The bench check's tolerance: 0 for a bit-exact op; the spec tolerance in f32; in bf16 one
     * rounding of the output may differ (float32 math in the kernel, float64 in the reference,
     * each rounded once to bf16), at most 2^-7 of the value.
     */
    private ElementwiseBench.Tolerance benchTolerance(DType d) {
        if (bitExact) {
            return ElementwiseBench.Tolerance.EXACT;
        }
        return d == DType.F32 ? new ElementwiseBench.Tolerance(rtol, Math.max(atol, 1e-5))
                : new ElementwiseBench.Tolerance(0x1p-7, 1e-5);
    }

    private List<OpEntry.ErrorSample> errorSamples() {
        List<OpEntry.ErrorSample> e = new ArrayList<>();
        for (String in : inputs) {
            e.add(BadCalls.retyped(in, DType.I32, Map.of()));
        }
        for (String in : inputs.subList(1, inputs.size())) {
            e.add(BadCalls.reshaped(in + " one element longer than " + inputs.get(0), in, BadCalls.axis(-1, 1),
                    Map.of()));
        }
        e.add(BadCalls.attrs("an unknown attr", "no_such_attr", Map.of("no_such_attr", 1.0)));
        return e;
    }
}
