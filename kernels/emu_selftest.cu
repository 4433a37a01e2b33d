// emu_selftest.cu — test-only kernels, one per emulator feature, run by EmuSelfTest (Java).
// They are also compiled into the fatbin, so they must be valid CUDA and must not spill.
//
//   selftest_index            threadIdx/blockIdx/blockDim/gridDim over 3-D grids and blocks
//   selftest_args             argument unpacking: int32, int64, float, double, a struct by value
//   selftest_block_reduce_f32 static __shared__ + __syncthreads: one sum per block
//   selftest_dynamic_reduce_f32  the same over dynamic shared memory (JK_DYNAMIC_SHARED)
//   selftest_warp_reduce_f32  __shfl_down_sync / __shfl_xor_sync sums, partial warps included
//   selftest_warp_scan_i32    __shfl_up_sync inclusive scan and __shfl_sync broadcast
//   selftest_vote             __ballot_sync, __all_sync, __any_sync
//   selftest_atomics          atomicAdd (int, float, double, unsigned long long), atomicMax, atomicMin
//   selftest_oob_read         reads one element past the end when asked (the ASan build catches it)
//   selftest_trap             __trap() in one chosen thread

#include "common/jk_cuda.h"
#include "common/jk_math.h"

// Lanes present in this thread's warp (a block of 33 threads has a second warp of one lane).
__device__ __forceinline__ int jk_selftest_warp_lanes() {
    const int warp_start = (int)(threadIdx.x & ~31u);
    return min(32, (int)blockDim.x - warp_start);
}

__device__ __forceinline__ unsigned jk_selftest_lane_mask(int lanes) {
    return lanes == 32 ? 0xffffffffu : (1u << lanes) - 1u;
}

// out[linear global thread id] = tx | ty << 4 | tz << 8 | bx << 12 | by << 16 | bz << 20, checked
// against blockDim/gridDim: -1 when they disagree with the launch (passed as arguments).
extern "C" __global__ void selftest_index(int32_t* out, int32_t bdx, int32_t bdy, int32_t bdz, int32_t gdx,
                                          int32_t gdy, int32_t gdz) {
    const int64_t block = blockIdx.x + (int64_t)gridDim.x * (blockIdx.y + (int64_t)gridDim.y * blockIdx.z);
    const int64_t thread = threadIdx.x + (int64_t)blockDim.x * (threadIdx.y + (int64_t)blockDim.y * threadIdx.z);
    const int64_t i = block * blockDim.x * blockDim.y * blockDim.z + thread;
    const bool dims_ok = (int)blockDim.x == bdx && (int)blockDim.y == bdy && (int)blockDim.z == bdz &&
                         (int)gridDim.x == gdx && (int)gridDim.y == gdy && (int)gridDim.z == gdz;
    out[i] = dims_ok ? (int32_t)(threadIdx.x | threadIdx.y << 4 | threadIdx.z << 8 | blockIdx.x << 12 |
                                 blockIdx.y << 16 | blockIdx.z << 20)
                     : -1;
}
JK_KERNEL(selftest_index)

struct jk_selftest_triple {
    int64_t a;
    int64_t b;
    int64_t c;
};

// Writes its scalar arguments back as doubles, in order.
extern "C" __global__ void selftest_args(double* out, int32_t a, int64_t b, float c, double d, jk_selftest_triple s) {
    if (blockIdx.x == 0 && threadIdx.x == 0) {
        out[0] = a;
        out[1] = (double)b;
        out[2] = c;
        out[3] = d;
        out[4] = (double)s.a;
        out[5] = (double)s.b;
        out[6] = (double)s.c;
    }
}
JK_KERNEL(selftest_args)

