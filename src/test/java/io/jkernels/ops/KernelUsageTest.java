package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jkernels.backend.BundledKernels;
import io.jkernels.backend.emu.EmuBackend;
import io.jkernels.bench.BenchCase;
import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.Scale;
import io.jkernels.check.CaseResult;
import io.jkernels.check.CaseRunner;
import io.jkernels.ops.ActivationOpTable.Op;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every kernel in the bundled fatbin is launched by an op of the op table: the test runs, on emu,
 * every golden case, every bench entry at the tiny scale, every activation in f16 (the bench and
 * the golden cases cover f32 and bf16) and the packed gated forms, then compares the kernels
 * launched with kernels.txt. A kernel nothing launches is dead code (or an op the table lacks);
 * the exemptions below say which test launches the kernels that are not ops.
 */
@Tag("emu")
class KernelUsageTest {
    /** Kernels that are not ops, by prefix, and the test that launches them. */
    private static final Map<String, String> NOT_OPS = Map.of(
            "selftest_", "the emulator self-tests (backend/emu/Emu*SelfTest)",
            "bench_", "the launch-overhead rows of the bench (bench/LaunchOverhead, BenchCommandTest)",
            "fill_b8", "cuda only: 8-byte fills whose halves differ (CudaBackend; emu fills on the host), run by the "
                    + "tensor contract tests under cuda-ffm and cuda-jcuda");

    @Test
    void everyBundledKernelIsLaunchedByAnOp() throws Exception {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
        EmuBackend emu = (EmuBackend) Device.emu().kernels();
        Map<String, Long> before = emu.launchCounts();

        List<CaseResult> golden = new CaseRunner(OpTable.standard().registry())
                .runSuite(Path.of("src/test/resources/golden"), Device.emu(), null);
        assertTrue(golden.size() > 100, "golden cases run: " + golden.size());
        for (BenchEntry e : OpTable.standard().bench()) {
            try (BenchCase c = e.prepare(Device.emu(), Scale.TINY, 7)) {
                assertTrue(c.check().passed(), e.name());
            }
        }
        for (Op op : ActivationOpTable.OPS) {
            Tensor[] in = op.makeInputs(3, DType.F16, new long[] {33});
            Tensor[] out = null;
            try {
                Tensor[] dev = new Tensor[in.length];
                for (int i = 0; i < in.length; i++) {
                    dev[i] = in[i].to(Device.emu());
                }
                out = op.run().apply(dev, new Tensor[op.outputs()]);
                ActivationOpTable.close(dev);
            } finally {
                ActivationOpTable.close(in, out);
            }
        }
        for (DType d : List.of(DType.F32, DType.BF16, DType.F16)) {
            try (Tensor x = Tensor.randn(5, d, Device.emu(), 3, 8); Tensor g = Tensor.randn(6, d, Device.emu(), 3, 4)) {
                closeAll(Activations.swiglu(x, -1, true), Activations.swigluBackward(g, x, -1, true),
                        Activations.geglu(x, -1, false, Approximate.TANH),
                        Activations.gegluBackward(g, x, -1, false, Approximate.TANH),
                        Activations.reglu(x, -1, true), Activations.regluBackward(g, x, -1, true),
                        Activations.glu(x, -1, false), Activations.gluBackward(g, x, -1, false));
            }
        }
        otherForms();

        Map<String, Long> after = emu.launchCounts();
        Set<String> unused = new TreeSet<>();
        for (String k : BundledKernels.names()) {
            boolean launched = after.getOrDefault(k, 0L) > before.getOrDefault(k, 0L);
            if (!launched && NOT_OPS.keySet().stream().noneMatch(k::startsWith)) {
                unused.add(k);
            }
        }
        assertEquals(Set.of(), unused, "bundled kernels that no op of the table launched");
    }

    /**
     * The forms golden cases and bench entries do not reach: resampling in bf16/f16, pixel ops on
     * 1-, 2- and 8-byte elements, the multi-tensor optimizer steps, int32 indices (widened on the
     * device), strided copies of every element size and 8-byte fills.
     */
    private static void otherForms() {
        Device e = Device.emu();
        for (DType d : List.of(DType.BF16, DType.F16)) {
            try (Tensor x = Tensor.randn(1, d, e, 1, 2, 3, 4); Tensor g = Tensor.randn(2, d, e, 1, 2, 6, 8)) {
                Resample.Resize r = Resample.Resize.size(6, 8);
                closeAll(Resample.upsampleNearest2d(x, r), Resample.upsampleBilinear2d(x, r, false),
                        Resample.upsampleNearest2dBackward(g, new long[] {3, 4}, r, Resample.NearestMode.NEAREST),
                        Resample.upsampleBilinear2dBackward(g, new long[] {3, 4}, r, false));
            }
        }
        for (DType d : List.of(DType.BOOL, DType.BF16, DType.F32, DType.F64)) {
            try (Tensor x = Tensor.zeros(d, e, 1, 4, 2, 2)) {
                closeAll(Resample.pixelShuffle(x, 2), Resample.pixelUnshuffle(x, 2));
            }
        }
        for (boolean amsgrad : new boolean[] {false, true}) {
            try (AdamW w = AdamW.builder().amsgrad(amsgrad).build(); Adam a = Adam.builder().amsgrad(amsgrad).build();
                    Tensor p1 = Tensor.randn(3, DType.F32, e, 5); Tensor p2 = Tensor.randn(4, DType.F32, e, 7);
                    Tensor g1 = Tensor.randn(5, DType.F32, e, 5); Tensor g2 = Tensor.randn(6, DType.F32, e, 7)) {
                List<Optimizers.ParamGrad> pg = List.of(new Optimizers.ParamGrad(p1, g1), new Optimizers.ParamGrad(p2, g2));
                w.step(pg);
                a.step(pg);
            }
        }
        try (Tensor hs = Tensor.of(new int[] {0, 1, 2}); Tensor hn = Tensor.of(new int[] {1, 2, 3});
                Tensor v = Tensor.zeros(DType.F32, e, 4); Tensor s = hs.to(e); Tensor r = Tensor.randn(7, DType.F32, e, 3);
                Tensor n = hn.to(e); Tensor d = Tensor.zeros(DType.BOOL, e, 3)) {
            Td.td0Update(v, s, r, n, d, 0.9, 0.1, Td.Reduction.SUM);
        }
        for (DType d : List.of(DType.BOOL, DType.BF16, DType.F32, DType.F64)) {
            try (Tensor x = Tensor.zeros(d, e, 4, 6); Tensor t = x.transpose(0, 1); Tensor c = t.contiguous()) {
                assertEquals(24, c.numel());
            }
        }
        try (Tensor f = Tensor.zeros(DType.I64, e, 9)) {
            f.fill(3L);
        }
    }

    private static void closeAll(Tensor... ts) {
        for (Tensor t : ts) {
            t.close();
        }
    }
}
