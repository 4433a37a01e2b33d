package io.jkernels.table.families;

import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.Scale;
import io.jkernels.bench.VqCases;
import io.jkernels.bench.VqCases.Size;
import io.jkernels.check.AttrSpec;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpDef.InputKind;
import io.jkernels.ops.VectorQuantizer;
import io.jkernels.table.BadCalls;
import io.jkernels.table.OpEntry;
import io.jkernels.table.OpFamily;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The vq ops of OPS.md "Vector quantisation (VQ-VAE)": one definition per op.
 * {@code vq_nearest(input, codebook) -> indices, quantized, distance} and
 * {@code vq_ema_update(input, indices, cluster_size, embed_sum; decay, eps) -> cluster_size,
 * embed_sum, codebook} (the first two updated in place and returned). vq_nearest's indices are
 * compared exactly, except that an index the op chose where the case expects another is accepted
 * when OPS.md accepts it (its float64 distance d satisfies d - d_best <= 1e-6 d_best); quantized
 * and distance are then compared with that code's row and float64 distance. The public API is
 * {@link VectorQuantizer} (and {@code EmaCodebook}), the reference {@code VqRef}, the kernels
 * kernels/vq.cu and kernels/vq_ema.cu over kernels/math/vq.h, the golden cases
 * tools/golden/gen_vq.py; the bench cases are {@link VqCases} (the sizes).
 */
public final class VqTable implements OpFamily {
    static final String FAMILY = "vq";

    /** vq_ema_update's decay, in [0, 1]. */
    static final AttrSpec DECAY = AttrSpec.real("decay", VectorQuantizer.DECAY).between(0, 1);
    /** vq_ema_update's eps, > 0. */
    static final AttrSpec EPS = AttrSpec.real("eps", VectorQuantizer.EPS).where(v -> ((Number) v).doubleValue() > 0,
            "> 0");

    /** OPS.md's float32 default, in the conformance cases and the bench checks alike. */
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;
    /** OPS.md: a code whose float64 distance d satisfies d - d_best <= NEAR_TIE d_best is accepted. */
    static final double NEAR_TIE = 1e-6;

    /** Dimension and codebook size of the demo rows and samples. */
    private static final long DEMO_D = 64;
    private static final long DEMO_K = 512;

    @Override
    public String name() {
        return FAMILY;
    }

