package io.jkernels.ref;

import io.jkernels.tensor.Tensor;

/**
 * Pure-Java references of the activations (OPS.md "Activations"), in float64: the ground truth
 * the kernels are checked against. The scalar functions are the formulas of OPS.md; each tensor
 * form {@code op(in..., out...)} reads cpu tensors of any strides and writes cpu tensors (each
 * result rounded once to the output's dtype). {@code tanh} selects GELU's tanh approximation
 * (approximate="tanh"); false is the exact erf form.
 *
 * <p>NaN follows OPS.md: every formula as written in IEEE arithmetic, except relu (NaN in, NaN
 * out), relu_backward and reglu's gate gradient (threshold_backward: {@code x <= 0 ? 0 : g}, so a
 * NaN x passes the gradient through) and heaviside (NaN in, NaN out; {@code value} at +-0).
 */
public final class ActivationsRef {
    private static final double SQRT_2_PI = Math.sqrt(2.0 / Math.PI);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);
    private static final double GELU_C = 0.044715;

    private ActivationsRef() {
    }

    // ---- scalar formulas -----------------------------------------------------------------------

    /** max(x, 0); NaN in, NaN out (torch.relu). */
    public static double relu(double x) {
        return Double.isNaN(x) || x > 0 ? x : 0.0;
    }

    /** threshold_backward(g, x, 0): x <= 0 ? 0 : g, so a NaN x passes g through. */
    public static double reluBackward(double g, double x) {
        return x <= 0 ? 0.0 : g;
    }

    public static double leakyRelu(double x, double slope) {
        return x > 0 ? x : slope * x;
    }

    /** Derivative at 0 from the x <= 0 side (as aten leaky_relu_backward). */
    public static double leakyReluBackward(double g, double x, double slope) {
        return x > 0 ? g : g * slope;
    }

    public static double elu(double x, double alpha) {
        return x > 0 ? x : alpha * Math.expm1(x);
    }

    /** x > 0 ? g : g alpha e^x (OPS.md: the derivative for x <= 0 is alpha e^x). */
    public static double eluBackward(double g, double x, double alpha) {
        return x > 0 ? g : g * alpha * Math.exp(x);
    }

    /** log(1 + e^(beta x)) / beta; x where beta x > threshold (torch.nn.functional.softplus). */
    public static double softplus(double x, double beta, double threshold) {
        double bx = beta * x;
        return bx > threshold ? x : (Math.max(bx, 0) + Math.log1p(Math.exp(-Math.abs(bx)))) / beta;
    }

    /** g where beta x > threshold, else g sigmoid(beta x) (aten softplus_backward). */
    public static double softplusBackward(double g, double x, double beta, double threshold) {
        double bx = beta * x;
        return bx > threshold ? g : g * sigmoid(bx);
    }

    /** 1 if x > 0, 0 if x < 0, value at +-0, NaN at NaN (as NumPy). */
    public static double heaviside(double x, double value) {
        return x > 0 ? 1.0 : x < 0 ? 0.0 : x == 0 ? value : x;
    }

    /** 1 / (1 + e^-x), evaluated without overflow of e^-x. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** g sigmoid(x) (1 - sigmoid(x)), the second factor taken as sigmoid(-x) (no cancellation). */
    public static double sigmoidBackward(double g, double x) {
        return g * (sigmoid(x) * sigmoid(-x));
    }

    public static double tanh(double x) {
        return Math.tanh(x);
    }

    /** g (1 - tanh(x)^2) = g / cosh(x)^2. */
    public static double tanhBackward(double g, double x) {
        double sech = 1.0 / Math.cosh(x);
        return g * (sech * sech);
    }

    public static double silu(double x) {
        return x * sigmoid(x);
    }

    /** g sigmoid(x) (1 + x (1 - sigmoid(x))). */
    public static double siluBackward(double g, double x) {
        return g * (sigmoid(x) * (1.0 + x * sigmoid(-x)));
    }

    /**
     * GELU: x/2 (1 + erf(x / sqrt 2)) (as x/2 erfc(-x / sqrt 2), exact in the negative tail), or
     * with {@code tanh}: x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (as x sigmoid(2u)).
     */
    public static double gelu(double x, boolean tanh) {
        if (tanh) {
            return x * sigmoid(2.0 * geluU(x));
        }
        return 0.5 * x * erfc(-x / Math.sqrt(2.0));
    }

    /** The exact derivative of {@link #gelu} times g. */
    public static double geluBackward(double g, double x, boolean tanh) {
        return g * dgelu(x, tanh);
    }

    private static double geluU(double x) {
        return SQRT_2_PI * (x + GELU_C * x * x * x);
    }

    private static double dgelu(double x, boolean tanh) {
        if (tanh) {
            double s = sigmoid(2.0 * geluU(x));
            double ds = sigmoid(2.0 * geluU(x)) * sigmoid(-2.0 * geluU(x));
            if (ds == 0) {
                return s; // also keeps x^2 = Inf from giving 0 * Inf at huge |x|
            }
            double du = SQRT_2_PI * (1.0 + 3.0 * GELU_C * x * x);
            return s + x * 2.0 * ds * du;
        }
        double pdf = INV_SQRT_2PI * Math.exp(-0.5 * x * x);
        return 0.5 * erfc(-x / Math.sqrt(2.0)) + (pdf == 0 ? 0.0 : x * pdf);
    }

    // ---- gated: out = act(gate) * up; backward: (g up act'(gate), g act(gate)) ----------------

    public static double swiglu(double gate, double up) {
        return silu(gate) * up;
    }

    public static double swigluGradGate(double g, double gate, double up) {
        return g * up * siluBackward(1.0, gate);
    }

    public static double geglu(double gate, double up, boolean tanh) {
        return gelu(gate, tanh) * up;
    }

    public static double gegluGradGate(double g, double gate, double up, boolean tanh) {
        return g * up * dgelu(gate, tanh);
    }

    public static double reglu(double gate, double up) {
        return relu(gate) * up;
    }

    /** gate <= 0 ? 0 : g up (derivative at 0 from the gate <= 0 side; a NaN gate passes g up). */
    public static double regluGradGate(double g, double gate, double up) {
        return gate <= 0 ? 0.0 : g * up;
    }

    public static double glu(double gate, double up) {
        return sigmoid(gate) * up;
    }

    public static double gluGradGate(double g, double gate, double up) {
        return g * up * (sigmoid(gate) * sigmoid(-gate));
    }

    // ---- erf/erfc in float64 (java.lang.Math has neither) ---------------------------------------

    /**
     * erfc(z) to about 1e-14 relative: for |z| <= 2 as 1 - erf(z) with the series
     * erf(z) = 2/sqrt(pi) e^-z^2 sum_n 2^n z^(2n+1) / (1 3 5 ... (2n+1)) (all terms of one sign: no
     * cancellation; erfc(2) = 0.0047, so 1 - erf loses at most 3 digits); for z > 2 the continued
     * fraction of erfc (relative accuracy to the underflow); for z < -2, 2 - erfc(-z).
     */
    public static double erfc(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        if (z > 2.0) {
            return erfcContinuedFraction(z);
        }
        if (z < -2.0) {
            return 2.0 - erfcContinuedFraction(-z);
        }
        return 1.0 - erf(z);
    }

    /** erf(z), |z| small or moderate by the series above, else 1 - erfc. */
    public static double erf(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        if (Math.abs(z) > 3.0) {
            return Math.signum(z) * (1.0 - erfcContinuedFraction(Math.abs(z)));
        }
        double term = z;
        double sum = z;
        double z2 = z * z;
        for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
            term *= 2.0 * z2 / (2 * n + 1);
            sum += term;
        }
        return 2.0 / Math.sqrt(Math.PI) * Math.exp(-z2) * sum;
    }

    /** erfc(z) for z > 2: e^-z^2 / sqrt(pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + ...)))), modified Lentz. */
    private static double erfcContinuedFraction(double z) {
        if (z > 27.3) {
            return 0.0; // below the smallest double
        }
        double tiny = 1e-300;
        double f = z;
        double c = z;
        double d = 0.0;
        for (int k = 1; k < 5000; k++) {
            double a = k / 2.0;
            d = z + a * d;
            d = d == 0 ? tiny : d;
            c = z + a / c;
            c = c == 0 ? tiny : c;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }

    // ---- tensor forms: cpu tensors, any strides, row-major flat order --------------------------

    public static void relu(Tensor input, Tensor output) {
        Elementwise.map(input, output, ActivationsRef::relu);
    }

    public static void reluBackward(Tensor gradOutput, Tensor input, Tensor gradInput) {
        Elementwise.map(gradOutput, input, gradInput, ActivationsRef::reluBackward);
    }

    public static void leakyRelu(Tensor input, double slope, Tensor output) {
        Elementwise.map(input, output, x -> leakyRelu(x, slope));
    }

    public static void leakyReluBackward(Tensor gradOutput, Tensor input, double slope, Tensor gradInput) {
        Elementwise.map(gradOutput, input, gradInput, (g, x) -> leakyReluBackward(g, x, slope));
    }

    public static void elu(Tensor input, double alpha, Tensor output) {
        Elementwise.map(input, output, x -> elu(x, alpha));
    }

    public static void eluBackward(Tensor gradOutput, Tensor input, double alpha, Tensor gradInput) {
        Elementwise.map(gradOutput, input, gradInput, (g, x) -> eluBackward(g, x, alpha));
    }

    public static void softplus(Tensor input, double beta, double threshold, Tensor output) {
        Elementwise.map(input, output, x -> softplus(x, beta, threshold));
    }

    public static void softplusBackward(Tensor gradOutput, Tensor input, double beta, double threshold,
                                        Tensor gradInput) {
        Elementwise.map(gradOutput, input, gradInput, (g, x) -> softplusBackward(g, x, beta, threshold));
    }

    public static void heaviside(Tensor input, double value, Tensor output) {
        Elementwise.map(input, output, x -> heaviside(x, value));
    }

    public static void sigmoid(Tensor input, Tensor output) {
        Elementwise.map(input, output, ActivationsRef::sigmoid);
    }

    public static void sigmoidBackward(Tensor gradOutput, Tensor input, Tensor gradInput) {
        Elementwise.map(gradOutput, input, gradInput, ActivationsRef::sigmoidBackward);
    }

    public static void tanh(Tensor input, Tensor output) {
        Elementwise.map(input, output, ActivationsRef::tanh);
    }

    public static void tanhBackward(Tensor gradOutput, Tensor input, Tensor gradInput) {
        Elementwise.map(gradOutput, input, gradInput, ActivationsRef::tanhBackward);
    }

    public static void silu(Tensor input, Tensor output) {
        Elementwise.map(input, output, ActivationsRef::silu);
    }

    public static void siluBackward(Tensor gradOutput, Tensor input, Tensor gradInput) {
        Elementwise.map(gradOutput, input, gradInput, ActivationsRef::siluBackward);
    }

    public static void gelu(Tensor input, boolean tanh, Tensor output) {
        Elementwise.map(input, output, x -> gelu(x, tanh));
    }

    public static void geluBackward(Tensor gradOutput, Tensor input, boolean tanh, Tensor gradInput) {
        Elementwise.map(gradOutput, input, gradInput, (g, x) -> geluBackward(g, x, tanh));
    }

    public static void swiglu(Tensor gate, Tensor up, Tensor output) {
        Elementwise.map(gate, up, output, ActivationsRef::swiglu);
    }

    public static void swigluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
        Elementwise.map(gradOutput, gate, up, gradGate, ActivationsRef::swigluGradGate);
        Elementwise.map(gradOutput, gate, gradUp, (g, a) -> g * silu(a));
    }

    public static void geglu(Tensor gate, Tensor up, boolean tanh, Tensor output) {
        Elementwise.map(gate, up, output, (a, u) -> geglu(a, u, tanh));
    }

    public static void gegluBackward(Tensor gradOutput, Tensor gate, Tensor up, boolean tanh, Tensor gradGate,
            Tensor gradUp) {
        Elementwise.map(gradOutput, gate, up, gradGate, (g, a, u) -> gegluGradGate(g, a, u, tanh));
        Elementwise.map(gradOutput, gate, gradUp, (g, a) -> g * gelu(a, tanh));
    }

    public static void reglu(Tensor gate, Tensor up, Tensor output) {
        Elementwise.map(gate, up, output, ActivationsRef::reglu);
    }

    public static void regluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
        Elementwise.map(gradOutput, gate, up, gradGate, ActivationsRef::regluGradGate);
        Elementwise.map(gradOutput, gate, gradUp, (g, a) -> g * relu(a));
    }

    public static void glu(Tensor gate, Tensor up, Tensor output) {
        Elementwise.map(gate, up, output, ActivationsRef::glu);
    }

    public static void gluBackward(Tensor gradOutput, Tensor gate, Tensor up, Tensor gradGate, Tensor gradUp) {
        Elementwise.map(gradOutput, gate, up, gradGate, ActivationsRef::gluGradGate);
        Elementwise.map(gradOutput, gate, gradUp, (g, a) -> g * sigmoid(a));
    }
}
