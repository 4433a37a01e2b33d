package io.jkernels.check;

import java.io.IOException;

/**
 * A {@code .npy} file {@link Npy} cannot read or a tensor it cannot write: bad magic, a malformed
 * header, Fortran order, big-endian or unknown element type, truncated or trailing data, or (when
 * writing) a dtype NumPy has no type for. An {@link IOException}: it is a problem with a file's
 * contents, reported where files are read.
 */
public class NpyException extends IOException {
    private static final long serialVersionUID = 1L;

    public NpyException(String message) {
        super(message);
    }
}
