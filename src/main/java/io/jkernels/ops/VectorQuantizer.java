package io.jkernels.ops;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.ref.VqRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.tensor.TensorException;
import java.util.Arrays;

/**
 * Vector quantisation for VQ-VAE (OPS.md "Vector quantisation (VQ-VAE)"): the nearest code of each
 * row ({@link #nearest}) and the exponential-moving-average codebook update with Laplace smoothing
 * ({@link #emaUpdate}, as in VQ-VAE-2 / Sonnet's {@code VectorQuantizerEMA}); {@link EmaCodebook}
 * keeps the EMA state. Kernels: kernels/vq.cu and kernels/vq_ema.cu (math and the accuracy argument in
 * kernels/math/vq.h); reference: {@link VqRef}.
 *
 * <p>All float tensors are f32. Rows are the leading dimensions of {@code input} (shape
 * {@code (..., D)}), so an NHWC feature map can be passed as it is; a non-contiguous input is
 * copied to a contiguous one first.
 *
 * <p>{@code nearest} returns the index of the float64 argmin of {@code ||x - c_k||^2} (exact ties:
 * the lowest k; a NaN distance wins as in torch.argmin), the code itself and the squared distance
 * computed in float64 and rounded once. The kernels rank codes in float32 at GEMM speed and
 * re-decide in float64 every row whose float32 ranking is not certified by a rigorous error bound
 * (near ties, exact ties, NaN/Inf): the indices equal the float64 argmin, not just within OPS.md's
 * 1e-6 window. Every argument is checked before anything is written; emaUpdate checks every index
 * and {@code total != 0} (on a device: in a kernel, then on the host) before it writes.
 */
public final class VectorQuantizer {
    /** EMA decay default (PyTorch VQ-VAE-2 / Sonnet VectorQuantizerEMA). */
    public static final double DECAY = 0.99;
    /** Laplace-smoothing epsilon default. */
    public static final double EPS = 1e-5;
    /** Largest codebook size the kernels take (code indices are 32-bit inside the tiled kernel). */
    public static final long MAX_CODES = 1L << 30;

    private static final int THREADS = 256;

    /** Largest D of vq_ema_update: 65535 grid rows of THREADS columns. */

    static final long MAX_EMA_DIM = 65535L * THREADS;
    private static final int TILE_ROWS = 128;
    private static final int EMA_CODES = 8;

    private VectorQuantizer() {
    }

    /** The result of {@link #nearest}: indices (...) int64, quantized (..., D), distance (...). Close it (or each tensor). */
    public record Nearest(Tensor indices, Tensor quantized, Tensor distance) implements AutoCloseable {
        /** Empty outputs for {@code input} (..., D) on its device. */
        public static Nearest allocate(Tensor input) {
            long[] lead = leading(input);
            Tensor i = Tensor.empty(DType.I64, input.device(), lead);
            Tensor q = null;
            try {
                q = Tensor.empty(DType.F32, input.device(), input.shape());
                return new Nearest(i, q, Tensor.empty(DType.F32, input.device(), lead));
            } catch (RuntimeException | Error e) {
                i.close();
                if (q != null) {
                    q.close();
                }
                throw e;
            }
        }

        @Override
        public void close() {
            indices.close();
            quantized.close();
            distance.close();
        }
    }

    // ---- vq_nearest --------------------------------------------------------------------------

