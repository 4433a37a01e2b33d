package io.jkernels.check.families;

import io.jkernels.check.AttrSpec;
import io.jkernels.check.DemoCase;
import io.jkernels.check.OpDef;
import io.jkernels.check.OpDef.InputKind;
import io.jkernels.check.OpFamily;
import io.jkernels.check.OpRegistry;
import io.jkernels.ops.VectorQuantizer;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The vq ops of OPS.md "Vector quantisation (VQ-VAE)" for the conformance runner and the demo:
 * {@code vq_nearest(input, codebook) -> indices, quantized, distance} and
 * {@code vq_ema_update(input, indices, cluster_size, embed_sum; decay, eps) -> cluster_size,
 * embed_sum, codebook} (the first two updated in place and returned). Default tolerance: OPS.md's
 * float32 default (rtol 1e-5, atol 1e-6). vq_nearest's indices are compared exactly, except that
 * an index the op chose where the case expects another is accepted when OPS.md accepts it (its
 * float64 distance d satisfies d - d_best <= 1e-6 d_best); quantized and distance are then
 * compared with that code's row and float64 distance.
 */
public final class VqOps implements OpFamily {
    /** vq_ema_update's decay, in [0, 1]. */
    public static final AttrSpec DECAY = AttrSpec.real("decay", VectorQuantizer.DECAY).between(0, 1);
    /** vq_ema_update's eps, > 0. */
    public static final AttrSpec EPS = AttrSpec.real("eps", VectorQuantizer.EPS).where(v -> ((Number) v).doubleValue() > 0,
            "> 0");

    /** Dimension and codebook size of the demo rows. */
    private static final long DEMO_D = 64;
    private static final long DEMO_K = 512;

    @Override
    public void register(OpRegistry r) {
        r.register(OpDef.builder("vq_nearest")
                .inputs("input", "codebook")
                .outputs("indices", "quantized", "distance")
                .body((in, a) -> {
                    VectorQuantizer.Nearest q = VectorQuantizer.nearest(in.get("input"), in.get("codebook"));
                    Map<String, Tensor> out = new LinkedHashMap<>();
                    out.put("indices", q.indices());
                    out.put("quantized", q.quantized());
                    out.put("distance", q.distance());
                    return out;
                })
                .reconcile(VqOps::acceptNearTies)
                .build());
        r.register(OpDef.builder("vq_ema_update")
                .input("input")
                .input("indices", InputKind.INDEX)
                .inputs("cluster_size", "embed_sum")
                .attrs(DECAY, EPS)
                .outputs("cluster_size", "embed_sum", "codebook")
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
                .build());
        r.demo(new DemoCase("vq_nearest", Map.of(), VqOps::nearestInputs));
        r.demo(new DemoCase("vq_ema_update", Map.of(), VqOps::emaInputs));
    }

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
            if (Double.isNaN(best) || Double.isNaN(chosen) || !(chosen - best <= 1e-6 * best)) {
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
