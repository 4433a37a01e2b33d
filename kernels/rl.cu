// rl.cu — reinforcement-learning kernels: tabular TD updates (td0, q_learning, sarsa,
// expected_sarsa, running_mean), linear TD and the DQN target; the trajectory ops
// (discounted_return, gae, td_lambda_return) are in rl_returns.cu. Math: kernels/math/rl.h (NOTE [RL accumulate in
// double], NOTE [Deterministic collisions], NOTE [Trajectory recurrences]). Spec: OPS.md
// "Reinforcement learning". Java: io.jkernels.ops.Td, io.jkernels.ops.Returns; references
// io.jkernels.ref.TdRef, ReturnsRef. Every kernel is deterministic (no float atomics), and each
// multiply-add of this file is an explicit fma (NOTE [Explicit fma] in kernels/math/rl.h), so the
// emulator computes the GPU's bits (checked by native/check/fma_check.sh).
//
// ---- tabular updates (three launches, B transitions, K = table entries) ------------------------
//   <op>_prepare_f32(tab, scratch)     per transition: check every index (an index out of range
//                                      records min(i) in *err and the transition is skipped), the
//                                      TD error (or sample) from the table as it was, its entry
//                                      key; integer atomics on the entry: count, max exponent,
//                                      NaN/Inf flags, owner = the lowest transition index
//   rl_segsum_accumulate(scratch, B)   exact fixed-point sum per entry (64-bit integer atomics)
//   rl_segsum_apply_f32(...)           the owner of each entry writes it once (only when no index
//                                      was out of range) and zeroes the entry's scratch again
// The scratch over the K entries is zero between calls (the workspace starts zeroed, apply
// re-zeroes what prepare touched), so a call costs O(B), not O(K).
//
#include "common/jk_cuda.h"
#include "common/jk_math.h"
#include "math/rl.h"

// ==== tabular updates ==========================================================================

#define JK_RL_TD0 0
#define JK_RL_QL 1
#define JK_RL_SARSA 2
#define JK_RL_ESARSA 3
#define JK_RL_RMEAN 4

struct jk_rl_tab {
    const float* table;
    int64_t S;
    int64_t A;  // 1 for (S) tables
    const int64_t* states;
    const int64_t* actions;
    const float* rewards;  // samples for running_mean
    const int64_t* next_states;
    const int64_t* next_actions;
    const uint8_t* dones;
    int64_t B;
    double gamma;
    double eps;
};

struct jk_rl_scratch {
    long long* acc;        // K: exact fixed-point sums
    int* exp;              // K: max biased exponent (0: none)
    unsigned* cnt;         // K: transitions on the entry
    int* own;              // K: INT_MAX - lowest transition index (0: none)
    int* flags;            // K: JK_RL_NAN | JK_RL_PINF | JK_RL_NINF
    long long* keys;       // B: entry of each transition (-1: rejected)
    double* vals;          // B: TD error or sample
    unsigned long long* err;  // lowest transition index with an index out of range (all ones: none)
};

#define JK_RL_OWNER_BASE 0x7fffffff

__device__ __forceinline__ bool jk_rl_in(int64_t v, int64_t n) { return v >= 0 && v < n; }

template <int OP>
__device__ __forceinline__ void jk_rl_prepare(const jk_rl_tab& p, const jk_rl_scratch& w) {
    for (int64_t i = jk_global_index(); i < p.B; i += jk_grid_stride()) {
        const int64_t s = p.states[i];
        bool ok = jk_rl_in(s, p.S);
        int64_t a = 0, s2 = 0, a2 = 0;
        if (OP != JK_RL_RMEAN) {
            s2 = p.next_states[i];
            ok = ok && jk_rl_in(s2, p.S);
        }
        if (OP == JK_RL_QL || OP == JK_RL_SARSA || OP == JK_RL_ESARSA) {
            a = p.actions[i];
            ok = ok && jk_rl_in(a, p.A);
        }
        if (OP == JK_RL_SARSA) {
            a2 = p.next_actions[i];
            ok = ok && jk_rl_in(a2, p.A);
        }
        if (!ok) {
            atomicMin(w.err, (unsigned long long)i);
            w.keys[i] = -1;
            continue;
        }
        const int64_t key = s * p.A + a;
        double v;
        if (OP == JK_RL_RMEAN) {
            v = (double)p.rewards[i];
        } else {
            const bool done = p.dones[i] != 0;
            double next = 0.0;
            if (!done) {
                const float* row = p.table + s2 * p.A;
                if (OP == JK_RL_TD0) next = (double)row[0];
                if (OP == JK_RL_QL) next = (double)row[jk_rl_argmax(row, p.A)];
                if (OP == JK_RL_SARSA) next = (double)row[a2];
                if (OP == JK_RL_ESARSA) next = jk_rl_expected_q(row, p.A, p.eps);
            }
            v = jk_rl_td_error((double)p.rewards[i], p.gamma, done, next, (double)p.table[key]);
        }
        w.keys[i] = key;
        w.vals[i] = v;
        const int f = jk_rl_special_flags(v);
        if (f != 0) {
            atomicOr(w.flags + key, f);
        } else if (v != 0.0) {
            int e;
            frexp(v, &e);
            atomicMax(w.exp + key, e + JK_RL_EXP_BIAS);
        }
        atomicAdd(w.cnt + key, 1u);
        atomicMax(w.own + key, JK_RL_OWNER_BASE - (int)i);
    }
}

