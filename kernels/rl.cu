// rl.cu — reinforcement-learning kernels: tabular TD updates (td0, q_learning, sarsa,
// expected_sarsa, running_mean), linear TD, the DQN target and the trajectory ops
// (discounted_return, gae, td_lambda_return). Math: kernels/math/rl.h (NOTE [RL accumulate in
// double], NOTE [Deterministic collisions], NOTE [Trajectory recurrences]). Spec: OPS.md
// "Reinforcement learning". Java: io.jkernels.ops.Td, io.jkernels.ops.Returns; references
// io.jkernels.ref.TdRef, ReturnsRef. Every kernel is deterministic (no float atomics).
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
// ---- trajectories ((T, B) time-major, each column an affine recurrence) ----------------------
// A block of 256 threads is BX columns x TY = 256 / BX segments of ITEMS consecutive steps: a tile
// of TY * ITEMS steps. BX = 32 when B >= 32 (a warp reads 32 adjacent columns: 128-byte rows);
// BX = 1 for narrow B (one column per block, 4096-step tiles, so B = 1, T = 2^20 has 256 tiles).
//   <op>_tilemap_f32_x<BX>   phase 1: each thread composes its ITEMS steps, a block suffix scan
//                            composes the tile (only when a column has more than one tile)
//   rl_tile_carries_f64      phase 2: one warp per column scans the tile maps from the end:
//                            the value just after each tile
//   <op>_fwd_f32_x<BX>       phase 3: steps in registers, block suffix scan with the tile's
//                            carry, then each thread runs its ITEMS steps exactly as OPS.md
// Reads the inputs twice when a column spans several tiles (the second read mostly from L2).

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
                table[key] = (float)(old + alpha * sum);
            } else if (mode == JK_RL_APPLY_MEAN) {
                table[key] = (float)(old + alpha * (sum / (double)n));
            } else {
                const long long c = counts[key];
                table[key] = (float)((old * (double)c + sum) / (double)(c + (long long)n));
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
            cur += wf * (double)x[f];
            if (!done) next += wf * (double)xn[f];
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
    for (int64_t i = lo; i < hi; i++) acc += delta[i] * (double)p.phi[i * p.F + f];
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
        w[f] = (float)((double)w[f] + alpha * s);
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
        out[i] = (float)((double)r[i] + gamma * next);
    }
}
JK_KERNEL(dqn_target_fwd_f32)

// ==== trajectories ===============================================================================

#define JK_RL_DRET 0
#define JK_RL_GAE 1
#define JK_RL_TDL 2
#define JK_RL_ITEMS 16
#define JK_RL_BLOCK 256

struct jk_rl_traj {
    const float* r;      // (T, B)
    const float* v;      // gae: values
    const float* nv;     // gae, td_lambda: next_values
    const uint8_t* done;
    const uint8_t* term;  // gae, td_lambda: terminated
    const float* boot;    // discounted_return: bootstrap (B) or null
    float* out0;          // returns / advantages
    float* out1;          // gae: value_targets
    int64_t T;
    int64_t B;
    double gamma;
    double lmbda;
};

// The constant coefficient c of the op's recurrence.
template <int OP>
__device__ __forceinline__ double jk_rl_coef(const jk_rl_traj& p) {
    return OP == JK_RL_DRET ? p.gamma : p.gamma * p.lmbda;
}

// x[t] and cut[t] of step t, column b (t < T, b < B); *val = values[t] for gae.
template <int OP>
__device__ __forceinline__ double jk_rl_load_step(const jk_rl_traj& p, int64_t t, int64_t b, bool* cut, float* val) {
    const int64_t k = t * p.B + b;
    const double r = (double)p.r[k];
    *cut = p.done[k] != 0;
    if (OP == JK_RL_DRET) return r;
    // the value of a terminal state is 0: a select, next_values is not read there
    const double nv = p.term[k] != 0 ? 0.0 : (double)p.nv[k];
    if (OP == JK_RL_GAE) {
        *val = p.v[k];
        return r + p.gamma * nv - (double)*val;
    }
    *cut = *cut || t == p.T - 1;
    return r + p.gamma * (*cut ? nv : (1.0 - p.lmbda) * nv);
}

