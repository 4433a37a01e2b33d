package io.jkernels.ops;

import static io.jkernels.ops.TdChecks.alpha;
import static io.jkernels.ops.TdChecks.batch;
import static io.jkernels.ops.TdChecks.check1d;
import static io.jkernels.ops.TdChecks.device;
import static io.jkernels.ops.TdChecks.dtype;
import static io.jkernels.ops.TdChecks.index;
import static io.jkernels.ops.TdChecks.mask;
import static io.jkernels.ops.TdChecks.unit;
import static io.jkernels.ops.TdChecks.workspace;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.ops.Td.Reduction;
import io.jkernels.ops.Td.Workspace;
import io.jkernels.ref.TdRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared body of {@link Td}'s five tabular updates (td0, q_learning, sarsa, expected_sarsa,
 * running_mean): the transitions validated, then the reference ({@link TdRef}) on cpu or the three
 * kernels of kernels/rl.cu (the op's prepare kernel, rl_segsum_accumulate, rl_segsum_apply_f32)
 * over the {@link Workspace}'s scratch, with the device's index check read back and turned into an
 * {@link IndexOutOfBoundsException} naming the index. Also the launch helpers that linear_td,
 * dqn_target and {@link Returns} use too: contiguous copies kept for closing, indices widened to
 * int64, a tensor's address or 0.
 */
final class TdTabular {
    private TdTabular() {
    }

    /** The prepare kernel of each op (kernels/rl.cu). */
    enum Op {
        TD0("td0_update"), Q_LEARNING("q_learning_update"), SARSA("sarsa_update"),
        EXPECTED_SARSA("expected_sarsa_update"), RUNNING_MEAN("running_mean_update");

        final String kernel;

        Op(String name) {
            this.kernel = name + "_prepare_f32";
        }
    }

    /**
     * Validates the transitions (the table is checked by the caller), then runs the reference on
     * cpu or the three kernels of kernels/rl.cu. counts: running_mean only.
     */
    static void tabular(Op op, Tensor table, Tensor counts, Tensor states, Tensor actions, Tensor rewards,
            Tensor nextStates, Tensor nextActions, Tensor dones, double gamma, double alpha, double epsilon,
            Reduction reduction, Workspace ws) {
        boolean rmean = op == Op.RUNNING_MEAN;
        String rname = rmean ? "samples" : "rewards";
        long b = batch("states", states);
        device("table", table, "states", states);
        check1d(table, rname, rewards, b);
        dtype(rname, rewards, DType.F32);
        if (!rmean) {
            index("next_states", nextStates);
            check1d(table, "next_states", nextStates, b);
            mask("dones", dones);
            check1d(table, "dones", dones, b);
            unit("gamma", gamma);
            alpha(alpha);
            java.util.Objects.requireNonNull(reduction, "reduction");
        }
        if (actions != null) {
            index("actions", actions);
            check1d(table, "actions", actions, b);
        }
        if (nextActions != null) {
            index("next_actions", nextActions);
            check1d(table, "next_actions", nextActions, b);
        }
        workspace("table", table, ws);
        if (b == 0) {
            return;
        }
        KernelBackend kb = Kernels.of(table);
        if (kb == null) {
            boolean mean = reduction == Reduction.MEAN;
            switch (op) {
                case TD0 -> TdRef.td0Update(table, states, rewards, nextStates, dones, gamma, alpha, mean);
                case Q_LEARNING -> TdRef.qLearningUpdate(table, states, actions, rewards, nextStates, dones, gamma, alpha,
                        mean);
                case SARSA -> TdRef.sarsaUpdate(table, states, actions, rewards, nextStates, nextActions, dones, gamma,
                        alpha, mean);
                case EXPECTED_SARSA -> TdRef.expectedSarsaUpdate(table, states, actions, rewards, nextStates, dones, gamma,
                        alpha, epsilon, mean);
                case RUNNING_MEAN -> TdRef.runningMeanUpdate(table, counts, states, rewards);
            }
            return;
        }
        List<Tensor> temps = new ArrayList<>();
        Workspace own = ws == null ? new Workspace(table.device()) : null;
        Workspace w = ws == null ? own : ws;
        try {
            Tensor st = indices(kb, states, temps);
            Tensor ac = actions == null ? null : indices(kb, actions, temps);
            Tensor ns = nextStates == null ? null : indices(kb, nextStates, temps);
            Tensor na = nextActions == null ? null : indices(kb, nextActions, temps);
            Tensor rw = contiguous(rewards, temps);
            Tensor dn = dones == null ? null : contiguous(dones, temps);
            long k = table.numel();
            long a = table.dim() == 2 ? table.size(1) : 1;
            long ent = w.entries(k);
            long work = w.work(2 * b);
            Tensor err = w.err();
            long[] scratch = {ent, ent + 8 * k, ent + 12 * k, ent + 16 * k, ent + 20 * k, work, work + 8 * b,
                err.dataAddress()};
            long[] tab = {table.dataAddress(), table.size(0), a, addr(st), addr(ac), addr(rw), addr(ns), addr(na),
                addr(dn), b, Double.doubleToRawLongBits(gamma), Double.doubleToRawLongBits(epsilon)};
            LaunchConfig cfg = Kernels.elementwise(kb, b, 1);
            kb.launch(op.kernel, cfg, KernelArgs.get().struct(tab).struct(scratch));
            kb.launch("rl_segsum_accumulate", cfg, KernelArgs.get().struct(scratch).i64(b));
            int mode = rmean ? 2 : reduction == Reduction.MEAN ? 1 : 0;
            kb.launch("rl_segsum_apply_f32", cfg, KernelArgs.get().ptr(table).ptr(counts == null ? 0 : counts.dataAddress())
                    .struct(scratch).i64(b).f64(alpha).i32(mode));
            long bad;
            try (Tensor host = err.to(Device.cpu())) {
                bad = host.getLong(0);
            }
            if (bad != -1) {
                throw outOfRange(bad, table.size(0), a, st, ac, ns, na);
            }
        } finally {
            for (Tensor t : temps) {
                t.close();
            }
            if (own != null) {
                own.close();
            }
            java.lang.ref.Reference.reachabilityFence(table);
            java.lang.ref.Reference.reachabilityFence(counts);
        }
    }

    static long addr(Tensor t) {
        return t == null ? 0 : t.dataAddress();
    }

    /** A contiguous handle (kept in temps for closing). */
    static Tensor contiguous(Tensor t, List<Tensor> temps) {
        Tensor c = t.contiguous();
        temps.add(c);
        return c;
    }

    /** The indices as contiguous int64 on the device (int32 widened by rl_widen_i32_i64). */
    static Tensor indices(KernelBackend kb, Tensor t, List<Tensor> temps) {
        Tensor c = contiguous(t, temps);
        if (c.dtype() == DType.I64) {
            return c;
        }
        Tensor wide = Tensor.empty(DType.I64, t.device(), t.shape());
        temps.add(wide);
        Kernels.elementwise(kb, "rl_widen_i32_i64", c.numel(), c, wide);
        return wide;
    }

    /** The exception for transition {@code i}, naming the index that is out of range. */
    private static IndexOutOfBoundsException outOfRange(long i, long s, long a, Tensor st, Tensor ac, Tensor ns,
            Tensor na) {
        Object[][] checks = {{"states", st, s}, {"next_states", ns, s}, {"actions", ac, a}, {"next_actions", na, a}};
        for (Object[] c : checks) {
            Tensor t = (Tensor) c[1];
            if (t == null) {
                continue;
            }
            long n = (Long) c[2];
            long v;
            try (Tensor one = t.narrow(0, i, 1)) {
                v = (long) one.item();
            }
            if (v < 0 || v >= n) {
                return new IndexOutOfBoundsException(c[0] + "[" + i + "] = " + v + " is out of range [0, " + n + ")");
            }
        }
        return new IndexOutOfBoundsException("transition " + i + " has an index out of range");
    }
}
