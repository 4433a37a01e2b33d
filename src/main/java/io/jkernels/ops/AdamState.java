package io.jkernels.ops;

import static io.jkernels.ops.AdamLaunch.kernel;
import static io.jkernels.ops.AdamLaunch.scalars;
import static io.jkernels.ops.Optimizers.BLOCK;
import static io.jkernels.ops.Optimizers.CHUNK;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.KernelBackend;
import io.jkernels.backend.LaunchConfig;
import io.jkernels.ops.Optimizers.AdamOptimizer.State;
import io.jkernels.ops.Optimizers.Hyper;
import io.jkernels.ops.Optimizers.ParamGrad;
import io.jkernels.ref.OptimizersRef;
import io.jkernels.tensor.DType;
import io.jkernels.tensor.Device;
import io.jkernels.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state and the multi-tensor step of one {@link Optimizers.AdamOptimizer}: per parameter
 * tensor (by identity) its exp_avg, exp_avg_sq, max_exp_avg_sq (amsgrad) and step count, created
 * as zeros on its first step; the step's launch groups (one per device and step count), each one
 * kernel launch over a device table of its tensors (kernels/optimizers.cu, NOTE [Adam multi-tensor
 * table]) kept on the device and uploaded again only when the tensors change. The optimizer checks
 * its arguments before it calls in here. Not thread-safe.
 */
final class AdamState {
    private final Hyper hyper;
    private final boolean decoupled;
    private final Map<Tensor, Slot> slots = new IdentityHashMap<>();
    /** Per device, the tables of its launch groups of the last step (in group order). */
    private final Map<Device, List<Table>> tables = new LinkedHashMap<>();

    AdamState(Hyper hyper, boolean decoupled) {
        this.hyper = hyper;
        this.decoupled = decoupled;
    }

    /** The per-parameter state (tensors owned by the optimizer). */
    private static final class Slot {
        final Tensor expAvg;
        final Tensor expAvgSq;
        final Tensor maxExpAvgSq;
        long step;

        Slot(Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq) {
            this.expAvg = expAvg;
            this.expAvgSq = expAvgSq;
            this.maxExpAvgSq = maxExpAvgSq;
        }

        void close() {
            expAvg.close();
            expAvgSq.close();
            if (maxExpAvgSq != null) {
                maxExpAvgSq.close();
            }
        }
    }

    /** A device table of one launch group and the host words it was uploaded from. */
    private static final class Table {
        long[] words;
        Tensor device;

        void close() {
            if (device != null) {
                device.close();
                device = null;
            }
            words = null;
        }
    }

    /** One step of every pair, checked by the optimizer: grouped by device and step count, then launched. */
    void step(List<ParamGrad> pairs) {
        // group by device and by step count; state is created (zeros) on a param's first step
        Map<Device, Map<Long, List<ParamGrad>>> groups = new LinkedHashMap<>();
        for (ParamGrad pg : pairs) {
            Slot s = slot(pg.param());
            groups.computeIfAbsent(pg.param().device(), d -> new java.util.TreeMap<>())
                    .computeIfAbsent(s.step + 1, k -> new ArrayList<>()).add(pg);
        }
        for (Map.Entry<Device, Map<Long, List<ParamGrad>>> d : groups.entrySet()) {
            int index = 0;
            for (Map.Entry<Long, List<ParamGrad>> g : d.getValue().entrySet()) {
                run(d.getKey(), index++, g.getKey(), g.getValue());
            }
        }
        for (ParamGrad pg : pairs) {
            slots.get(pg.param()).step++;
        }
    }

    private Slot slot(Tensor param) {
        Slot s = slots.get(param);
        if (s == null) {
            Tensor m = null;
            Tensor v = null;
            Tensor x = null;
            try {
                m = Tensor.zeros(DType.F32, param.device(), param.shape());
                v = Tensor.zeros(DType.F32, param.device(), param.shape());
                x = hyper.amsgrad() ? Tensor.zeros(DType.F32, param.device(), param.shape()) : null;
            } catch (RuntimeException | Error e) {
                for (Tensor t : new Tensor[] {m, v, x}) {
                    if (t != null) {
                        t.close();
                    }
                }
                throw e;
            }
            s = new Slot(m, v, x);
            slots.put(param, s);
        }
        return s;
    }

