// optimizers.h — the per-element math of one Adam / AdamW step as __host__ __device__ functions:
// one definition used by the CUDA kernels (nvcc) and the host emulator (g++). Spec: OPS.md
// "Optimizers"; PyTorch reference: torch/optim/adamw.py and adam.py, _single_tensor_adamw /
// _single_tensor_adam (1.13), with the step count `step` including this step:
//
//   g     = maximize ? -grad : grad
//   Adam:  g = g + weight_decay * param            (only when weight_decay != 0, as torch)
//   AdamW: param = param * (1 - lr * weight_decay)
//   m     = beta1 * m + (1 - beta1) * g
//   v     = beta2 * v + (1 - beta2) * g * g
//   vmax  = max(vmax, v)                            (amsgrad; NaN-propagating, torch.maximum)
//   denom = sqrt(amsgrad ? vmax : v) / sqrt(1 - beta2^step) + eps
//   param = param - (lr / (1 - beta1^step)) * (m / denom)
//
// NOTE [Adam eps after the bias correction]: torch divides sqrt(v) by sqrt(1 - beta2^step) and
// then adds eps; it does not add eps to sqrt(v) and then correct (the Adam paper's
// "v_hat = v / (1 - beta2^t); sqrt(v_hat) + eps" is the same thing written the other way, and the
// tempting fold "step_size * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)" is not: it
// scales eps by 1 / sqrt(1 - beta2^t), up to 31.6x at step 1 with beta2 = 0.999, which changes
// the update wherever sqrt(v) is near eps). We keep torch's order so results match torch.optim
// element for element.
//
// NOTE [Adam scalars on the host]: everything that depends only on the step and the hyper-
// parameters (1 - beta, lr / (1 - beta1^step), sqrt(1 - beta2^step), 1 - lr * weight_decay) is
// computed once per launch on the host in double and passed rounded to float (jk_adam_hyper), as
// torch passes Python floats to its float32 tensor ops. The kernel computes each element in
// float32; against the float64 reference the error is a few float32 roundings of each term
// (relative 1e-7 of |m|, |v|, |param| and of the update), inside OPS.md's rtol 1e-5 / atol 1e-6 for
// values of moderate size (see OptimizersEmuTest for the argument).
#pragma once
#include "common/jk_cuda.h"

// The per-launch scalars (see NOTE [Adam scalars on the host]).
struct jk_adam_hyper {
    float beta1;            // first-moment decay
    float one_minus_beta1;  // 1 - beta1 (rounded from double, as torch's alpha=1 - beta1)
    float beta2;            // second-moment decay
    float one_minus_beta2;  // 1 - beta2
    float eps;              // added after the bias correction (NOTE [Adam eps after the bias correction])
    float decay;            // AdamW: the param factor 1 - lr * weight_decay; Adam: weight_decay (L2 on g)
    float grad_sign;        // -1 for maximize, else +1 (negation is exact)
    float step_size;        // lr / (1 - beta1^step)
    float bc2_sqrt;         // sqrt(1 - beta2^step)
};

// max(a, b) that returns NaN when either is NaN (torch.maximum; fmaxf would drop the NaN).
__host__ __device__ __forceinline__ float jk_adam_max_nan(float a, float b) {
    return (a != a || b != b) ? a + b : (a > b ? a : b);
}

// One element: updates p, m, v (and vmax when AMSGRAD) from grad. DECOUPLED selects AdamW (the
// decay multiplies param) over Adam (the decay adds weight_decay * param to the gradient).
template <bool DECOUPLED, bool AMSGRAD>
__host__ __device__ __forceinline__ void jk_adam_element(float& p, float grad, float& m, float& v, float& vmax,
                                                         const jk_adam_hyper& h) {
    float g = h.grad_sign * grad;
    if (DECOUPLED) {
        p = p * h.decay;
    } else if (h.decay != 0.0f) {  // torch skips the add when weight_decay == 0 (no 0 * Inf = NaN)
        g = g + h.decay * p;
    }
    m = h.beta1 * m + h.one_minus_beta1 * g;
    v = h.beta2 * v + h.one_minus_beta2 * (g * g);
    float s = v;
    if (AMSGRAD) {
        vmax = jk_adam_max_nan(vmax, v);
        s = vmax;
    }
    const float denom = sqrtf(s) / h.bc2_sqrt + h.eps;
    p = p - h.step_size * (m / denom);
}
