// activations.h — the math of every activation, forward and backward, as __host__ __device__
// functions: one definition used by the CUDA kernels (nvcc) and the host emulator (g++).
// Computed in float; the caller rounds once on store (bf16/f16). Spec: OPS.md "Activations";
// PyTorch references: torch.nn.functional.{relu, leaky_relu, elu, sigmoid, tanh, gelu, silu, glu},
// torch.heaviside, aten threshold_backward / *_backward.
//
// NOTE [Accurate activation math]: the tolerance is rtol = atol = 1e-5 against float64 for every
// input, so the formulas avoid cancellation and overflow instead of using the textbook form:
//   - sigmoid(x) is 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0: no e^-x overflow
//     for x < -88 (no NaN, and the result keeps its relative accuracy down to the denormals);
//     sigmoid(x) and sigmoid(-x) = 1 - sigmoid(x) come from the same exponential, without the
//     cancellation of 1 - s.
//   - sigmoid'(x) = e^-|x| / (1 + e^-|x|)^2 and tanh'(x) = 4 e^-2|x| / (1 + e^-2|x|)^2, not
//     s (1 - s) / 1 - t^2, which cancel to 0 long before the true value does.
//   - gelu "none" is x/2 erfc(-x/sqrt 2) (equal to x/2 (1 + erf(x/sqrt 2))): erfc keeps the
//     negative tail (x < -5, where 1 + erf loses every digit) accurate to the underflow.
//   - gelu "tanh" uses 1 + tanh(u) = 2 sigmoid(2u): x sigmoid(2u) has no cancellation in the
//     negative tail and no NaN for large |u| (u = +-Inf once x^3 overflows gives 1 or 0).
//   - expf/erfcf/tanhf are the accurate library functions (<= 4 ulp on the GPU), not __expf.
#pragma once
#include "common/jk_cuda.h"

// gelu's `approximate`, as the int kernel parameter (io.jkernels.ops.Approximate#code).
#define JK_GELU_NONE 0
#define JK_GELU_TANH 1

// ---- relu family (exact up to one rounding) ------------------------------------------------

// relu(x) = max(x, 0), NaN in -> NaN out (a plain `x > 0 ? x : 0` would turn NaN into 0).
__host__ __device__ __forceinline__ float jk_relu(float x) {
    return (x > 0.0f || x != x) ? x : 0.0f;
}

// relu_backward = threshold_backward(grad, x, 0): x <= 0 ? 0 : grad (NaN x passes grad through).
__host__ __device__ __forceinline__ float jk_relu_bwd(float g, float x) {
    return (x <= 0.0f) ? 0.0f : g;
}

// leaky_relu(x) = x > 0 ? x : slope * x (NaN propagates through the product).
__host__ __device__ __forceinline__ float jk_leaky_relu(float x, float slope) {
    return x > 0.0f ? x : slope * x;
}

// leaky_relu_backward: x > 0 ? g : g * slope (derivative at 0 from the x <= 0 side, as aten).
__host__ __device__ __forceinline__ float jk_leaky_relu_bwd(float g, float x, float slope) {
    return x > 0.0f ? g : g * slope;
}

// heaviside(x, value) = 1 (x > 0), 0 (x < 0), value (x = +-0), NaN (x NaN, as NumPy).
__host__ __device__ __forceinline__ float jk_heaviside(float x, float value) {
    return x > 0.0f ? 1.0f : x < 0.0f ? 0.0f : x == 0.0f ? value : x;
}

// ---- elu ----------------------------------------------------------------------------------

// elu(x) = x > 0 ? x : alpha (e^x - 1); expm1f keeps small negative x accurate.
__host__ __device__ __forceinline__ float jk_elu(float x, float alpha) {
    return x > 0.0f ? x : alpha * expm1f(x);
}

// elu_backward: x > 0 ? g : g alpha e^x (as written: a NaN x gives NaN).
__host__ __device__ __forceinline__ float jk_elu_bwd(float g, float x, float alpha) {
    return x > 0.0f ? g : g * (alpha * expf(x));
}

// ---- sigmoid, tanh, silu (see NOTE [Accurate activation math]) ------------------------------

// sigmoid(x) in *s and sigmoid(-x) = 1 - sigmoid(x) in *sn, from one exponential.
__host__ __device__ __forceinline__ void jk_sigmoid2(float x, float* s, float* sn) {
    const float e = expf(-fabsf(x));  // in (0, 1]; NaN for NaN
    const float r = 1.0f / (1.0f + e);
    const float small = e * r;        // sigmoid(-|x|)
    if (x >= 0.0f) {
        *s = r;
        *sn = small;
    } else {                          // x < 0 or NaN (NaN: both are NaN anyway)
        *s = small;
        *sn = r;
    }
}

__host__ __device__ __forceinline__ float jk_sigmoid(float x) {
    float s, sn;
    jk_sigmoid2(x, &s, &sn);
    return s;
}

