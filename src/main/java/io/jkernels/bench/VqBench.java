package io.jkernels.bench;

import io.jkernels.ops.VectorQuantizer;
import io.jkernels.ref.VqRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Bench entries of the vq family (OPS.md "Vector quantisation (VQ-VAE)"). vq_nearest is
 * compute-bound: 2 N K D flops (the dot products of the float32 "GEMM"; the norms, the
 * certificate and the float64 re-checks of near ties are not counted), reported as TFLOP/s, at
 * the sizes N = 65536, D = 256, K = 8192 and N = 2^20, D = 64, K = 512 / 1024. Inputs
 * and codes are standard normal. vq_ema_update (N = 2^20, D = 64, K = 1024) is memory-bound.
 * Each entry runs the ops' out forms and is checked once against {@link VqRef} on a sample of rows
 * (nearest) or on everything (ema, from a host copy of the state taken before the run).
 */
public final class VqBench implements BenchFamily {
    /** Rows of vq_nearest compared with the reference by check() (spread over the batch). */
    static final int CHECK_ROWS = 512;

    @Override
    public String name() {
        return "vq";
    }

    /** One vq_nearest size per scale: rows, dimension and codes. */
    record Size(long n, long d, long k) {
    }

    @Override
    public List<BenchEntry> entries() {
        List<BenchEntry> e = new ArrayList<>();
        nearest(e, "vq_nearest_d256_k8192", new Size(65536, 256, 8192), new Size(2048, 256, 512), new Size(64, 16, 40));
        nearest(e, "vq_nearest_d64_k512", new Size(1L << 20, 64, 512), new Size(8192, 64, 256), new Size(70, 8, 33));
        nearest(e, "vq_nearest_d64_k1024", new Size(1L << 20, 64, 1024), new Size(8192, 64, 512), new Size(70, 8, 129));
        e.add(new BenchEntry("vq_ema_update_d64_k1024_f32", name(), "f32", (device, scale, seed) -> {
            Size s = scale == Scale.GPU ? new Size(1L << 20, 64, 1024)
                    : scale == Scale.HOST ? new Size(1L << 16, 64, 1024) : new Size(300, 8, 20);
            return new EmaCase(device, s, seed);
        }));
        return e;
    }

    private void nearest(List<BenchEntry> e, String op, Size gpu, Size host, Size tiny) {
        e.add(new BenchEntry(op + "_f32", name(), "f32", (device, scale, seed) -> new NearestCase(device,
                scale == Scale.GPU ? gpu : scale == Scale.HOST ? host : tiny, seed)));
    }

    static Tensor randn(long seed, Device device, long rows, long cols) {
        try (Tensor flat = ElementwiseBench.randn(seed, DType.F32, device, rows * cols)) {
            return flat.view(rows, cols);
        }
    }

    static String size(Size s) {
        return "n=" + ElementwiseBench.count(s.n) + " d=" + s.d + " k=" + s.k;
    }

    private static final class NearestCase implements BenchCase {
        private final Device device;
        private final Size s;
        private final Tensor x;
        private final Tensor cb;
        private final VectorQuantizer.Nearest out;

        NearestCase(Device device, Size s, long seed) {
            this.device = device;
            this.s = s;
            Tensor xx = null;
            Tensor cc = null;
            try {
                xx = randn(seed, device, s.n, s.d);
                cc = randn(seed + 1, device, s.k, s.d);
                out = VectorQuantizer.Nearest.allocate(xx);
            } catch (RuntimeException | Error e) {
                if (xx != null) {
                    xx.close();
                }
                if (cc != null) {
                    cc.close();
                }
                throw e;
            }
            x = xx;
            cb = cc;
        }

        @Override
        public String size() {
            return VqBench.size(s);
        }

        @Override
        public long bytes() {
            return 4 * (2 * s.n * s.d + s.k * s.d) + 12 * s.n;
        }

        @Override
        public long flops() {
            return 2 * s.n * s.k * s.d;
        }

        @Override
        public void run() {
            VectorQuantizer.nearest(x, cb, out);
        }

