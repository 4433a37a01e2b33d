// rl_returns.cu — the trajectory ops of OPS.md "Reinforcement learning": discounted_return, gae,
// td_lambda_return, each column of a (T, B) time-major input an affine recurrence run by a
// deterministic scan. Math: kernels/math/rl.h (NOTE [Trajectory recurrences]). Java:
// io.jkernels.ops.Returns; reference io.jkernels.ref.ReturnsRef. The tabular and linear updates
// are in rl.cu.
//
// ---- how ((T, B) time-major, each column an affine recurrence) -------------------------------
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