// sigmoid'(x) = sigmoid(x) sigmoid(-x) = e^-|x| / (1 + e^-|x|)^2.
__host__ __device__ __forceinline__ float jk_dsigmoid(float x) {
    const float e = expf(-fabsf(x));
    const float d = 1.0f + e;
    return e / (d * d);
}

__host__ __device__ __forceinline__ float jk_sigmoid_bwd(float g, float x) {
    return g * jk_dsigmoid(x);
}

__host__ __device__ __forceinline__ float jk_tanh(float x) {
    return tanhf(x);
}

// tanh'(x) = 1 - tanh(x)^2 = 4 e^-2|x| / (1 + e^-2|x|)^2.
__host__ __device__ __forceinline__ float jk_tanh_bwd(float g, float x) {
    const float e = expf(-2.0f * fabsf(x));
    const float d = 1.0f + e;
    return g * (4.0f * e / (d * d));
}

// silu(x) = x sigmoid(x).
__host__ __device__ __forceinline__ float jk_silu(float x) {
    return x * jk_sigmoid(x);
}

// silu'(x) = sigmoid(x) (1 + x sigmoid(-x)).
__host__ __device__ __forceinline__ float jk_dsilu(float x) {
    float s, sn;
    jk_sigmoid2(x, &s, &sn);
    return s * (1.0f + x * sn);
}

__host__ __device__ __forceinline__ float jk_silu_bwd(float g, float x) {
    return g * jk_dsilu(x);
}

// ---- gelu (see NOTE [Accurate activation math]) ----------------------------------------------

#define JK_SQRT1_2 0.70710678118654752440f      // 1 / sqrt(2)
#define JK_INV_SQRT_2PI 0.39894228040143267794f // 1 / sqrt(2 pi)
#define JK_SQRT_2_PI 0.79788456080286535588f    // sqrt(2 / pi)
#define JK_GELU_C 0.044715f

// gelu "none": x Phi(x) = x/2 erfc(-x / sqrt 2).
__host__ __device__ __forceinline__ float jk_gelu_erf(float x) {
    return 0.5f * x * erfcf(-x * JK_SQRT1_2);
}

// d/dx x Phi(x) = Phi(x) + x phi(x).
__host__ __device__ __forceinline__ float jk_dgelu_erf(float x) {
    const float cdf = 0.5f * erfcf(-x * JK_SQRT1_2);
    const float pdf = JK_INV_SQRT_2PI * expf(-0.5f * x * x);
    return cdf + x * pdf;
}

// gelu "tanh": x/2 (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
__host__ __device__ __forceinline__ float jk_gelu_tanh(float x) {
    const float u = JK_SQRT_2_PI * (x + JK_GELU_C * x * x * x);
    return x * jk_sigmoid(2.0f * u);
}

// d/dx x sigmoid(2u) = sigmoid(2u) + x 2 sigmoid'(2u) u', u' = sqrt(2/pi) (1 + 3 0.044715 x^2).
// sigmoid'(2u) is exactly 0 for |x| > 12, so u' is evaluated at min(|x|, 64): finite for every
// finite x (x^2 overflows above 1.8e19, and 0 * Inf would be NaN); x = NaN still gives NaN
// through sigmoid(2u).
__host__ __device__ __forceinline__ float jk_dgelu_tanh(float x) {
    const float u = JK_SQRT_2_PI * (x + JK_GELU_C * x * x * x);
    const float xc = fminf(fabsf(x), 64.0f);
    const float du = JK_SQRT_2_PI * (1.0f + 3.0f * JK_GELU_C * xc * xc);
    return jk_sigmoid(2.0f * u) + (x * jk_dsigmoid(2.0f * u)) * (2.0f * du);
}

__host__ __device__ __forceinline__ float jk_gelu(float x, int approximate) {
    return approximate == JK_GELU_TANH ? jk_gelu_tanh(x) : jk_gelu_erf(x);
}

__host__ __device__ __forceinline__ float jk_dgelu(float x, int approximate) {
    return approximate == JK_GELU_TANH ? jk_dgelu_tanh(x) : jk_dgelu_erf(x);
}

__host__ __device__ __forceinline__ float jk_gelu_bwd(float g, float x, int approximate) {
    return g * jk_dgelu(x, approximate);
}

// ---- gated family: out = act(gate) * up ------------------------------------------------------
// Backward, from the same reads: grad_gate = grad_out * up * act'(gate), grad_up = grad_out * act(gate).

__host__ __device__ __forceinline__ float jk_swiglu(float gate, float up) {
    return jk_silu(gate) * up;
}

__host__ __device__ __forceinline__ void jk_swiglu_bwd(float go, float gate, float up, float* dgate, float* dup) {
    float s, sn;
    jk_sigmoid2(gate, &s, &sn);
    *dgate = go * up * (s * (1.0f + gate * sn));
    *dup = go * (gate * s);
}

