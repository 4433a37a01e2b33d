package io.jkernels.tensor;

/**
 * Typed argument errors of jkernels ops: every message names the argument and gives the expected
 * and the actual value. All extend {@link IllegalArgumentException}.
 */
public class TensorException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public TensorException(String message) {
        super(message);
    }

    /** A shape, rank or size that does not fit the op. */
    public static class Shape extends TensorException {
        private static final long serialVersionUID = 1L;

        public Shape(String message) {
            super(message);
        }
    }

    /** An element type the op does not take, or two tensors whose types must agree and do not. */
    public static class DTypeMismatch extends TensorException {
        private static final long serialVersionUID = 1L;

        public DTypeMismatch(String message) {
            super(message);
        }
    }

    /** Tensors on different devices, or a device the operation cannot use. */
    public static class DeviceMismatch extends TensorException {
        private static final long serialVersionUID = 1L;

        public DeviceMismatch(String message) {
            super(message);
        }
    }

    /**
     * An attribute value outside its domain (negative learning rate, unknown mode name, a fill
     * value its dtype cannot hold...).
     */
    public static class BadAttr extends TensorException {
        private static final long serialVersionUID = 1L;

        public BadAttr(String message) {
            super(message);
        }
    }
}
