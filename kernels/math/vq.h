// vq.h — the math of the vector-quantisation ops (OPS.md "Vector quantisation (VQ-VAE)") as
// __host__ __device__ functions shared by nvcc and the host emulator: the argmin order (ties and
// NaN as torch.argmin), the float32 error bound that certifies a float32 argmin, and the EMA
// codebook formulas. Kernels: kernels/vq.cu (vq_nearest), kernels/vq_ema.cu (vq_ema_update); reference: io.jkernels.ref.VqRef.
//
// NOTE [Certified float32 argmin]: vq_nearest must return the float64 argmin of
// ||x - c_k||^2 (ties: lowest k; a code within 1e-6 relative of the best is accepted). The fast
// kernel ranks codes by the float32 key
//     key_k = ||c'_k||^2 - 2 x'.c'_k        (x' = fl(x - c_0), c'_k = fl(c_k - c_0))
// which differs from d_k - ||x'||^2 (d_k the exact distance; ||x'||^2 is the same for every k)
// by at most
//     E = 2 (D + 8) u / (1 - (D + 8) u) * (||x'|| + max_k ||c'_k||)^2 + (2 D + 8) 2^-149,
// u = 2^-24: the FMA chains of the dot product and of ||c'||^2 are within gamma_D of their exact
// values (any summation order, separate mul + add included), the key's own rounding adds u, the
// centring roundings fl(x - c_0), fl(c - c_0) move d_k by at most 2 u (||x'|| + ||c'||)^2, the
// underflow of each of the <= 2 D + 2 roundings adds at most 2^-150, and the factor 2 is margin.
// Centring on code 0 costs nothing (the distance is translation invariant) and keeps the bound
// small for data far from the origin (|x| ~ 1e3 with distances ~ 1e-2 would otherwise round
// every key to noise). When the best key b1 and the smallest other key b2 satisfy
// b2 - b1 > 2 E, the float32 winner is the unique float64 winner; otherwise (a near tie, an exact
// tie, a NaN or Inf anywhere, a magnitude near float32 overflow) the row is re-decided in float64
// from scratch by the exact kernel. Only near-ties pay the float64 cost.
#pragma once
#include "common/jk_cuda.h"

// ---- argmin order (torch.argmin: the first NaN wins; else the smallest value, lowest index) ----

// Whether (a, ka) comes before (b, kb) in the argmin order.
__host__ __device__ __forceinline__ bool jk_vq_before(double a, int64_t ka, double b, int64_t kb) {
    const bool na = a != a, nb = b != b;
    if (na || nb) return na && (!nb || ka < kb);
    return a < b || (a == b && ka < kb);
}

// Squared distance of two float32 rows in float64 (each difference and square exact to double
// rounding; the sum in index order).
__host__ __device__ __forceinline__ double jk_vq_dist64(const float* x, const float* c, int64_t d) {
    double s = 0.0;
    for (int64_t i = 0; i < d; i++) {
        const double t = (double)x[i] - (double)c[i];
        s += t * t;
    }
    return s;
}

// ---- the float32 certificate (NOTE [Certified float32 argmin]) -------------------------------

// E for a row: xn = ||x'||^2 (float64), cmax = max_k fl(||c'_k||^2) (float32 keys' norms).
// Returns +Inf (never certified) when a magnitude could have overflowed float32 or any input is
// NaN/Inf.
__host__ __device__ __forceinline__ double jk_vq_bound(double xn, double cmax, int64_t d) {
    const double u = 5.9604644775390625e-08;  // 2^-24
    const double g = (double)(d + 8) * u;
    if (!(g < 0.5)) return INFINITY;  // D > 2^22: no certificate, every row in float64
    const double s = sqrt(xn) + sqrt(cmax / (1.0 - g));
    const double m = s * s;
    if (!(m <= 1.329227995784916e+36)) return INFINITY;  // 2^120 (also catches NaN)
    return 2.0 * g / (1.0 - g) * m + (double)(2 * d + 8) * 1.401298464324817e-45;
}

// ---- EMA codebook (vq_ema_update), in float64 --------------------------------------------------

// NOTE [EMA with explicit fma]: vq_ema_update is deterministic, so the GPU and the emulator must
// compute the same bits. nvcc contracts a * b + c into one fma wherever it may, g++ -O2 on x86-64
// (no -mfma) never does; so each multiply-add below is written as fma(a, b, c) (one rounding on both
// compilers: g++ calls libm's correctly rounded fma) and nvcc has nothing left to contract.
// native/check/fma_check.sh (make fma-check) checks it for the kernels of kernels/vq_ema.cu.

// cluster_size' = decay * cluster_size + (1 - decay) * count (likewise embed_sum with the sum):
// fma(decay, old, (1 - decay) * fresh).
__host__ __device__ __forceinline__ double jk_vq_ema(double old, double fresh, double decay) {
    return fma(decay, old, (1.0 - decay) * fresh);
}

// smoothed = (cluster_size' + eps) / (total + K eps) * total  (Laplace smoothing; total + K eps
// is one fma).
__host__ __device__ __forceinline__ double jk_vq_smoothed(double cs, double total, double k, double eps) {
    return (cs + eps) / fma(k, eps, total) * total;
}
