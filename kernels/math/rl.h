// rl.h — the math of the reinforcement-learning ops (OPS.md "Reinforcement learning") as
// __host__ __device__ functions, one definition for nvcc and the host emulator (g++).
//
// NOTE [RL accumulate in double]: every TD error, every running sum and every trajectory carry is
// a double. A trajectory column is a linear recurrence over up to 2^20 steps: in float32 a sum of
// 2^20 rewards (gamma = lmbda = 1) drifts by ~sqrt(T) * 2^-24 * |A| per step, far outside OPS.md's
// rtol = atol = 1e-5 against float64; in double the only errors are the final float rounding.
// FP64 costs nothing here (a few flops per element of a memory-bound op; H100/H200 run FP64 at
// half the FP32 rate).
//
// NOTE [Explicit fma]: nvcc contracts a * b + c into one fma (one rounding) wherever it may; g++
// -O2 on x86-64 (no -mfma) never does (two roundings), so the same source gives different bits on
// the GPU and in the emulator. Every multiply-add of the deterministic RL ops (the tabular and
// linear TD updates and the DQN target of kernels/rl.cu) is therefore written as fma(a, b, c): one
// rounding on both compilers (g++ calls libm's correctly rounded fma), nothing left for nvcc to
// contract. native/check/fma_check.sh (make fma-check) fails the build when nvcc still fuses
// anything in those kernels (their PTX and machine code must be the same with --fmad=false). Not
// yet covered: the trajectory maps below (kernels/rl_returns.cu), where nvcc still contracts.
#pragma once
#include "common/jk_cuda.h"

// ---- maxima over actions ---------------------------------------------------------------------
// torch.max / torch.argmax over a row of A >= 1 values: the first NaN wins (max is NaN, argmax its
// index), else the first maximal element.
__host__ __device__ __forceinline__ int64_t jk_rl_argmax(const float* row, int64_t A) {
    float best = row[0];
    int64_t arg = 0;
    for (int64_t a = 1; a < A && best == best; a++) {
        const float v = row[a];
        if (v != v || v > best) {
            best = v;
            arg = a;
        }
    }
    return arg;
}

// sum_a pi(a) Q[a] with pi epsilon-greedy: epsilon / A everywhere plus (1 - epsilon) on the first
// argmax, evaluated as written (so 0 * Inf and NaN propagate as torch's (pi * q).sum() does), each
// term added with one rounding (NOTE [Explicit fma]).
__host__ __device__ __forceinline__ double jk_rl_expected_q(const float* row, int64_t A, double eps) {
    const int64_t g = jk_rl_argmax(row, A);
    const double base = eps / (double)A;
    double s = 0.0;
    for (int64_t a = 0; a < A; a++) {
        const double p = a == g ? base + (1.0 - eps) : base;
        s = fma(p, (double)row[a], s);
    }
    return s;
}

// r + gamma * (done ? 0 : next) - cur: a done transition does not read its next value (a select,
// so NaN/Inf there does not reach the result). r + gamma * next is one fma (NOTE [Explicit fma]);
// for a done transition it is r exactly, as before.
__host__ __device__ __forceinline__ double jk_rl_td_error(double r, double gamma, bool done, double next, double cur) {
    return fma(gamma, done ? 0.0 : next, r) - cur;
}

// ---- order-independent segment sums ------------------------------------------------------------
// NOTE [Deterministic collisions]: transitions that hit one table entry are summed exactly, so the
// result does not depend on the order in which threads arrive. Per entry e, pass 1 records with
// integer atomics (which commute): the count n_e, the largest binary exponent E_e of the finite
// non-zero values (|v| < 2^E_e), and flags for NaN / +Inf / -Inf. Pass 2 rounds each finite value
// to the fixed-point grid 2^(E_e + h_e - 62), h_e = ceil(log2 n_e), and adds the integer with a
// 64-bit integer atomicAdd: |q| <= 2^(62 - h_e), so the sum of n_e of them fits in int64 and is
// exact. Pass 3 turns the integer back into a double. The only rounding is that of each value to
// 62 - h_e bits below the entry's largest magnitude (relative 2^-41 for 2^20 values on one entry,
// far below the 1e-5 tolerance), and it is the same on every run. Specials follow IEEE addition:
// any NaN, or +Inf together with -Inf, gives NaN; otherwise an Inf gives that Inf.
#define JK_RL_NAN 1
#define JK_RL_PINF 2
#define JK_RL_NINF 4
#define JK_RL_EXP_BIAS 2048  // stored exponent: E + bias > 0, so 0 means "no finite non-zero value"