    @Override
    public List<OpEntry> ops() {
        OpDef nearest = OpDef.builder("vq_nearest")
                .inputs("input", "codebook")
                .outputs("indices", "quantized", "distance")
                .tolerance(RTOL, ATOL)
                .body((in, a) -> {
                    VectorQuantizer.Nearest q = VectorQuantizer.nearest(in.get("input"), in.get("codebook"));
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    out.put("indices", q.indices());
                    out.put("quantized", q.quantized());
                    out.put("distance", q.distance());
                    return out;
                })
                .reconcile(VqTable::acceptNearTies)
                .build();
        OpDef ema = OpDef.builder("vq_ema_update")
                .input("input")
                .input("indices", InputKind.INDEX)
                .inputs("cluster_size", "embed_sum")
                .attrs(DECAY, EPS)
                .outputs("cluster_size", "embed_sum", "codebook")
                .tolerance(RTOL, ATOL)
                .body((in, a) -> {
                    Tensor cs = in.get("cluster_size");
                    Tensor es = in.get("embed_sum");
                    Tensor cb = VectorQuantizer.emaUpdate(in.get("input"), in.get("indices"), cs, es,
                            a.getDouble("decay"), a.getDouble("eps"));
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    out.put("cluster_size", cs.alias());
                    out.put("embed_sum", es.alias());
                    out.put("codebook", cb);
                    return out;
                })
                .build();
        return List.of(
                new OpEntry(FAMILY, nearest, "torch.cdist + argmin", new OpEntry.Tolerance("the index is exact but "
                        + "for OPS.md's allowance (a code within 1e-6 d_best of the best float64 distance is accepted; "
                        + "the comparison reconciles such near ties first); distance is the chosen code's float64 "
                        + "distance rounded once to float32 (NOTE [Certified float32 argmin], kernels/math/vq.h)",
                        false),
                        List.of(nearest("vq_nearest_d256_k8192_f32", new Size(65536, 256, 8192),
                                        new Size(2048, 256, 512), new Size(64, 16, 40)),
                                nearest("vq_nearest_d64_k512_f32", new Size(1L << 20, 64, 512),
                                        new Size(8192, 64, 256), new Size(70, 8, 33)),
                                nearest("vq_nearest_d64_k1024_f32", new Size(1L << 20, 64, 1024),
                                        new Size(8192, 64, 512), new Size(70, 8, 129))),
                        List.of(new DemoCase("vq_nearest", Map.of(), VqTable::nearestInputs)),
                        VqTable::nearestInputs, List.of(
                                BadCalls.reshaped("codebook of another dimension D than input", "codebook",
                                        BadCalls.axis(1, 1), Map.of()),
                                BadCalls.retyped("input", DType.I32, Map.of()),
                                BadCalls.reshaped("codebook with no codes (K = 0)", "codebook",
                                        s -> new long[] {0, s[1]}, Map.of()),
                                BadCalls.reshaped("codebook of 1 dim (K D)", "codebook", BadCalls::flat, Map.of())),
                        null, null),
                new OpEntry(FAMILY, ema, "torch.bincount + index_add_, then OPS.md's EMA and Laplace smoothing "
                        + "(VQ-VAE's EMA codebook update)", new OpEntry.Tolerance("counts and sums are accumulated in "
                        + "float64 in a fixed order (NOTE [Deterministic EMA sums], kernels/vq_ema.cu), the EMA and "
                        + "the smoothed division taken in float64: each output within one float32 rounding of the "
                        + "reference", false),
                        List.of(new BenchEntry("vq_ema_update_d64_k1024_f32", FAMILY, "f32", (device, scale, seed) -> {
                            Size s = scale == Scale.GPU ? new Size(1L << 20, 64, 1024)
                                    : scale == Scale.HOST ? new Size(1L << 16, 64, 1024) : new Size(300, 8, 20);
                            return VqCases.ema(device, s, VectorQuantizer.DECAY, VectorQuantizer.EPS, RTOL, ATOL, seed);
                        })),
                        List.of(new DemoCase("vq_ema_update", Map.of(), VqTable::emaInputs)),
                        VqTable::emaInputs, List.of(
                                BadCalls.attrs("decay 1.5 (outside [0, 1])", "decay", Map.of("decay", 1.5)),
                                BadCalls.attrs("eps 0 (must be > 0)", "eps", Map.of("eps", 0.0)),
                                BadCalls.reshaped("embed_sum of another dimension D than input", "embed_sum",
                                        BadCalls.axis(1, 1), Map.of()),
                                BadCalls.reshaped("indices one short of the rows of input", "indices",
                                        BadCalls.axis(0, -1), Map.of()),
                                BadCalls.retyped("indices", DType.F32, Map.of()),
                                BadCalls.retyped("cluster_size", DType.I32, Map.of())),
                        null, null));
    }

    /** A vq_nearest entry (f32) of these sizes on a GPU, on the host and at the tiny scale. */
    private static BenchEntry nearest(String name, Size gpu, Size host, Size tiny) {
        return new BenchEntry(name, FAMILY, "f32", (device, scale, seed) -> VqCases.nearest(device,
                scale == Scale.GPU ? gpu : scale == Scale.HOST ? host : tiny, NEAR_TIE, RTOL, ATOL, seed));
    }

    // ---- demo and sample inputs ----------------------------------------------------------------

