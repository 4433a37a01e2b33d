package io.jkernels.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jkernels.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Bad-input checks shared by the op tests: the call throws the typed exception and writes nothing. */
public final class Rejects {
    private Rejects() {
    }

    /** Runs {@code call}, expects {@code type}, and checks that no tensor in {@code watched} changed. */
    public static <T extends Throwable> T rejects(Class<T> type, List<Tensor> watched, Executable call) {
        byte[][] before = new byte[watched.size()][];
        for (int i = 0; i < before.length; i++) {
            before[i] = watched.get(i).toByteArray();
        }
        T thrown = assertThrows(type, call);
        for (int i = 0; i < before.length; i++) {
            assertArrayEquals(before[i], watched.get(i).toByteArray(), "argument " + i + " was written");
        }
        return thrown;
    }
}
