package io.jkernels.table;

import io.jkernels.bench.BenchEntry;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One op's definition in the {@link OpTable}: what every layer above the public API needs to know
 * about it, in one place. Built by a family file in {@code io.jkernels.table.families}.
 *
 * @param family    the family word, the same in every layer ({@code "activations"}: ops/Activations,
 *                  ref/ActivationsRef, table/families/ActivationsTable, tools/golden/gen_activations.py,
 *                  golden/activations/)
 * @param def       the conformance view: name, inputs and their kinds, attrs with defaults and domains,
 *                  outputs, the spec tolerance, the call into {@code io.jkernels.ops}
 * @param torch     the PyTorch expression it matches ({@code "torch.nn.functional.silu"}), for the
 *                  golden generators, the peer benchmark and the docs; {@code ""} when there is none
 * @param tolerance why the spec tolerance is what it is, and whether the kernels must match the
 *                  reference bit for bit (see {@link Tolerance})
 * @param bench     the bench entries of the op (one per benchmarked dtype); empty only with a reason
 *                  in {@link #benchExemption}
 * @param demos     the CLI demo rows of the op (may be empty)
 * @param sample    makes valid cpu inputs of about n elements (with the default attrs), from which
 *                  the {@code errors} are made; null when the op has no error samples
 * @param errors    bad-input samples: mutations of a valid call that the op must reject with a
 *                  typed exception, leaving every input unchanged
 * @param benchExemption why the op has no bench entry, or null
 * @param goldenExemption why the op has no golden case, or null
 * @param elementwise     for an elementwise op, its out= call: inputs in the def's order and attrs
 *                        to outputs, an {@code out} entry a tensor to write or null (for the tests
 *                        that sweep every elementwise op over sizes, layouts and dtypes); null otherwise
 */
public record OpEntry(String family, OpDef def, String torch, Tolerance tolerance, List<BenchEntry> bench,
                      List<DemoCase> demos, DemoCase.InputMaker sample, List<ErrorSample> errors,
                      String benchExemption, String goldenExemption, ElementwiseOp.Api elementwise) {

    /** An op that is not elementwise. */
    public OpEntry(String family, OpDef def, String torch, Tolerance tolerance, List<BenchEntry> bench,
                   List<DemoCase> demos, DemoCase.InputMaker sample, List<ErrorSample> errors, String benchExemption,
                   String goldenExemption) {
        this(family, def, torch, tolerance, bench, demos, sample, errors, benchExemption, goldenExemption, null);
    }

    public OpEntry {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(def, "def");
        Objects.requireNonNull(torch, "torch");
        Objects.requireNonNull(tolerance, "tolerance of " + def.name());
        bench = List.copyOf(bench);
        demos = List.copyOf(demos);
        errors = List.copyOf(errors);
        if (!errors.isEmpty() && sample == null) {
            throw new IllegalStateException("op " + def.name() + " has error samples but no valid sample");
        }
        if (bench.isEmpty() && benchExemption == null) {
            throw new IllegalStateException("op " + def.name() + " has no bench entry and no exemption");
        }
        for (DemoCase d : demos) {
            if (!d.op().equals(def.name())) {
                throw new IllegalStateException("demo of " + d.op() + " listed under op " + def.name());
            }
        }
    }

    /** The op's name (OPS.md). */
    public String name() {
        return def.name();
    }

    /**
     * The tolerance of an op and its reason.
     *
     * @param reason   why the kernels may differ from the float64 reference by that much (a sentence)
     * @param bitExact the op only selects, negates or zeroes its inputs: kernels and reference agree
     *                 bit for bit in every dtype (the bench and the emu tests check it with tolerance 0)
     */
    public record Tolerance(String reason, boolean bitExact) {
        public Tolerance {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A bad call of the op, made from a valid one: {@code mutate} gets the valid cpu inputs and
     * returns the inputs of the bad call (new tensors it makes are closed by the caller; tensors it
     * takes from the valid map stay owned by that map), {@code attrs} are the bad call's attrs.
     *
     * @param what     what is wrong, in words ("input as int32")
     * @param argument the name the exception's message must contain
     */
    public record ErrorSample(String what, String argument, UnaryOperator<Map<String, Tensor>> mutate,
                              Map<String, Object> attrs) {
        public ErrorSample {
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(argument, "argument");
            Objects.requireNonNull(mutate, "mutate");
            attrs = Map.copyOf(attrs);
        }
    }
}