    /** About n input elements: (n / 64, 64) rows against 512 standard-normal codes. */
    static Map<String, Tensor> nearestInputs(OpDef op, long n, long seed) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input", Tensor.randn(seed, DType.F32, Device.cpu(), Math.max(1, n / DEMO_D), DEMO_D));
        m.put("codebook", Tensor.randn(seed + 1, DType.F32, Device.cpu(), DEMO_K, DEMO_D));
        return m;
    }

    /** About n input elements, random indices into 512 codes, positive cluster sizes and normal sums. */
    static Map<String, Tensor> emaInputs(OpDef op, long n, long seed) {
        long rows = Math.max(1, n / DEMO_D);
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input", Tensor.randn(seed, DType.F32, Device.cpu(), rows, DEMO_D));
        Tensor idx = Tensor.empty(DType.I64, Device.cpu(), rows);
        for (long i = 0; i < rows; i++) {
            idx.setLong(i, rnd.nextLong(DEMO_K));
        }
        m.put("indices", idx);
        Tensor cs = Tensor.empty(DType.F32, Device.cpu(), DEMO_K);
        for (long i = 0; i < DEMO_K; i++) {
            cs.setDouble(i, rnd.nextDouble() * 10);
        }
        m.put("cluster_size", cs);
        m.put("embed_sum", Tensor.randn(seed + 2, DType.F32, Device.cpu(), DEMO_K, DEMO_D));
        return m;
    }

    // ---- OPS.md's near-tie allowance ------------------------------------------------------------

    /** OPS.md's allowance for vq_nearest: see the class comment. */
    static Map<String, Tensor> acceptNearTies(Map<String, Tensor> in, Map<String, Tensor> actual,
                                              Map<String, Tensor> expected) {
        Tensor ai = actual.get("indices");
        Tensor ei = expected.get("indices");
        Tensor input = in.get("input");
        Tensor codebook = in.get("codebook");
        if (ai == null || ei == null || input == null || codebook == null || ai.numel() != ei.numel()) {
            return expected;
        }
        long[] got = ai.toLongArray();
        long[] want = ei.toLongArray();
        if (java.util.Arrays.equals(got, want)) {
            return expected;
        }
        int d = (int) input.size(-1);
        int k = (int) codebook.size(0);
        double[] x = input.toDoubleArray();
        double[] c = codebook.toDoubleArray();
        Tensor eq = expected.get("quantized");
        Tensor ed = expected.get("distance");
        float[] quantized = eq == null ? null : eq.toFloatArray();
        float[] distance = ed == null ? null : ed.toFloatArray();
        boolean changed = false;
        for (int n = 0; n < got.length; n++) {
            if (got[n] == want[n] || got[n] < 0 || got[n] >= k) {
                continue;
            }
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                best = Math.min(best, squaredDistance(x, n, c, j, d));
            }
            double chosen = squaredDistance(x, n, c, (int) got[n], d);
            if (Double.isNaN(best) || Double.isNaN(chosen) || !(chosen - best <= NEAR_TIE * best)) {
                continue;
            }
            changed = true;
            want[n] = got[n];
            if (quantized != null && quantized.length == got.length * d) {
                for (int i = 0; i < d; i++) {
                    quantized[n * d + i] = (float) c[(int) got[n] * d + i];
                }
            }
            if (distance != null && distance.length == got.length) {
                distance[n] = (float) chosen;
            }
        }
        if (!changed) {
            return expected;
        }
        Map<String, Tensor> out = new LinkedHashMap<>(expected);
        out.put("indices", Tensor.of(want, ei.shape()));
        if (quantized != null) {
            out.put("quantized", Tensor.of(quantized, eq.shape()));
        }
        if (distance != null) {
            out.put("distance", Tensor.of(distance, ed.shape()));
        }
        return out;
    }

    private static double squaredDistance(double[] x, int n, double[] c, int j, int d) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double t = x[n * d + i] - c[j * d + i];
            s += t * t;
        }
        return s;
    }
}