__host__ __device__ __forceinline__ int jk_rl_special_flags(double v) {
    if (v != v) return JK_RL_NAN;
    if (v == (double)INFINITY) return JK_RL_PINF;
    if (v == -(double)INFINITY) return JK_RL_NINF;
    return 0;
}

// ceil(log2(n)) for n >= 1.
__host__ __device__ __forceinline__ int jk_rl_ceil_log2(unsigned n) {
    int h = 0;
    while (h < 32 && (1ull << h) < (unsigned long long)n) h++;
    return h;
}

// The fixed-point integer of a finite value on its entry's grid (biased exponent eb > 0, count n).
__host__ __device__ __forceinline__ long long jk_rl_quantize(double v, int eb, unsigned n) {
    const int e = eb - JK_RL_EXP_BIAS;
    return llrint(ldexp(v, 62 - jk_rl_ceil_log2(n) - e));
}

// The sum of an entry: its specials, else the exact integer sum back on the entry's grid.
__host__ __device__ __forceinline__ double jk_rl_segment_sum(long long acc, int eb, unsigned n, int flags) {
    if ((flags & JK_RL_NAN) || (flags & (JK_RL_PINF | JK_RL_NINF)) == (JK_RL_PINF | JK_RL_NINF)) return (double)NAN;
    if (flags & JK_RL_PINF) return (double)INFINITY;
    if (flags & JK_RL_NINF) return -(double)INFINITY;
    if (eb == 0) return 0.0;
    return ldexp((double)acc, eb - JK_RL_EXP_BIAS + jk_rl_ceil_log2(n) - 62);
}

// ---- trajectories: affine maps ----------------------------------------------------------------
// NOTE [Trajectory recurrences]: each trajectory op is, per column, y[t] = x[t] + c[t] * y[t+1]
// with c[t] = cut[t] ? (select: y[t+1] not read) : c, c a constant (gamma or gamma * lmbda). A span
// of steps composes to one affine map y_start = a + b * y_end, with b < 0 standing for "the span
// contains a cut" (y_end is not read). Composition is associative, so spans are combined in any
// tree shape; the trees here are fixed, so the bits are the same on every run. The product b of
// many c < 1 may underflow to 0 where the true product is positive: jk_rl_mul then keeps an
// infinite y infinite, as the step-by-step recurrence would (c * Inf = Inf for c > 0).
struct jk_rl_map {
    double a;
    double b;  // < 0: cut
};

__host__ __device__ __forceinline__ jk_rl_map jk_rl_identity() { return jk_rl_map{0.0, 1.0}; }

// b * y for a span of a recurrence whose constant coefficient is c (b >= 0).
__host__ __device__ __forceinline__ double jk_rl_mul(double b, double y, double c) {
    return (isinf(y) && (c > 0.0 || b == 1.0)) ? y : b * y;
}

// The map of span 1 followed (later in time) by span 2: y1 = a1 + b1 (a2 + b2 y2).
__host__ __device__ __forceinline__ jk_rl_map jk_rl_compose(jk_rl_map m1, jk_rl_map m2, double c) {
    if (m1.b < 0.0) return m1;
    return jk_rl_map{m1.a + jk_rl_mul(m1.b, m2.a, c), m2.b < 0.0 ? -1.0 : m1.b * m2.b};
}

__host__ __device__ __forceinline__ double jk_rl_apply(jk_rl_map m, double y, double c) {
    return m.b < 0.0 ? m.a : m.a + jk_rl_mul(m.b, y, c);
}

// One step as a map: x + c * y, or x alone at a cut.
__host__ __device__ __forceinline__ jk_rl_map jk_rl_step_map(double x, bool cut, double c) {
    return jk_rl_map{x, cut ? -1.0 : c};
}

// One step evaluated: exactly the recurrence of OPS.md (the select at a cut).
__host__ __device__ __forceinline__ double jk_rl_step(double x, bool cut, double c, double y) {
    return cut ? x : x + c * y;
}
