package io.jkernels.backend;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The kernel names in the bundled kernels.fatbin, from the kernels.txt list native/Makefile
 * writes beside it (one name per line).
 */
public final class BundledKernels {
    public static final String LIST = "/io/jkernels/native/kernels.txt";

    private BundledKernels() {
    }

    /** The names, sorted; empty when the jar holds no list. */
    public static List<String> names() {
        try (InputStream in = BundledKernels.class.getResourceAsStream(LIST)) {
            if (in == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    out.add(line.trim());
                }
            }
            Collections.sort(out);
            return List.copyOf(out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + LIST + ": " + e, e);
        }
    }
}