// Tree sum in shared memory over any block size (not only powers of two): after each step the
// first `active` entries hold the partial sums.
__device__ __forceinline__ float jk_selftest_tree_sum(float* s, float v) {
    const int tid = threadIdx.x;
    s[tid] = v;
    __syncthreads();
    for (int active = blockDim.x; active > 1;) {
        const int half = (active + 1) / 2;
        if (tid < active - half) s[tid] += s[tid + half];
        __syncthreads();
        active = half;
    }
    return s[0];
}

// out[blockIdx.x] = sum of the x[i] this block visits in a grid-stride loop over n.
extern "C" __global__ void selftest_block_reduce_f32(const float* __restrict__ x, float* __restrict__ out, int64_t n) {
    __shared__ float partial[1024];
    float v = 0.0f;
    for (int64_t i = jk_global_index(); i < n; i += jk_grid_stride()) v += x[i];
    const float total = jk_selftest_tree_sum(partial, v);
    if (threadIdx.x == 0) out[blockIdx.x] = total;
}
JK_KERNEL(selftest_block_reduce_f32)

// Same, with blockDim.x floats of dynamic shared memory.
extern "C" __global__ void selftest_dynamic_reduce_f32(const float* __restrict__ x, float* __restrict__ out,
                                                       int64_t n) {
    JK_DYNAMIC_SHARED(float, partial);
    float v = 0.0f;
    for (int64_t i = jk_global_index(); i < n; i += jk_grid_stride()) v += x[i];
    const float total = jk_selftest_tree_sum(partial, v);
    if (threadIdx.x == 0) out[blockIdx.x] = total;
}
JK_KERNEL(selftest_dynamic_reduce_f32)

// One thread per element (grid * block == n): warp_down[w] = the sum of warp w (numbered
// blockIdx.x * warps per block + warp in block) through __shfl_down_sync (lane 0); lane_xor[i] = the sum through __shfl_xor_sync as seen by each lane
// (the full warp sum in every lane of a full warp). Absent lanes contribute nothing.
extern "C" __global__ void selftest_warp_reduce_f32(const float* __restrict__ x, float* __restrict__ warp_down,
                                                    float* __restrict__ lane_xor) {
    const int64_t i = jk_global_index();
    const int lane = threadIdx.x & 31;
    const int lanes = jk_selftest_warp_lanes();
    const unsigned mask = jk_selftest_lane_mask(lanes);
    float down = x[i];
    float butterfly = down;
    for (int offset = 16; offset > 0; offset >>= 1) {
        const float d = __shfl_down_sync(mask, down, offset);
        if (lane + offset < lanes) down += d;
        const float b = __shfl_xor_sync(mask, butterfly, offset);
        if ((lane ^ offset) < lanes) butterfly += b;
    }
    if (lane == 0) warp_down[(int64_t)blockIdx.x * ((blockDim.x + 31) / 32) + (threadIdx.x >> 5)] = down;
    lane_xor[i] = butterfly;
}
JK_KERNEL(selftest_warp_reduce_f32)

// One thread per element: scan[i] = inclusive prefix sum of x over the lanes of i's warp;
// first[i] = x of lane 0 of i's warp (__shfl_sync broadcast).
extern "C" __global__ void selftest_warp_scan_i32(const int32_t* __restrict__ x, int32_t* __restrict__ scan,
                                                  int32_t* __restrict__ first) {
    const int64_t i = jk_global_index();
    const int lane = threadIdx.x & 31;
    const unsigned mask = jk_selftest_lane_mask(jk_selftest_warp_lanes());
    int32_t v = x[i];
    first[i] = __shfl_sync(mask, v, 0);
    for (int offset = 1; offset < 32; offset <<= 1) {
        const int32_t u = __shfl_up_sync(mask, v, offset);
        if (lane >= offset) v += u;
    }
    scan[i] = v;
}
JK_KERNEL(selftest_warp_scan_i32)

