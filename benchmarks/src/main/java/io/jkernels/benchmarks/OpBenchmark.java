package io.jkernels.benchmarks;

import io.jkernels.bench.BenchCase;
import io.jkernels.bench.BenchEntry;
import io.jkernels.bench.Scale;
import io.jkernels.table.OpTable;
import io.jkernels.tensor.Device;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One op of the bench registry (the same entries, inputs and checks as {@code jkernels bench})
 * on the cpu references or the emulator, at the "host" sizes (elementwise: 2^20 elements). The
 * op is checked once against the cpu reference in {@link #setup()}, which fails the run when it
 * disagrees. Each invocation is one op call into preallocated outputs (the emulator's launches
 * are synchronous; {@code synchronize()} is there for any backend that is not).
 *
 * <p>Add an op to the JMH run by adding its entry name to {@link #entry} (any name of
 * {@code jkernels bench --list} works with {@code -p entry=NAME}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xss4m"})
public class OpBenchmark {

    @Param({"relu_f32", "relu_backward_f32", "relu_bf16"})
    public String entry;

    @Param({"cpu", "emu"})
    public String backend;

    private Device device;
    private BenchCase op;

    @Setup(Level.Trial)
    public void setup() {
        device = Device.parse(backend);
        if (device.kind() == Device.Kind.EMU && !Device.emuAvailable()) {
            throw new IllegalStateException("emu unavailable: " + Device.emuUnavailableReason());
        }
        BenchEntry e = OpTable.standard().bench().stream().filter(x -> x.name().equals(entry)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no bench entry named " + entry));
        op = e.prepare(device, Scale.HOST, 1);
        BenchCase.Verdict v = op.check();
        if (!v.passed()) {
            op.close();
            throw new IllegalStateException(entry + " on " + backend + " disagrees with the cpu reference: "
                    + v.message());
        }
    }

    @Benchmark
    public void call() {
        op.run();
        device.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        op.close();
    }
}
