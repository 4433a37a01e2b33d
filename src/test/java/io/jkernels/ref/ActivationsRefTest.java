package io.jkernels.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The float64 references: known values, OPS.md's NaN/zero rules, and backward = d(forward)/dx. */
class ActivationsRefTest {

    @Test
    void erfAndErfcMatchTabulatedValues() {
        // values from Abramowitz & Stegun / mpmath, to 1e-13 relative (the series and the continued
        // fraction are good to ~1e-15; 1e-13 leaves room for the exp(-z^2) factor)
        double[][] erfc = {{0.0, 1.0}, {0.5, 0.4795001221869535}, {1.0, 0.15729920705028513},
            {2.0, 0.004677734981047266}, {3.0, 2.209049699858544e-05}, {3.5, 7.430983723414128e-07},
            {5.0, 1.5374597944280349e-12}, {10.0, 2.088487583762545e-45}, {-1.0, 1.8427007929497148},
            {-4.0, 1.9999999845827421}};
        for (double[] c : erfc) {
            assertEquals(c[1], ActivationsRef.erfc(c[0]), 1e-13 * c[1], "erfc(" + c[0] + ")");
        }
        assertEquals(0.8427007929497149, ActivationsRef.erf(1.0), 1e-15);
        assertEquals(-0.9953222650189527, ActivationsRef.erf(-2.0), 1e-15);
        assertEquals(0.0, ActivationsRef.erfc(30.0));
        assertTrue(Double.isNaN(ActivationsRef.erfc(Double.NaN)));
    }

    @Test
    void knownValues() {
        assertEquals(0.8413447460685429, ActivationsRef.gelu(1.0, false), 1e-15);
        assertEquals(-0.15865525393145707, ActivationsRef.gelu(-1.0, false), 1e-15);
        // GELU's negative tail: x Phi(x) at x = -10 is -7.6e-23, which 1 + erf would lose entirely
        assertEquals(-10 * 7.619853024160527e-24, ActivationsRef.gelu(-10.0, false), 1e-36);
        assertEquals(0.8411919906082768, ActivationsRef.gelu(1.0, true), 1e-15);
        assertEquals(1.0 / (1.0 + Math.exp(-2.0)), ActivationsRef.sigmoid(2.0), 1e-16);
        assertEquals(Math.exp(-100.0), ActivationsRef.sigmoid(-100.0), 1e-16 * Math.exp(-100.0));
        assertEquals(0.0, ActivationsRef.sigmoid(-1000.0));
        assertEquals(1.0, ActivationsRef.sigmoid(1000.0));
        assertEquals(-0.6321205588285577, ActivationsRef.elu(-1.0, 1.0), 1e-15);
    }

    @Test
    void nanAndZeroRules() {
        double nan = Double.NaN;
        assertTrue(Double.isNaN(ActivationsRef.relu(nan)), "relu(NaN) is NaN");
        assertEquals(2.5, ActivationsRef.reluBackward(2.5, nan), "relu_backward passes grad at a NaN x");
        assertEquals(0.0, ActivationsRef.reluBackward(2.5, 0.0), "relu'(0) from the x <= 0 side");
        assertEquals(0.25, ActivationsRef.leakyReluBackward(2.5, 0.0, 0.1), 1e-17, "leaky_relu'(0) = slope");
        assertEquals(0.0, ActivationsRef.regluGradGate(2.0, 0.0, 3.0), "reglu gate gradient at 0");
        assertEquals(6.0, ActivationsRef.regluGradGate(2.0, nan, 3.0), "reglu: a NaN gate passes g up");
        assertEquals(0.5 * 2.0, ActivationsRef.eluBackward(2.0, 0.0, 0.5), "elu'(0) = alpha e^0");
        assertTrue(Double.isNaN(ActivationsRef.heaviside(nan, 0.5)), "heaviside(NaN) is NaN");
        assertEquals(0.5, ActivationsRef.heaviside(-0.0, 0.5), "heaviside(-0) = value");
        assertEquals(0.5, ActivationsRef.heaviside(0.0, 0.5));
        assertEquals(1.0, ActivationsRef.heaviside(1e-45, 0.5));
        assertEquals(0.0, ActivationsRef.heaviside(-1e-45, 0.5));
        for (DoubleUnaryOperator f : new DoubleUnaryOperator[] {ActivationsRef::sigmoid, ActivationsRef::tanh,
            ActivationsRef::silu, x -> ActivationsRef.gelu(x, false), x -> ActivationsRef.gelu(x, true),
            x -> ActivationsRef.elu(x, 1.0), x -> ActivationsRef.leakyRelu(x, 0.01)}) {
            assertTrue(Double.isNaN(f.applyAsDouble(nan)), "NaN in, NaN out");
        }
    }