    /** One launch group: same device, same step count. */
    private void run(Device device, int index, long step, List<ParamGrad> group) {
        KernelBackend kb = device.isCpu() ? null : device.kernels();
        if (kb == null) {
            for (ParamGrad pg : group) {
                Slot s = slots.get(pg.param());
                OptimizersRef.step(pg.param(), pg.grad(), s.expAvg, s.expAvgSq, s.maxExpAvgSq, hyper.lr(),
                        hyper.beta1(), hyper.beta2(), hyper.eps(), hyper.weightDecay(), step, hyper.amsgrad(),
                        hyper.maximize(), decoupled);
            }
            return;
        }
        List<Tensor> copies = new ArrayList<>();
        try {
            List<Long> words = new ArrayList<>();
            long chunks = 0;
            int rows = 0;
            for (ParamGrad pg : group) {
                long n = pg.param().numel();
                if (n == 0) {
                    continue;
                }
                Tensor g = pg.grad();
                if (!g.isContiguous()) {
                    g = g.contiguous();
                    copies.add(g);
                }
                Slot s = slots.get(pg.param());
                words.addAll(List.of(pg.param().dataAddress(), g.dataAddress(), s.expAvg.dataAddress(),
                        s.expAvgSq.dataAddress(), s.maxExpAvgSq == null ? 0L : s.maxExpAvgSq.dataAddress(), n,
                        chunks, 0L));
                chunks += (n + CHUNK - 1) / CHUNK;
                rows++;
            }
            if (rows == 0) {
                return;
            }
            Tensor table = table(device, index, words.stream().mapToLong(Long::longValue).toArray());
            KernelArgs a = KernelArgs.get().ptr(table).i32(rows).i64(chunks).i64(CHUNK);
            scalars(a, hyper, step, decoupled);
            LaunchConfig cfg = LaunchConfig.gridStride(chunks * BLOCK, BLOCK, 1, kb.properties(), Kernels.WAVES);
            kb.launch(kernel(decoupled, hyper.amsgrad(), true), cfg, a);
            java.lang.ref.Reference.reachabilityFence(group);
        } finally {
            for (Tensor c : copies) {
                c.close();
            }
        }
    }

    /** The device table of launch group {@code index} on {@code device}, uploaded if it changed. */
    private Tensor table(Device device, int index, long[] words) {
        List<Table> list = tables.computeIfAbsent(device, d -> new ArrayList<>());
        while (list.size() <= index) {
            list.add(new Table());
        }
        Table t = list.get(index);
        if (t.device != null && Arrays.equals(t.words, words)) {
            return t.device;
        }
        t.close();
        try (Tensor host = Tensor.of(words)) {
            t.device = host.to(device);
        }
        t.words = words;
        return t.device;
    }

    /** The state of {@code param}, or null before its first step. */
    State state(Tensor param) {
        Slot s = slots.get(param);
        return s == null ? null : new State(s.expAvg, s.expAvgSq, s.maxExpAvgSq, s.step);
    }

    /** Sets the state of {@code param} from copies of the given tensors (checked by the optimizer). */
    void load(Tensor param, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, long step) {
        Slot s = slot(param);
        s.expAvg.copyFrom(expAvg);
        s.expAvgSq.copyFrom(expAvgSq);
        if (maxExpAvgSq != null) {
            s.maxExpAvgSq.copyFrom(maxExpAvgSq);
        }
        s.step = step;
    }

    /** Frees every parameter's state and the device tables. */
    void clear() {
        slots.values().forEach(Slot::close);
        slots.clear();
        tables.values().forEach(l -> l.forEach(Table::close));
        tables.clear();
    }
}
