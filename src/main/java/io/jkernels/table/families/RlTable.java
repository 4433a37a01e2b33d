package io.jkernels.table.families;

import io.jkernels.bench.RlBench;
import io.jkernels.check.families.RlOps;
import java.util.Map;

/** The reinforcement-learning updates and returns (OPS.md); the ops of {@link RlOps} with {@link RlBench}'s entries. */
public final class RlTable extends RegisteredFamily {
    public RlTable() {
        super("rl", new RlOps(), new RlBench(), Map.of(
                "sarsa_update", "costs what q_learning_update costs: one more index read per transition",
                "expected_sarsa_update", "costs what q_learning_update costs plus a pass over the row",
                "linear_td_update", "small by nature (one weight vector); timed by the launch-overhead rows",
                "running_mean_update", "small by nature; timed by the launch-overhead rows"), Map.of());
    }
}