// A thread's segment: steps [t0, t0 + n) of column b (n <= ITEMS) loaded into registers (all loads
// first, independent of each other), and composed into the segment's map.
template <int OP>
__device__ __forceinline__ jk_rl_map jk_rl_load_segment(const jk_rl_traj& p, int64_t t0, int64_t b, int64_t n,
                                                        double c, double (&xs)[JK_RL_ITEMS], float (&vs)[JK_RL_ITEMS],
                                                        unsigned* cuts) {
    unsigned cb = 0;
#pragma unroll
    for (int j = 0; j < JK_RL_ITEMS; j++) {
        xs[j] = 0.0;
        vs[j] = 0.0f;
        if (j < n) {
            bool cut;
            xs[j] = jk_rl_load_step<OP>(p, t0 + j, b, &cut, &vs[j]);
            cb |= (unsigned)cut << j;
        }
    }
    jk_rl_map m = jk_rl_identity();
#pragma unroll
    for (int j = JK_RL_ITEMS - 1; j >= 0; j--) {
        if (j < n) m = jk_rl_compose(jk_rl_step_map(xs[j], (cb >> j) & 1u, c), m, c);
    }
    *cuts = cb;
    return m;
}

// Inclusive suffix scan over the TY segments of each of the BX columns of a block (fixed
// Hillis-Steele tree). sa/sb hold the result afterwards: S[y][x] at y * BX + x.
template <int BX>
__device__ __forceinline__ jk_rl_map jk_rl_block_suffix(jk_rl_map m, double c, double* sa, double* sb) {
    constexpr int TY = JK_RL_BLOCK / BX;
    const int tid = threadIdx.x;
    const int y = tid / BX;
    sa[tid] = m.a;
    sb[tid] = m.b;
    __syncthreads();
    for (int d = 1; d < TY; d <<= 1) {
        jk_rl_map r = m;
        if (y + d < TY) r = jk_rl_compose(m, jk_rl_map{sa[tid + d * BX], sb[tid + d * BX]}, c);
        __syncthreads();
        m = r;
        sa[tid] = m.a;
        sb[tid] = m.b;
        __syncthreads();
    }
    return m;
}

// Phase 1: the map of each (tile, column); blockIdx.x = tile * column_blocks + column_block.
template <int OP, int BX>
__device__ __forceinline__ void jk_rl_tilemap(const jk_rl_traj& p, jk_rl_map* maps, int64_t ntiles) {
    __shared__ double sa[JK_RL_BLOCK];
    __shared__ double sb[JK_RL_BLOCK];
    const int64_t ncb = (p.B + BX - 1) / BX;
    const int64_t tile = blockIdx.x / ncb;
    const int64_t b = (blockIdx.x % ncb) * BX + threadIdx.x % BX;
    const int64_t t0 = (tile * (JK_RL_BLOCK / BX) + threadIdx.x / BX) * JK_RL_ITEMS;
    const double c = jk_rl_coef<OP>(p);
    const int64_t n = b >= p.B || t0 >= p.T ? 0 : (p.T - t0 < JK_RL_ITEMS ? p.T - t0 : JK_RL_ITEMS);
    double xs[JK_RL_ITEMS];
    float vs[JK_RL_ITEMS];
    unsigned cuts;
    jk_rl_map m = jk_rl_load_segment<OP>(p, t0, b, n, c, xs, vs, &cuts);
    m = jk_rl_block_suffix<BX>(m, c, sa, sb);
    if (threadIdx.x < BX && b < p.B) maps[tile * p.B + b] = m;
}

// Phase 3: outputs. carries: the value just after each (tile, column), or null when a column is one
// tile (the value after the last step: bootstrap or 0).
template <int OP, int BX>
__device__ __forceinline__ void jk_rl_traj_fwd(const jk_rl_traj& p, const double* carries) {
    __shared__ double sa[JK_RL_BLOCK];
    __shared__ double sb[JK_RL_BLOCK];
    constexpr int TY = JK_RL_BLOCK / BX;
    const int64_t ncb = (p.B + BX - 1) / BX;
    const int64_t tile = blockIdx.x / ncb;
    const int y = threadIdx.x / BX;
    const int64_t b = (blockIdx.x % ncb) * BX + threadIdx.x % BX;
    const int64_t t0 = (tile * TY + y) * JK_RL_ITEMS;
    const double c = jk_rl_coef<OP>(p);
    const bool live = b < p.B;
    const int64_t n = !live || t0 >= p.T ? 0 : (p.T - t0 < JK_RL_ITEMS ? p.T - t0 : JK_RL_ITEMS);
    double xs[JK_RL_ITEMS];
    float vs[JK_RL_ITEMS];
    unsigned cuts;
    jk_rl_block_suffix<BX>(jk_rl_load_segment<OP>(p, t0, b, n, c, xs, vs, &cuts), c, sa, sb);
    if (n == 0) return;
    double after = 0.0;  // the value after the tile
    if (carries != nullptr) {
        after = carries[tile * p.B + b];
    } else if (OP == JK_RL_DRET && p.boot != nullptr) {
        after = (double)p.boot[b];
    }
    const int next = threadIdx.x + BX;  // segment y + 1, same column
    double y1 = y + 1 < TY ? jk_rl_apply(jk_rl_map{sa[next], sb[next]}, after, c) : after;
#pragma unroll
    for (int j = JK_RL_ITEMS - 1; j >= 0; j--) {
        if (j < n) {
            y1 = jk_rl_step(xs[j], (cuts >> j) & 1u, c, y1);
            const int64_t k = (t0 + j) * p.B + b;
            p.out0[k] = (float)y1;
            if (OP == JK_RL_GAE) p.out1[k] = (float)(y1 + (double)vs[j]);
        }
    }
}

