package io.jkernels.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks made before a long run, so an output path that cannot be written fails at once. */
public final class OutputFiles {
    private OutputFiles() {
    }

    /** Why {@code file} cannot be written (created or replaced), or null when it can. */
    public static String whyNotWritable(Path file) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return abs + " is a directory";
        }
        Path parent = abs.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return "directory " + parent + " does not exist";
        }
        if (Files.exists(abs) ? !Files.isWritable(abs) : !Files.isWritable(parent)) {
            return Files.exists(abs) ? abs + " is not writable" : "cannot create files in " + parent;
        }
        return null;
    }
}
