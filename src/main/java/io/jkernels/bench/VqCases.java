package io.jkernels.bench;

import io.jkernels.check.AllClose;
import io.jkernels.ops.VectorQuantizer;
import io.jkernels.ref.VqRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The bench cases of the vq family (OPS.md "Vector quantisation (VQ-VAE)"), the machinery of the
 * entries that {@code io.jkernels.table.families.VqTable} defines (names, sizes and tolerances are
 * there). vq_nearest ({@link #nearest}) is compute-bound: 2 N K D flops (the dot products of the
 * float32 "GEMM"; the norms, the certificate and the float64 re-checks of near ties are not
 * counted), reported as TFLOP/s; vq_ema_update ({@link #ema}) is memory-bound. Inputs and codes
 * are standard normal. Each case runs the op's out form and is checked once against
 * {@link VqRef} on a sample of rows (nearest) or on everything (ema, from a host copy of the
 * state taken before the run).
 */
public final class VqCases {
    /** Rows of vq_nearest compared with the reference by check() (spread over the batch). */
    static final int CHECK_ROWS = 512;

    private VqCases() {
    }

    /** One size: rows N, dimension D and codes K. */
    public record Size(long n, long d, long k) {
    }

    /**
     * vq_nearest of N standard normal rows against K codes. The check accepts another index than
     * the reference's when its float64 distance d is within {@code nearTie} d_best of the best
     * (OPS.md), and the distance within rtol / atol of that code's float64 distance.
     */
    public static BenchCase nearest(Device device, Size s, double nearTie, double rtol, double atol, long seed) {
        return new NearestCase(device, s, nearTie, rtol, atol, seed);
    }

    /**
     * vq_ema_update (decay, eps) of N standard normal rows with uniform random indices into K codes,
     * cluster sizes 1 and normal sums; checked within rtol / atol on every element.
     */
    public static BenchCase ema(Device device, Size s, double decay, double eps, double rtol, double atol, long seed) {
        return new EmaCase(device, s, decay, eps, rtol, atol, seed);
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
        private final double nearTie;
        private final double rtol;
        private final double atol;

        NearestCase(Device device, Size s, double nearTie, double rtol, double atol, long seed) {
            this.device = device;
            this.s = s;
            this.nearTie = nearTie;
            this.rtol = rtol;
            this.atol = atol;
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
            return VqCases.size(s);
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
                if (got != ref && !(dgot - dref <= nearTie * dref)) {
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
                if (!(err <= atol + rtol * Math.abs(dgot))) {
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
        private final double decay;
        private final double eps;
        private final double rtol;
        private final double atol;

        EmaCase(Device device, Size s, double decay, double eps, double rtol, double atol, long seed) {
            this.device = device;
            this.s = s;
            this.decay = decay;
            this.eps = eps;
            this.rtol = rtol;
            this.atol = atol;
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
            return VqCases.size(s);
        }

        @Override
        public long bytes() {
            return 4 * s.n * s.d + 8 * s.n + 4 * 2 * s.k + 4 * 3 * s.k * s.d;
        }

        @Override
        public void run() {
            VectorQuantizer.emaUpdate(x, idx, cs, es, decay, eps, cb);
        }

        @Override
        public Verdict check() {
            try (Tensor hx = host(x); Tensor hi = host(idx); Tensor hcs = host(cs); Tensor hes = host(es);
                 Tensor hcb = Tensor.empty(DType.F32, Device.cpu(), s.k, s.d)) {
                cb.fill(Double.NaN);
                run();
                device.synchronize();
                VqRef.emaUpdate(hx, hi, hcs, hes, decay, eps, hcb);
                double maxAbs = 0;
                Tensor[][] pairs = {{cs, hcs}, {es, hes}, {cb, hcb}};
                for (Tensor[] p : pairs) {
                    AllClose.Result res = AllClose.compare(p[0], p[1], rtol, atol);
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