    /** The nearest code of every row of {@code input} (..., D) in {@code codebook} (K, D), new outputs. */
    public static Nearest nearest(Tensor input, Tensor codebook) {
        checkNearest(input, codebook);
        Nearest out = Nearest.allocate(input);
        try {
            run(input, codebook, out);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** {@link #nearest} into given outputs (contiguous, shapes as {@link Nearest#allocate}). */
    public static Nearest nearest(Tensor input, Tensor codebook, Nearest out) {
        checkNearest(input, codebook);
        long[] lead = leading(input);
        checkOut("indices", out.indices(), DType.I64, lead, input.device());
        checkOut("quantized", out.quantized(), DType.F32, input.shape(), input.device());
        checkOut("distance", out.distance(), DType.F32, lead, input.device());
        Checks.disjointOutputs(new String[] {"indices", "quantized", "distance"},
                new Tensor[] {out.indices(), out.quantized(), out.distance()}, false,
                new String[] {"input", "codebook"}, input, codebook);
        run(input, codebook, out);
        return out;
    }

    private static void checkNearest(Tensor input, Tensor codebook) {
        f32("input", input);
        f32("codebook", codebook);
        if (input.dim() < 1) {
            throw new TensorException.Shape("input must have shape (..., D), got a scalar");
        }
        if (codebook.dim() != 2) {
            throw new TensorException.Shape("codebook must have shape (K, D), got " + Arrays.toString(codebook.shape()));
        }
        sameDevice("input", input, "codebook", codebook);
        long d = input.size(input.dim() - 1);
        if (codebook.size(1) != d) {
            throw new TensorException.Shape("codebook dimension D = " + codebook.size(1) + " (shape "
                    + Arrays.toString(codebook.shape()) + ") does not match input D = " + d + " (shape "
                    + Arrays.toString(input.shape()) + ")");
        }
        long k = codebook.size(0);
        if (k == 0) {
            throw new TensorException.Shape("codebook has no codes (K = 0)");
        }
        if (k > MAX_CODES) {
            throw new TensorException.Shape("codebook has " + k + " codes, at most " + MAX_CODES + " supported");
        }
    }

    private static void run(Tensor input, Tensor codebook, Nearest out) {
        long d = codebook.size(1);
        long k = codebook.size(0);
        long n = out.indices().numel();
        if (n == 0) {
            return;
        }
        try (Tensor x = input.contiguous(); Tensor cb = codebook.contiguous()) {
            KernelBackend kb = Kernels.of(x);
            if (kb == null) {
                try (Tensor x2 = x.view(n, d)) {
                    VqRef.nearest(x2, cb, out.indices(), out.quantized(), out.distance());
                }
                return;
            }
            Device dev = x.device();
            try (Tensor cnorm = Tensor.empty(DType.F32, dev, k);
                    Tensor redo = Tensor.empty(DType.I64, dev, n);
                    Tensor count = Tensor.zeros(DType.I64, dev, 1)) {
                kb.launch("vq_norms_f32", LaunchConfig.gridStride(k * 32, THREADS, 1, kb.properties(), Kernels.WAVES),
                        KernelArgs.get().ptr(cb).ptr(cnorm).i64(k).i64(d));
                boolean v4 = d % 4 == 0 && x.dataAddress() % 16 == 0 && cb.dataAddress() % 16 == 0;
                long tiles = (n + TILE_ROWS - 1) / TILE_ROWS;
                kb.launch(v4 ? "vq_nearest_v4_f32" : "vq_nearest_f32", LaunchConfig.of((int) tiles, THREADS),
                        KernelArgs.get().ptr(x).ptr(cb).ptr(cnorm).ptr(out.indices()).ptr(out.quantized())
                                .ptr(out.distance()).ptr(redo).ptr(count).i64(n).i64(k).i64(d));
                int grid = (int) Math.min(n, (long) kb.properties().smCount() * 8);
                kb.launch("vq_nearest_exact_f32", LaunchConfig.of(grid, THREADS),
                        KernelArgs.get().ptr(x).ptr(cb).ptr(redo).ptr(count).ptr(out.indices()).ptr(out.quantized())
                                .ptr(out.distance()).i64(k).i64(d));
            }
        }
    }

    // ---- vq_ema_update -----------------------------------------------------------------------

    /**
     * One EMA step with the defaults of PyTorch VQ-VAE-2 (decay {@value #DECAY}, eps {@value #EPS}).
     *
     * @see #emaUpdate(Tensor, Tensor, Tensor, Tensor, double, double, Tensor)
     */
    public static Tensor emaUpdate(Tensor input, Tensor indices, Tensor clusterSize, Tensor embedSum) {
        return emaUpdate(input, indices, clusterSize, embedSum, DECAY, EPS);
    }

    /** {@link #emaUpdate(Tensor, Tensor, Tensor, Tensor, double, double, Tensor)} into a new codebook. */
    public static Tensor emaUpdate(Tensor input, Tensor indices, Tensor clusterSize, Tensor embedSum, double decay,
            double eps) {
        checkEma(input, indices, clusterSize, embedSum, decay, eps);
        Tensor codebook = Tensor.empty(DType.F32, embedSum.device(), embedSum.shape());
        try {
            runEma(input, indices, clusterSize, embedSum, decay, eps, codebook);
            return codebook;
        } catch (RuntimeException | Error e) {
            codebook.close();
            throw e;
        }
    }

    /**
     * vq_ema_update: with {@code count[k]} the rows of {@code input} (..., D) whose index is k and
     * {@code sum[k]} their sum, updates in place {@code clusterSize} (K) = decay clusterSize +
     * (1 - decay) count and {@code embedSum} (K, D) = decay embedSum + (1 - decay) sum, and writes
     * {@code codebook} (K, D) = embedSum / smoothed, smoothed = (clusterSize + eps) / (total + K eps)
     * total, total = sum of clusterSize. Computed in float64 (sums in a fixed order: the same bits
     * every run), rounded once. Errors, with nothing written: an index outside [0, K)
     * ({@link IndexOutOfBoundsException}), decay outside [0, 1] or eps <= 0
     * ({@link TensorException.BadAttr}), total = 0 ({@link TensorException}), shapes, dtypes,
     * devices, non-contiguous clusterSize / embedSum / codebook.
     *
     * @return {@code codebook}
     */
    public static Tensor emaUpdate(Tensor input, Tensor indices, Tensor clusterSize, Tensor embedSum, double decay,
            double eps, Tensor codebook) {
        checkEma(input, indices, clusterSize, embedSum, decay, eps);
        checkOut("codebook", codebook, DType.F32, embedSum.shape(), embedSum.device());
        runEma(input, indices, clusterSize, embedSum, decay, eps, codebook);
        return codebook;
    }

    private static void checkEma(Tensor input, Tensor indices, Tensor clusterSize, Tensor embedSum, double decay,
            double eps) {
        f32("input", input);
        Checks.open("indices", indices);
        f32("cluster_size", clusterSize);
        f32("embed_sum", embedSum);
        if (indices.dtype() != DType.I64) {
            throw new TensorException.DTypeMismatch("indices must be i64, got " + indices.dtype());
        }
        if (!(decay >= 0 && decay <= 1)) {
            throw new TensorException.BadAttr("decay must be in [0, 1], got " + decay);
        }
        if (!(eps > 0)) {
            throw new TensorException.BadAttr("eps must be > 0, got " + eps);
        }
        if (input.dim() < 1) {
            throw new TensorException.Shape("input must have shape (..., D), got a scalar");
        }
        if (clusterSize.dim() != 1) {
            throw new TensorException.Shape("cluster_size must have shape (K), got " + Arrays.toString(clusterSize.shape()));
        }
        long k = clusterSize.size(0);
        long d = input.size(input.dim() - 1);
        if (!Arrays.equals(embedSum.shape(), new long[] {k, d})) {
            throw new TensorException.Shape("embed_sum must have shape (K, D) = [" + k + ", " + d + "], got "
                    + Arrays.toString(embedSum.shape()));
        }
        if (!Arrays.equals(indices.shape(), leading(input))) {
            throw new TensorException.Shape("indices shape " + Arrays.toString(indices.shape())
                    + " does not match the rows of input " + Arrays.toString(leading(input)));
        }
        if (k > MAX_CODES) {
            throw new TensorException.Shape("cluster_size has " + k + " codes, at most " + MAX_CODES + " supported");
        }
        if (d > MAX_EMA_DIM) {
            // the accumulation grid's y dimension covers D in blocks of THREADS columns (at most 65535)
            throw new TensorException.Shape("input has D = " + d + " columns, at most " + MAX_EMA_DIM
                    + " supported by vq_ema_update");
        }
        sameDevice("input", input, "indices", indices);
        sameDevice("input", input, "cluster_size", clusterSize);
        sameDevice("input", input, "embed_sum", embedSum);
        if (!clusterSize.isContiguous() || !embedSum.isContiguous()) {
            throw new TensorException.Shape("cluster_size and embed_sum are updated in place and must be contiguous");
        }
    }

    private static void runEma(Tensor input, Tensor indices, Tensor clusterSize, Tensor embedSum, double decay,
            double eps, Tensor codebook) {
        long k = clusterSize.numel();
        long d = embedSum.size(1);
        long n = indices.numel();
        try (Tensor x = input.contiguous(); Tensor idx = indices.contiguous()) {
            KernelBackend kb = Kernels.of(x);
            if (kb == null) {
                VqRef.emaUpdate(x, idx, clusterSize, embedSum, decay, eps, codebook);
                return;
            }
            Device dev = x.device();
            try (Tensor bad = Tensor.zeros(DType.I32, dev, 1);
                    Tensor sums = Tensor.empty(DType.F64, dev, Math.max(1, k * d));
                    Tensor counts = Tensor.empty(DType.F64, dev, Math.max(1, k));
                    Tensor csNew = Tensor.empty(DType.F64, dev, Math.max(1, k));
                    Tensor total = Tensor.zeros(DType.F64, dev, 1)) {
                if (n > 0) {
                    kb.launch("vq_ema_check_i64", Kernels.elementwise(kb, n, 1),
                            KernelArgs.get().ptr(idx).i64(n).i64(k).ptr(bad));
                }
                if (k > 0) {
                    int gx = (int) ((k + EMA_CODES - 1) / EMA_CODES);
                    int gy = (int) Math.max(1, (d + THREADS - 1) / THREADS);
                    kb.launch("vq_ema_accum_f32", new LaunchConfig(gx, gy, 1, THREADS, 1, 1, 0),
                            KernelArgs.get().ptr(x).ptr(idx).ptr(sums).ptr(counts).i64(n).i64(k).i64(d));
                    kb.launch("vq_ema_total_f32", LaunchConfig.of(1, THREADS),
                            KernelArgs.get().ptr(clusterSize).ptr(counts).ptr(csNew).ptr(total).i64(k).f64(decay));
                }
                if (bad.item() != 0) {
                    long first = firstBad(indices, k);
                    throw new IndexOutOfBoundsException("indices[" + first + "] = " + indexAt(indices, first)
                            + " is outside [0, " + k + ")");
                }
                double tot = total.item();
                if (tot == 0) {
                    throw new TensorException("vq_ema_update: total cluster size is 0 after the update (decay " + decay
                            + "), the smoothed sizes would be 0");
                }
                // total != 0 implies K >= 1
                kb.launch("vq_ema_apply_f32", Kernels.elementwise(kb, Math.max(k * d, k), 1),
                        KernelArgs.get().ptr(csNew).ptr(total).ptr(sums).ptr(clusterSize).ptr(embedSum).ptr(codebook)
                                .i64(k).i64(d).f64(decay).f64(eps));
            }
        }
    }

    /** The first out-of-range index (for the message; the error path only). */
    private static long firstBad(Tensor indices, long k) {
        long[] v = indices.toLongArray();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] >= k) {
                return i;
            }
        }
        return -1;
    }