// One thread per element: votes[3 * i + {0, 1, 2}] = ballot, all, any of pred over i's warp.
extern "C" __global__ void selftest_vote(const int32_t* __restrict__ pred, uint32_t* __restrict__ votes) {
    const int64_t i = jk_global_index();
    const unsigned mask = jk_selftest_lane_mask(jk_selftest_warp_lanes());
    const int p = pred[i];
    const unsigned ballot = __ballot_sync(mask, p);
    const int all = __all_sync(mask, p);
    const int any = __any_sync(mask, p);
    __syncwarp(mask);
    votes[3 * i] = ballot;
    votes[3 * i + 1] = (uint32_t)all;
    votes[3 * i + 2] = (uint32_t)any;
}
JK_KERNEL(selftest_vote)

// Over v[0..n) (values >= 0): hist[v % nbins] += 1, fsum += v % 8, dsum += v / 2, vmax = max v,
// vmin = min v, count += 1 — all with atomics from every block at once.
extern "C" __global__ void selftest_atomics(const int32_t* __restrict__ v, int64_t n, int32_t* hist, int32_t nbins,
                                            float* fsum, double* dsum, int32_t* vmax, int32_t* vmin,
                                            unsigned long long* count) {
    for (int64_t i = jk_global_index(); i < n; i += jk_grid_stride()) {
        const int32_t x = v[i];
        atomicAdd(&hist[x % nbins], 1);
        atomicAdd(fsum, (float)(x % 8));
        atomicAdd(dsum, x * 0.5);
        atomicMax(vmax, x);
        atomicMin(vmin, x);
        atomicAdd(count, 1ull);
    }
}
JK_KERNEL(selftest_atomics)

// out[i] = x[i]; with oob != 0, thread 0 also reads x[n], one element past the end.
extern "C" __global__ void selftest_oob_read(const float* __restrict__ x, float* __restrict__ out, int64_t n,
                                             int32_t oob) {
    for (int64_t i = jk_global_index(); i < n; i += jk_grid_stride()) out[i] = x[i];
    if (oob != 0 && jk_global_index() == 0) out[0] = x[n];
}
JK_KERNEL(selftest_oob_read)

// Thread `trap_at` (global index) calls __trap(); the others set out[i] = 1 after a barrier.
extern "C" __global__ void selftest_trap(int64_t trap_at, float* out) {
    const int64_t i = jk_global_index();
    if (i == trap_at) __trap();
    __syncthreads();
    out[i] = 1.0f;
}
JK_KERNEL(selftest_trap)

// Thread 0 of every block sleeps about `sleep_us` microseconds (__nanosleep slices of at most
// 1 ms), then the block's threads write out[i] = value over a grid-stride loop: slow, asynchronous work for the tests of
// stream ordering (a host read without the needed synchronisation sees the old contents).
extern "C" __global__ void selftest_delay_fill(float* out, int64_t n, float value, int64_t sleep_us) {
    if (threadIdx.x == 0) {
#if defined(__CUDACC__)
        // __nanosleep may sleep anywhere in [0, 2 ns]: wait on the global timer (ns) instead
        uint64_t t0, t;
        asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
        do {
            __nanosleep(100000u);
            asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
        } while (int64_t(t - t0) < sleep_us * 1000);
#else
        for (int64_t t = 0; t < sleep_us; t += 1000) __nanosleep(1000000u);
#endif
    }
    __syncthreads();
    for (int64_t i = jk_global_index(); i < n; i += jk_grid_stride()) out[i] = value;
}
JK_KERNEL(selftest_delay_fill)

// out[0..3] = x[offset..offset+3] through one 16-byte vector load: with offset % 4 != 0 the address
// is misaligned, a fault on a GPU and an error in the emulator (the emulator's alignment check).
extern "C" __global__ void selftest_misaligned_vec(const float* x, float* out, int64_t offset) {
    if (jk_global_index() != 0) return;
    const jk_vec<float> v = jk_vec_load(x + offset);
    for (int i = 0; i < 4; i++) out[i] = v.v[i];
}
JK_KERNEL(selftest_misaligned_vec)
