package io.jkernels.ops;

import io.jkernels.tensor.TensorException;

/**
 * GELU's {@code approximate} attr (torch.nn.functional.gelu): {@link #NONE} is the exact
 * {@code x/2 (1 + erf(x / sqrt 2))}, {@link #TANH} the tanh form
 * {@code x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. See OPS.md "Activations".
 */
public enum Approximate {
    NONE("none", 0),
    TANH("tanh", 1);

    private final String label;
    private final int code;

    Approximate(String label, int code) {
        this.label = label;
        this.code = code;
    }

    /** PyTorch's name: "none" or "tanh". */
    public String label() {
        return label;
    }

    /** The int kernel parameter (JK_GELU_NONE / JK_GELU_TANH in kernels/math/activations.h). */
    public int code() {
        return code;
    }

    /** The value of PyTorch's name; anything else is a {@link TensorException.BadAttr}. */
    public static Approximate parse(String name) {
        if (name != null) {
            for (Approximate a : values()) {
                if (a.label.equals(name)) {
                    return a;
                }
            }
        }
        throw new TensorException.BadAttr("approximate must be \"none\" or \"tanh\", got "
                + (name == null ? "null" : "\"" + name + "\""));
    }

    @Override
    public String toString() {
        return label;
    }
}