        @Override
        public Verdict check() {
            out.indices().fill(-1);
            out.quantized().fill(Double.NaN);
            out.distance().fill(Double.NaN);
            run();
            device.synchronize();
            int d = (int) s.d;
            int k = (int) s.k;
            double[] c = cb.toDoubleArray();
            long step = Math.max(1, s.n / CHECK_ROWS);
            double maxAbs = 0;
            long checked = 0;
            for (long r = 0; r < s.n; r += step) {
                double[] xr;
                long got;
                float[] q;
                float dist;
                try (Tensor xv = x.select(0, r); Tensor qv = out.quantized().select(0, r)) {
                    xr = xv.toDoubleArray();
                    q = qv.toFloatArray();
                }
                try (Tensor iv = out.indices().narrow(0, r, 1); Tensor dv = out.distance().narrow(0, r, 1)) {
                    got = iv.toLongArray()[0];
                    dist = dv.toFloatArray()[0];
                }
                int ref = VqRef.nearestRow(xr, 0, c, k, d);
                if (got < 0 || got >= k) {
                    return Verdict.failed("row " + r + ": index " + got);
                }
                double dref = VqRef.distance(xr, 0, c, ref, d);
                double dgot = VqRef.distance(xr, 0, c, got, d);
                if (got != ref && !(dgot - dref <= 1e-6 * dref)) {
                    return Verdict.failed("row " + r + ": index " + got + " (d " + dgot + "), expected " + ref + " (d "
                            + dref + ")");
                }
                for (int j = 0; j < d; j++) {
                    if (q[j] != (float) c[(int) got * d + j]) {
                        return Verdict.failed("row " + r + ": quantized[" + j + "] is not code " + got);
                    }
                }
                double err = Math.abs(dist - (float) dgot);
                maxAbs = Math.max(maxAbs, err);
                if (!(err <= 1e-6 + 1e-5 * Math.abs(dgot))) {
                    return Verdict.failed("row " + r + ": distance " + dist + ", expected " + (float) dgot);
                }
                checked++;
            }
            return new Verdict(true, maxAbs, checked, null);
        }

        @Override
        public void close() {
            x.close();
            cb.close();
            out.close();
        }
    }

    private static final class EmaCase implements BenchCase {
        private final Device device;
        private final Size s;
        private final Tensor x;
        private final Tensor idx;
        private final Tensor cs;
        private final Tensor es;
        private final Tensor cb;

        EmaCase(Device device, Size s, long seed) {
            this.device = device;
            this.s = s;
            List<Tensor> made = new ArrayList<>();
            try {
                x = add(made, randn(seed, device, s.n, s.d));
                SplittableRandom r = new SplittableRandom(seed);
                long[] iv = new long[(int) s.n];
                for (int i = 0; i < iv.length; i++) {
                    iv[i] = r.nextLong(s.k);
                }
                try (Tensor h = Tensor.of(iv, s.n)) {
                    idx = add(made, h.to(device));
                }
                cs = add(made, Tensor.full(1.0, DType.F32, device, s.k));
                es = add(made, randn(seed + 1, device, s.k, s.d));
                cb = add(made, Tensor.empty(DType.F32, device, s.k, s.d));
            } catch (RuntimeException | Error e) {
                made.forEach(Tensor::close);
                throw e;
            }
        }

        /** A cpu copy of the state as it is now (never an alias: the run updates it in place). */
        private static Tensor host(Tensor t) {
            return t.device().isCpu() ? t.copy() : t.to(Device.cpu());
        }

        private static Tensor add(List<Tensor> made, Tensor t) {
            made.add(t);
            return t;
        }

        @Override
        public String size() {
            return VqBench.size(s);
        }

        @Override
        public long bytes() {
            return 4 * s.n * s.d + 8 * s.n + 4 * 2 * s.k + 4 * 3 * s.k * s.d;
        }

        @Override
        public void run() {
            VectorQuantizer.emaUpdate(x, idx, cs, es, VectorQuantizer.DECAY, VectorQuantizer.EPS, cb);
        }

        @Override
        public Verdict check() {
            try (Tensor hx = host(x); Tensor hi = host(idx); Tensor hcs = host(cs); Tensor hes = host(es); Tensor hcb = Tensor.empty(DType.F32, Device.cpu(), s.k, s.d)) {
                cb.fill(Double.NaN);
                run();
                device.synchronize();
                VqRef.emaUpdate(hx, hi, hcs, hes, VectorQuantizer.DECAY, VectorQuantizer.EPS, hcb);
                double maxAbs = 0;
                Tensor[][] pairs = {{cs, hcs}, {es, hes}, {cb, hcb}};
                for (Tensor[] p : pairs) {
                    io.jkernels.check.AllClose.Result res = io.jkernels.check.AllClose.compare(p[0], p[1], 1e-5, 1e-6);
                    maxAbs = Math.max(maxAbs, res.maxAbs());
                    if (!res.passed()) {
                        return Verdict.failed(res.failures() + " elements out of tolerance: got " + res.actual()
                                + ", expected " + res.expected());
                    }
                }
                return new Verdict(true, maxAbs, s.k * (2 * s.d + 1), null);
            }
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {x, idx, cs, es, cb}) {
                t.close();
            }
        }
    }
}
