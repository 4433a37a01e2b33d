package io.jkernels.check;

import io.jkernels.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes small conformance cases for tests. */
public final class TestCases {
    private TestCases() {
    }

    /**
     * Writes {@code dir/case.json} with the given JSON text and each tensor as {@code <name>.npy}
     * (closing the tensors); returns the directory.
     */
    public static Path write(Path dir, String caseJson, Map<String, Tensor> files) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(CaseRunner.CASE_FILE), caseJson);
            for (Map.Entry<String, Tensor> e : files.entrySet()) {
                try (Tensor t = e.getValue()) {
                    Npy.write(t, dir.resolve(e.getKey() + ".npy"));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A relu case: input x, expected output y (as given, right or wrong). */
    public static Path relu(Path dir, float[] x, float[] y) {
        return write(dir, """
                {"op": "relu", "attrs": {}, "inputs": {"input": "input.npy"}, "outputs": {"output": "expected_output.npy"}}""",
                Map.of("input", Tensor.of(x), "expected_output", Tensor.of(y)));
    }
}