extern "C" __global__ void td0_update_prepare_f32(jk_rl_tab p, jk_rl_scratch w) { jk_rl_prepare<JK_RL_TD0>(p, w); }
JK_KERNEL(td0_update_prepare_f32)
extern "C" __global__ void q_learning_update_prepare_f32(jk_rl_tab p, jk_rl_scratch w) { jk_rl_prepare<JK_RL_QL>(p, w); }
JK_KERNEL(q_learning_update_prepare_f32)
extern "C" __global__ void sarsa_update_prepare_f32(jk_rl_tab p, jk_rl_scratch w) { jk_rl_prepare<JK_RL_SARSA>(p, w); }
JK_KERNEL(sarsa_update_prepare_f32)
extern "C" __global__ void expected_sarsa_update_prepare_f32(jk_rl_tab p, jk_rl_scratch w) {
    jk_rl_prepare<JK_RL_ESARSA>(p, w);
}
JK_KERNEL(expected_sarsa_update_prepare_f32)
extern "C" __global__ void running_mean_update_prepare_f32(jk_rl_tab p, jk_rl_scratch w) {
    jk_rl_prepare<JK_RL_RMEAN>(p, w);
}
JK_KERNEL(running_mean_update_prepare_f32)

// Pass 2 of NOTE [Deterministic collisions]; nothing to do once an index was rejected.
extern "C" __global__ void rl_segsum_accumulate(jk_rl_scratch w, int64_t B) {
    if (*w.err != ~0ull) return;
    for (int64_t i = jk_global_index(); i < B; i += jk_grid_stride()) {
        const long long key = w.keys[i];
        const double v = w.vals[i];
        if (v == 0.0 || w.flags[key] != 0) continue;  // no specials on the entry: v is finite
        const long long q = jk_rl_quantize(v, w.exp[key], w.cnt[key]);
        atomicAdd(reinterpret_cast<unsigned long long*>(w.acc + key), (unsigned long long)q);
    }
}
JK_KERNEL(rl_segsum_accumulate)

#define JK_RL_APPLY_SUM 0
#define JK_RL_APPLY_MEAN 1
#define JK_RL_APPLY_RMEAN 2

// Pass 3: the owner of each entry applies the update (mode: alpha * sum, alpha * mean, or the
// running mean with counts) unless an index was rejected, and zeroes the entry's scratch. Another
// transition of the entry may read own[key] while its owner zeroes it: it sees the owner's code or
// 0, neither of which is its own code. Both accesses are relaxed atomics (jk_load_relaxed,
// jk_store_relaxed: ld/st.relaxed.gpu, no fence), so this is no data race. The loop is unswitched on
// WRITE by hand: nvcc 13 does not unswitch a loop that holds inline asm, and the hot loop would then
// test WRITE on every step.
template <bool WRITE>
__device__ __forceinline__ void jk_rl_segsum_apply(float* table, long long* counts, const jk_rl_scratch& w, int64_t B,
                                                   double alpha, int mode) {
    for (int64_t i = jk_global_index(); i < B; i += jk_grid_stride()) {
        const long long key = w.keys[i];
        if (key < 0 || jk_load_relaxed(w.own + key) != JK_RL_OWNER_BASE - (int)i) continue;
        const unsigned n = w.cnt[key];
        const double sum = jk_rl_segment_sum(w.acc[key], w.exp[key], n, w.flags[key]);
        if (WRITE) {
            const double old = (double)table[key];
            if (mode == JK_RL_APPLY_SUM) {
                table[key] = (float)fma(alpha, sum, old);
            } else if (mode == JK_RL_APPLY_MEAN) {
                table[key] = (float)fma(alpha, sum / (double)n, old);
            } else {
                const long long c = counts[key];
                table[key] = (float)(fma(old, (double)c, sum) / (double)(c + (long long)n));
                counts[key] = c + (long long)n;
            }
        }
        w.acc[key] = 0;
        w.exp[key] = 0;
        w.cnt[key] = 0;
        w.flags[key] = 0;
        jk_store_relaxed(w.own + key, 0);
    }
}