    private static long indexAt(Tensor indices, long i) {
        return i < 0 ? 0 : indices.toLongArray()[(int) i];
    }

    // ---- shared checks -----------------------------------------------------------------------

    static long[] leading(Tensor input) {
        long[] s = input.shape();
        return Arrays.copyOf(s, Math.max(0, s.length - 1));
    }

    private static void f32(String name, Tensor t) {
        Checks.open(name, t);
        if (t.dtype() != DType.F32) {
            throw new TensorException.DTypeMismatch(name + " must be f32, got " + t.dtype());
        }
    }

    private static void sameDevice(String an, Tensor a, String bn, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw new TensorException.DeviceMismatch(bn + " is on " + b.device() + " but " + an + " is on " + a.device());
        }
    }

    private static void checkOut(String name, Tensor t, DType dtype, long[] shape, Device device) {
        Checks.open(name, t);
        if (t.dtype() != dtype) {
            throw new TensorException.DTypeMismatch(name + " must be " + dtype + ", got " + t.dtype());
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new TensorException.Shape(name + " must have shape " + Arrays.toString(shape) + ", got "
                    + Arrays.toString(t.shape()));
        }
        if (!t.device().equals(device)) {
            throw new TensorException.DeviceMismatch(name + " is on " + t.device() + " but the inputs are on " + device);
        }
        if (!t.isContiguous()) {
            throw new TensorException.Shape(name + " must be contiguous to be written in place");
        }
    }
}