#define JK_RL_TRAJ_KERNELS(NAME, OP)                                                                  \
    extern "C" __global__ void __launch_bounds__(JK_RL_BLOCK) NAME##_tilemap_f32_x1(jk_rl_traj p,    \
                                                                 jk_rl_map* maps, int64_t ntiles) {    \
        jk_rl_tilemap<OP, 1>(p, maps, ntiles);                                                         \
    }                                                                                                  \
    JK_KERNEL(NAME##_tilemap_f32_x1)                                                                   \
    extern "C" __global__ void __launch_bounds__(JK_RL_BLOCK) NAME##_tilemap_f32_x32(jk_rl_traj p,   \
                                                                 jk_rl_map* maps, int64_t ntiles) {    \
        jk_rl_tilemap<OP, 32>(p, maps, ntiles);                                                        \
    }                                                                                                  \
    JK_KERNEL(NAME##_tilemap_f32_x32)                                                                  \
    extern "C" __global__ void __launch_bounds__(JK_RL_BLOCK) NAME##_fwd_f32_x1(jk_rl_traj p,        \
                                                                 const double* carries) {              \
        jk_rl_traj_fwd<OP, 1>(p, carries);                                                             \
    }                                                                                                  \
    JK_KERNEL(NAME##_fwd_f32_x1)                                                                       \
    extern "C" __global__ void __launch_bounds__(JK_RL_BLOCK) NAME##_fwd_f32_x32(jk_rl_traj p,       \
                                                                 const double* carries) {              \
        jk_rl_traj_fwd<OP, 32>(p, carries);                                                            \
    }                                                                                                  \
    JK_KERNEL(NAME##_fwd_f32_x32)

JK_RL_TRAJ_KERNELS(discounted_return, JK_RL_DRET)
JK_RL_TRAJ_KERNELS(gae, JK_RL_GAE)
JK_RL_TRAJ_KERNELS(td_lambda_return, JK_RL_TDL)

// Phase 2: one warp per column. Lane l composes tiles [l k, (l + 1) k) (k = ceil(ntiles / 32)), a
// warp suffix scan (fixed shuffle tree) gives the value after each lane's range, and each lane
// walks its tiles backwards writing the value after each: carries[tile * B + b].
// init: the value after the last step (bootstrap, or 0 when null).
extern "C" __global__ void rl_tile_carries_f64(const jk_rl_map* maps, double* carries, const float* init,
                                               int64_t ntiles, int64_t B, double c) {
    const int lane = threadIdx.x & 31;
    const int64_t warps = jk_grid_stride() >> 5;
    const int64_t k = (ntiles + 31) / 32;
    for (int64_t b = jk_global_index() >> 5; b < B; b += warps) {
        const int64_t lo = lane * k < ntiles ? lane * k : ntiles;
        const int64_t hi = lo + k < ntiles ? lo + k : ntiles;
        jk_rl_map m = jk_rl_identity();
        for (int64_t t = hi - 1; t >= lo; t--) m = jk_rl_compose(maps[t * B + b], m, c);
        for (int d = 1; d < 32; d <<= 1) {
            const jk_rl_map o{__shfl_down_sync(0xffffffffu, m.a, d), __shfl_down_sync(0xffffffffu, m.b, d)};
            if (lane + d < 32) m = jk_rl_compose(m, o, c);
        }
        jk_rl_map after{__shfl_down_sync(0xffffffffu, m.a, 1), __shfl_down_sync(0xffffffffu, m.b, 1)};
        if (lane == 31) after = jk_rl_identity();
        double y = jk_rl_apply(after, init != nullptr ? (double)init[b] : 0.0, c);
        for (int64_t t = hi - 1; t >= lo; t--) {
            carries[t * B + b] = y;
            y = jk_rl_apply(maps[t * B + b], y, c);
        }
    }
}
JK_KERNEL(rl_tile_carries_f64)