__host__ __device__ __forceinline__ float jk_geglu(float gate, float up, int approximate) {
    return jk_gelu(gate, approximate) * up;
}

__host__ __device__ __forceinline__ void jk_geglu_bwd(float go, float gate, float up, int approximate, float* dgate,
                                                      float* dup) {
    *dgate = go * up * jk_dgelu(gate, approximate);
    *dup = go * jk_gelu(gate, approximate);
}

// reglu: relu(gate) * up; its gate derivative at 0 comes from the gate <= 0 side (0), and a NaN
// gate passes grad_out * up through (threshold_backward, as relu_backward).
__host__ __device__ __forceinline__ float jk_reglu(float gate, float up) {
    return jk_relu(gate) * up;
}

__host__ __device__ __forceinline__ void jk_reglu_bwd(float go, float gate, float up, float* dgate, float* dup) {
    *dgate = gate <= 0.0f ? 0.0f : go * up;
    *dup = go * jk_relu(gate);
}

// glu: sigmoid(gate) * up (torch's F.glu(x) with gate = the second half of x).
__host__ __device__ __forceinline__ float jk_glu(float gate, float up) {
    return jk_sigmoid(gate) * up;
}

__host__ __device__ __forceinline__ void jk_glu_bwd(float go, float gate, float up, float* dgate, float* dup) {
    float s, sn;
    jk_sigmoid2(gate, &s, &sn);
    *dgate = go * up * (s * sn);
    *dup = go * s;
}

// ---- softplus --------------------------------------------------------------------------

// softplus(x) = log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (PyTorch's
// linear region). Written max(bx, 0) + log1p(e^-|bx|): no overflow of e^(bx) whatever the
// threshold, no cancellation for bx << 0. NaN propagates through the log1p term.
__host__ __device__ __forceinline__ float jk_softplus(float x, float beta, float threshold) {
    const float bx = beta * x;
    return bx > threshold ? x : (fmaxf(bx, 0.0f) + log1pf(expf(-fabsf(bx)))) / beta;
}

// softplus_backward = aten softplus_backward: g where beta x > threshold, else g sigmoid(beta x).
__host__ __device__ __forceinline__ float jk_softplus_bwd(float g, float x, float beta, float threshold) {
    const float bx = beta * x;
    return bx > threshold ? g : g * jk_sigmoid(bx);
}

// ---- the op lists: one line per activation -----------------------------------------------
// kernels/activations.cu makes every kernel of an op from its line: <op>_fwd_<dtype> and
// <op>_bwd_<dtype> (gated ones also <op>_packed_fwd/_bwd_<dtype>) for f32, bf16 and f16.
// ATTR is the kernel parameters after the element count, in the order the Java call passes them
// (io.jkernels.ops.Activations): NOATTR, FATTR (float p), IATTR (int ip), FFATTR (float p, q).
// In the expressions: x the input, g the incoming gradient; gate, up, go, dg, du for gated ones.

// X(op, ATTR, forward of x, backward of (g, x))
#define JK_UNARY_ACTIVATIONS(X)                                                                    \
    X(relu, NOATTR, jk_relu(x), jk_relu_bwd(g, x))                                                 \
    X(leaky_relu, FATTR, jk_leaky_relu(x, p), jk_leaky_relu_bwd(g, x, p))                          \
    X(elu, FATTR, jk_elu(x, p), jk_elu_bwd(g, x, p))                                               \
    X(sigmoid, NOATTR, jk_sigmoid(x), jk_sigmoid_bwd(g, x))                                        \
    X(tanh, NOATTR, jk_tanh(x), jk_tanh_bwd(g, x))                                                 \
    X(gelu, IATTR, jk_gelu(x, ip), jk_gelu_bwd(g, x, ip))                                          \
    X(silu, NOATTR, jk_silu(x), jk_silu_bwd(g, x))                                                 \
    X(softplus, FFATTR, jk_softplus(x, p, q), jk_softplus_bwd(g, x, p, q))

// X(op, ATTR, forward of x): ops without a backward kernel.
#define JK_FORWARD_ACTIVATIONS(X)                                                                  \
    X(heaviside, FATTR, jk_heaviside(x, p))

// X(op, ATTR, forward of (gate, up), backward of (go, gate, up) into *dg, *du)
#define JK_GATED_ACTIVATIONS(X)                                                                    \
    X(swiglu, NOATTR, jk_swiglu(gate, up), jk_swiglu_bwd(go, gate, up, dg, du))                    \
    X(geglu, IATTR, jk_geglu(gate, up, ip), jk_geglu_bwd(go, gate, up, ip, dg, du))                \
    X(reglu, NOATTR, jk_reglu(gate, up), jk_reglu_bwd(go, gate, up, dg, du))                       \
    X(glu, NOATTR, jk_glu(gate, up), jk_glu_bwd(go, gate, up, dg, du))
