package io.jkernels.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jkernels.ops.Td.Reduction;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import io.jkernels.testing.Compare;
import io.jkernels.testing.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tabular and linear TD kernels and dqn_target on the host emulator against the float64
 * reference (cpu): the size sweep, heavy collisions, NaN/Inf rows, int32 indices, determinism (the
 * same bits on every run, with a fresh or a reused workspace), and index errors (the table
 * unchanged, the workspace still clean for the next call).
 *
 * <p>Tolerance: OPS.md's rtol = atol = 1e-5. Kernel and reference both compute in float64; the
 * kernel's fixed-point collision sums (NOTE [Deterministic collisions]) round each value to 2^-41
 * of the entry's largest TD error at worst, so the only visible difference is one f32 rounding.
 */
@Tag("emu")
class TdEmuTest {
    private static final double TOL = 1e-5;

    @BeforeAll
    static void emu() {
        Assumptions.assumeTrue(Device.emuAvailable(), Device.emuUnavailableReason());
    }

    enum Op { TD0, Q_LEARNING, SARSA, EXPECTED_SARSA, RUNNING_MEAN }

    /** Seeded cpu inputs of one tabular op: table (and counts), transitions. */
    record Inputs(Tensor table, Tensor counts, Tensor s, Tensor a, Tensor r, Tensor ns, Tensor na, Tensor d)
            implements AutoCloseable {
        static Inputs random(Op op, long seed, long states, long actions, long b, boolean int32, double specials) {
            SplittableRandom g = new SplittableRandom(seed);
            long a = op == Op.TD0 || op == Op.RUNNING_MEAN ? 1 : actions;
            Tensor table = Tensor.empty(DType.F32, Device.cpu(), a == 1 ? new long[] {states} : new long[] {states, a});
            for (long i = 0; i < table.numel(); i++) {
                double u = g.nextDouble();
                table.setDouble(i, u < specials ? Double.NaN : u < 2 * specials ? Double.POSITIVE_INFINITY : 2 * g.nextGaussian());
            }
            Tensor counts = null;
            if (op == Op.RUNNING_MEAN) {
                counts = Tensor.empty(DType.I64, Device.cpu(), states);
                for (long i = 0; i < states; i++) {
                    counts.setLong(i, g.nextInt(5));
                }
            }
            Tensor r = Tensor.empty(DType.F32, Device.cpu(), b);
            Tensor d = Tensor.empty(DType.BOOL, Device.cpu(), b);
            for (long i = 0; i < b; i++) {
                r.setDouble(i, g.nextGaussian());
                d.setLong(i, g.nextDouble() < 0.2 ? 1 : 0);
            }
            return new Inputs(table, counts, idx(g, b, states, int32), idx(g, b, a, int32), r, idx(g, b, states, int32),
                    idx(g, b, a, int32), d);
        }

        private static Tensor idx(SplittableRandom g, long b, long bound, boolean int32) {
            Tensor t = Tensor.empty(int32 ? DType.I32 : DType.I64, Device.cpu(), b);
            for (long i = 0; i < b; i++) {
                t.setLong(i, g.nextLong(Math.max(1, bound)));
            }
            return t;
        }

        Inputs to(Device dev) {
            return new Inputs(table.to(dev), counts == null ? null : counts.to(dev), s.to(dev), a.to(dev), r.to(dev),
                    ns.to(dev), na.to(dev), d.to(dev));
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {table, counts, s, a, r, ns, na, d}) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    static void run(Op op, Inputs in, Reduction red, Td.Workspace ws) {
        switch (op) {
            case TD0 -> Td.td0Update(in.table, in.s, in.r, in.ns, in.d, 0.9, 0.3, red, ws);
            case Q_LEARNING -> Td.qLearningUpdate(in.table, in.s, in.a, in.r, in.ns, in.d, 0.9, 0.3, red, ws);
            case SARSA -> Td.sarsaUpdate(in.table, in.s, in.a, in.r, in.ns, in.na, in.d, 0.9, 0.3, red, ws);
            case EXPECTED_SARSA -> Td.expectedSarsaUpdate(in.table, in.s, in.a, in.r, in.ns, in.d, 0.9, 0.3, 0.2, red, ws);
            case RUNNING_MEAN -> Td.runningMeanUpdate(in.table, in.counts, in.s, in.r, ws);
        }
    }

    /** Runs on cpu (reference) and emu from the same inputs; compares the updated tables. */
    static void check(String what, Op op, Inputs cpu, Reduction red, Td.Workspace ws) {
        try (Inputs emu = cpu.to(Device.emu())) {
            run(op, cpu, red, null);
            run(op, emu, red, ws);
            try (Tensor back = emu.table.to(Device.cpu())) {
                Compare.allClose(what, back, cpu.table, TOL, TOL);
            }
            if (op == Op.RUNNING_MEAN) {
                assertArrayEquals(cpu.counts.toLongArray(), emu.counts.toLongArray(), what + " counts");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void matchesReferenceOverTheSizeSweep(Op op) {
        try (Td.Workspace ws = new Td.Workspace(Device.emu())) {
            long seed = op.ordinal() * 1000L;
            for (long b : Sizes.SHORT) {
                for (Reduction red : Reduction.values()) {
                    long states = Math.max(1, b / 4 + 1);  // about 4 transitions per state: collisions
                    try (Inputs in = Inputs.random(op, seed++, states, 5, b, b % 2 == 1, 0.01)) {
                        check(op + " B=" + b + " " + red, op, in, red, ws);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void heavyCollisionsAreDeterministic(Op op) {
        // 100000 transitions on 2 states x 3 actions: ~17000 on each entry
        List<Tensor> results = new ArrayList<>();
        try (Inputs cpu = Inputs.random(op, 7, 2, 3, 100000, false, 0); Td.Workspace ws = new Td.Workspace(Device.emu())) {
            try (Inputs fresh = Inputs.random(op, 7, 2, 3, 100000, false, 0)) {
                check(op + " heavy collisions", op, fresh, Reduction.SUM, ws);
            }
            for (int run = 0; run < 3; run++) {
                try (Inputs emu = cpu.to(Device.emu())) {
                    run(op, emu, Reduction.SUM, run == 2 ? null : ws);
                    results.add(emu.table.to(Device.cpu()));
                }
            }
            Compare.bitEqual(op + " run 2 vs 1", results.get(1), results.get(0));
            Compare.bitEqual(op + " run 3 (fresh workspace) vs 1", results.get(2), results.get(0));
        } finally {
            results.forEach(Tensor::close);
        }
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void anIndexOutOfRangeLeavesTheTableUnchangedAndTheWorkspaceClean(Op op) {
        try (Td.Workspace ws = new Td.Workspace(Device.emu()); Inputs cpu = Inputs.random(op, 11, 9, 4, 300, false, 0);
                Inputs emu = cpu.to(Device.emu()); Tensor before = emu.table.to(Device.cpu())) {
            try (Tensor bad = emu.s.narrow(0, 170, 1)) {
                bad.fill(9);
            }
            assertThrows(IndexOutOfBoundsException.class, () -> run(op, emu, Reduction.SUM, ws));
            try (Tensor after = emu.table.to(Device.cpu())) {
                Compare.bitEqual(op + " table after a rejected call", after, before);
            }
            if (op == Op.RUNNING_MEAN) {
                assertArrayEquals(cpu.counts.toLongArray(), emu.counts.toLongArray());
            }
            // the scratch touched by the valid transitions was zeroed: a correct call follows
            check(op + " after a rejected call", op, cpu, Reduction.MEAN, ws);
        }
    }

    @Test
    void nanAndInfRowsFollowTheReference() {
        for (Op op : new Op[] {Op.Q_LEARNING, Op.EXPECTED_SARSA, Op.SARSA, Op.TD0}) {
            try (Inputs in = Inputs.random(op, 3, 40, 6, 2000, false, 0.05)) {
                check(op + " with NaN/Inf entries", op, in, Reduction.SUM, null);
            }
        }
    }

    @Test
    void linearTdMatchesReferenceAndIsDeterministic() {
        SplittableRandom g = new SplittableRandom(5);
        for (long[] bf : new long[][] {{1, 1}, {17, 3}, {1000, 70}, {4097, 257}, {0, 4}, {3, 0}}) {
            long b = bf[0];
            long f = bf[1];
            for (Reduction red : Reduction.values()) {
                try (Tensor w = Tensor.randn(g.nextLong(), DType.F32, Device.cpu(), f);
                        Tensor x = Tensor.randn(g.nextLong(), DType.F32, Device.cpu(), b, f);
                        Tensor xn = Tensor.randn(g.nextLong(), DType.F32, Device.cpu(), b, f);
                        Tensor r = Tensor.randn(g.nextLong(), DType.F32, Device.cpu(), b);
                        Tensor d = Tensor.zeros(DType.BOOL, Device.cpu(), b);
                        Tensor we = w.to(Device.emu()); Tensor we2 = w.to(Device.emu());
                        Tensor xe = x.to(Device.emu()); Tensor xne = xn.to(Device.emu());
                        Tensor re = r.to(Device.emu()); Tensor de = d.to(Device.emu())) {
                    Td.linearTdUpdate(w, x, r, xn, d, 0.9, 0.01, red);
                    assertSame(we, Td.linearTdUpdate(we, xe, re, xne, de, 0.9, 0.01, red));
                    Td.linearTdUpdate(we2, xe, re, xne, de, 0.9, 0.01, red);
                    Compare.allClose("linear_td B=" + b + " F=" + f + " " + red, we, w, TOL, TOL);
                    Compare.bitEqual("linear_td twice", we2, we);
                }
            }
        }
    }

    @Test
    void dqnTargetMatchesReference() {
        for (long[] ba : new long[][] {{1, 1}, {129, 18}, {4097, 5}, {0, 3}}) {
            try (Inputs in = Inputs.random(Op.Q_LEARNING, ba[0], ba[0], ba[1], ba[0], false, 0.05)) {
                long b = ba[0];
                long a = ba[1];
                try (Tensor nq = Tensor.randn(1, DType.F32, Device.cpu(), b, a); Tensor on = in.table.reshape(b, a);
                        Tensor nqe = nq.to(Device.emu()); Tensor one = on.to(Device.emu()); Tensor re = in.r.to(Device.emu());
                        Tensor de = in.d.to(Device.emu());
                        Tensor single = Td.dqnTarget(on, in.r, in.d, null, 0.97, null);
                        Tensor singleEmu = Td.dqnTarget(one, re, de, null, 0.97, null);
                        Tensor dbl = Td.dqnTarget(nq, in.r, in.d, on, 0.97, null);
                        Tensor dblEmu = Td.dqnTarget(nqe, re, de, one, 0.97, null)) {
                    Compare.allClose("dqn_target B=" + b, singleEmu, single, TOL, TOL);
                    Compare.allClose("double dqn_target B=" + b, dblEmu, dbl, TOL, TOL);
                }
            }
        }
    }
}