extern "C" __global__ void rl_segsum_apply_f32(float* table, long long* counts, jk_rl_scratch w, int64_t B,
                                               double alpha, int mode) {
    if (*w.err == ~0ull) {
        jk_rl_segsum_apply<true>(table, counts, w, B, alpha, mode);
    } else {
        jk_rl_segsum_apply<false>(table, counts, w, B, alpha, mode);
    }
}
JK_KERNEL(rl_segsum_apply_f32)

// int32 index inputs are widened once (OPS.md: int32 accepted and widened).
extern "C" __global__ void rl_widen_i32_i64(const int32_t* src, int64_t* dst, int64_t n) {
    for (int64_t i = jk_global_index(); i < n; i += jk_grid_stride()) dst[i] = (int64_t)src[i];
}
JK_KERNEL(rl_widen_i32_i64)

// ==== linear TD ===================================================================================

struct jk_rl_lin {
    const float* w;     // F
    const float* phi;   // B x F
    const float* r;     // B
    const float* phin;  // B x F
    const uint8_t* d;   // B
    int64_t B;
    int64_t F;
    double gamma;
};

__device__ __forceinline__ double jk_rl_warp_sum_d(double v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// One warp per transition: delta_i = r + gamma * (d ? 0 : w.phi'_i) - w.phi_i (lanes stride F,
// a fixed butterfly sums them).
extern "C" __global__ void linear_td_update_delta_f32(jk_rl_lin p, double* delta) {
    const int lane = threadIdx.x & 31;
    const int64_t warps = jk_grid_stride() >> 5;
    for (int64_t i = jk_global_index() >> 5; i < p.B; i += warps) {
        const bool done = p.d[i] != 0;
        const float* x = p.phi + i * p.F;
        const float* xn = p.phin + i * p.F;
        double cur = 0.0, next = 0.0;
        for (int64_t f = lane; f < p.F; f += 32) {
            const double wf = (double)p.w[f];
            cur = fma(wf, (double)x[f], cur);
            if (!done) next = fma(wf, (double)xn[f], next);
        }
        cur = jk_rl_warp_sum_d(cur);
        next = jk_rl_warp_sum_d(next);
        if (lane == 0) delta[i] = jk_rl_td_error((double)p.r[i], p.gamma, done, next, cur);
    }
}
JK_KERNEL(linear_td_update_delta_f32)

// partial[c, f] = sum over transitions i of chunk c (chunk transitions each, in order) of
// delta_i * phi[i, f]; block = 256 features of one chunk (coalesced rows of phi).
extern "C" __global__ void linear_td_update_partial_f32(jk_rl_lin p, const double* delta, double* partial,
                                                        int64_t chunk, int64_t fblocks) {
    const int64_t c = blockIdx.x / fblocks;
    const int64_t f = (blockIdx.x % fblocks) * blockDim.x + threadIdx.x;
    if (f >= p.F) return;
    const int64_t lo = c * chunk;
    const int64_t hi = lo + chunk < p.B ? lo + chunk : p.B;
    double acc = 0.0;
    for (int64_t i = lo; i < hi; i++) acc = fma(delta[i], (double)p.phi[i * p.F + f], acc);
    partial[c * p.F + f] = acc;
}
JK_KERNEL(linear_td_update_partial_f32)

// w[f] += alpha * (sum over chunks, in order) [/ B for "mean"].
extern "C" __global__ void linear_td_update_apply_f32(float* w, const double* partial, int64_t chunks, int64_t F,
                                                      int64_t B, double alpha, int mean) {
    for (int64_t f = jk_global_index(); f < F; f += jk_grid_stride()) {
        double s = 0.0;
        for (int64_t c = 0; c < chunks; c++) s += partial[c * F + f];
        if (mean) s /= (double)B;
        w[f] = (float)fma(alpha, s, (double)w[f]);
    }
}
JK_KERNEL(linear_td_update_apply_f32)

// ==== DQN target =================================================================================

// target[i] = r + gamma * (d ? 0 : next_q[i, g]), g = argmax of next_q_online's row (double DQN,
// online != null) or of next_q's own row (max; the first NaN wins, as torch.max).
extern "C" __global__ void dqn_target_fwd_f32(const float* next_q, const float* online, const float* r,
                                              const uint8_t* d, float* out, int64_t B, int64_t A, double gamma) {
    for (int64_t i = jk_global_index(); i < B; i += jk_grid_stride()) {
        const bool done = d[i] != 0;
        double next = 0.0;
        if (!done) {
            const float* row = next_q + i * A;
            next = (double)row[jk_rl_argmax(online != nullptr ? online + i * A : row, A)];
        }
        out[i] = (float)fma(gamma, next, (double)r[i]);
    }
}
JK_KERNEL(dqn_target_fwd_f32)