    /**
     * Every backward (grad_output 1) against the central difference of its forward: h = 1e-5 gives
     * a truncation error ~ h^2 f''' / 6 < 1e-9 and a rounding error ~ 1e-16 / h = 1e-11 at these
     * points (away from the kinks at 0), hence 1e-8.
     */
    @Test
    void backwardIsTheDerivativeOfForward() {
        record D(String name, DoubleUnaryOperator f, DoubleBinaryOperator df) {
        }
        D[] ds = {
            new D("relu", ActivationsRef::relu, ActivationsRef::reluBackward),
            new D("leaky_relu", x -> ActivationsRef.leakyRelu(x, 0.2), (g, x) -> ActivationsRef.leakyReluBackward(g, x, 0.2)),
            new D("elu", x -> ActivationsRef.elu(x, 0.5), (g, x) -> ActivationsRef.eluBackward(g, x, 0.5)),
            new D("sigmoid", ActivationsRef::sigmoid, ActivationsRef::sigmoidBackward),
            new D("tanh", ActivationsRef::tanh, ActivationsRef::tanhBackward),
            new D("silu", ActivationsRef::silu, ActivationsRef::siluBackward),
            new D("gelu", x -> ActivationsRef.gelu(x, false), (g, x) -> ActivationsRef.geluBackward(g, x, false)),
            new D("gelu(tanh)", x -> ActivationsRef.gelu(x, true), (g, x) -> ActivationsRef.geluBackward(g, x, true)),
            // gated, as functions of the gate at up = 1.7 (grad_gate) and of up (grad_up = act(gate))
            new D("swiglu", x -> ActivationsRef.swiglu(x, 1.7), (g, x) -> ActivationsRef.swigluGradGate(g, x, 1.7)),
            new D("geglu", x -> ActivationsRef.geglu(x, 1.7, false),
                    (g, x) -> ActivationsRef.gegluGradGate(g, x, 1.7, false)),
            new D("geglu(tanh)", x -> ActivationsRef.geglu(x, 1.7, true),
                    (g, x) -> ActivationsRef.gegluGradGate(g, x, 1.7, true)),
            new D("reglu", x -> ActivationsRef.reglu(x, 1.7), (g, x) -> ActivationsRef.regluGradGate(g, x, 1.7)),
            new D("glu", x -> ActivationsRef.glu(x, 1.7), (g, x) -> ActivationsRef.gluGradGate(g, x, 1.7)),
        };
        double[] xs = {-9.0, -6.0, -3.3, -1.2785, -0.7, -0.1, 0.05, 0.4, 1.0, 2.2, 4.5, 8.0};
        double h = 1e-5;
        for (D d : ds) {
            for (double x : xs) {
                double fd = (d.f().applyAsDouble(x + h) - d.f().applyAsDouble(x - h)) / (2 * h);
                assertEquals(fd, d.df().applyAsDouble(1.0, x), 1e-8 * Math.max(1, Math.abs(fd)), d.name() + "' at " + x);
                assertEquals(3.0 * fd, d.df().applyAsDouble(3.0, x), 3e-8 * Math.max(1, Math.abs(fd)),
                        d.name() + "' times grad_output at " + x);
            }
        }
    }

    @Test
    void backwardStaysFiniteForHugeInputs() {
        for (double x : new double[] {1e20, -1e20, 1e300, -1e300}) {
            assertTrue(Double.isFinite(ActivationsRef.geluBackward(1.0, x, true)), "gelu(tanh)' at " + x);
            assertTrue(Double.isFinite(ActivationsRef.geluBackward(1.0, x, false)), "gelu' at " + x);
            assertTrue(Double.isFinite(ActivationsRef.siluBackward(1.0, x)), "silu' at " + x);
            assertTrue(Double.isFinite(ActivationsRef.gelu(x, true)), "gelu(tanh) at " + x);
        }
    }
}
