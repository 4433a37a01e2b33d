// optimizers.cu — one Adam / AdamW step, in place, f32 (param, grad, exp_avg, exp_avg_sq and
// max_exp_avg_sq for amsgrad). Math: kernels/math/optimizers.h (formula, NOTE [Adam eps after the
// bias correction], NOTE [Adam scalars on the host]). Spec: OPS.md "Optimizers".
//
//   <op>[_amsgrad]_step_f32(p, g, m, v, vmax, n, hyper...)         one tensor of n elements
//   <op>[_amsgrad]_multi_step_f32(table, ntensors, nchunks, chunk, hyper...)
//                                                                    many tensors, one launch
//   op = adamw (decoupled weight decay) or adam (L2 weight decay); vmax is unused (may be null)
//   without amsgrad. hyper... = the nine floats of jk_adam_hyper, in its field order.
//
// NOTE [Adam memory traffic]: the step is memory-bound: per element it reads param, grad, m, v
// (+ vmax) and writes param, m, v (+ vmax): 28 bytes (36 with amsgrad) and ~20 flops. Each
// thread moves 16 bytes per tensor per step (LDG.128 / STG.128) when every pointer has the same
// address modulo 16 (a scalar head reaches the 16-byte boundary, a scalar tail ends the span);
// pointers that disagree modulo 16 take the scalar loop. Every element is read and written by
// the same thread, once: one pass, deterministic, no atomics.
//
// NOTE [Adam multi-tensor table]: the multi kernel updates a whole parameter list in one launch,
// as PyTorch's fused/foreach AdamW (multi_tensor_apply) does, over a device table with one row
// of JK_ADAM_ROW int64 words per tensor:
//   [0] param  [1] grad  [2] exp_avg  [3] exp_avg_sq  [4] max_exp_avg_sq (0 without amsgrad)
//   [5] n (elements)  [6] first chunk: the number of chunks of the tensors before it  [7] 0
// Tensor t is cut into ceil(n / chunk) chunks of `chunk` elements (chunk a multiple of 4, so
// every chunk of a tensor has the alignment of its first element); chunks are numbered across
// the list, and block b handles chunks b, b + gridDim.x, ... Each block finds its chunk's tensor
// by a binary search over column [6] (a few L1-resident loads per chunk of thousands of
// elements), then its threads stride through the chunk as in NOTE [Adam memory traffic]. The
// table holds only pointers and sizes, so a caller can keep it on the device across steps and
// upload it again only when the list changes; the step-dependent scalars are kernel parameters.

#include "common/jk_cuda.h"
#include "common/jk_math.h"
#include "math/optimizers.h"

// int64 words per row of the multi-tensor table (NOTE [Adam multi-tensor table]).
#define JK_ADAM_ROW 8

// ---- span engine -------------------------------------------------------------------------------

// One element i, scalar loads and stores (the head and tail of a span).
template <bool DECOUPLED, bool AMSGRAD>
__device__ __forceinline__ void jk_adam_scalar(float* p, const float* g, float* m, float* v, float* vmax, int64_t i,
                                               const jk_adam_hyper& h) {
    float pe = p[i], me = m[i], ve = v[i];
    float xe = AMSGRAD ? vmax[i] : 0.0f;
    jk_adam_element<DECOUPLED, AMSGRAD>(pe, g[i], me, ve, xe, h);
    p[i] = pe;
    m[i] = me;
    v[i] = ve;
    if (AMSGRAD) vmax[i] = xe;
}

// Elements [begin, end) of one tensor, thread `start` of `stride` threads. vmax may be null when
// !AMSGRAD. See NOTE [Adam memory traffic].
template <bool DECOUPLED, bool AMSGRAD>
__device__ __forceinline__ void jk_adam_span(float* p, const float* g, float* m, float* v, float* vmax,
                                             int64_t begin, int64_t end, int64_t start, int64_t stride,
                                             const jk_adam_hyper& h) {
    // Same address modulo 16 for every pointer: the head runs up to the first 16-byte boundary.
    const unsigned mis = (unsigned)(reinterpret_cast<uintptr_t>(p + begin) & 15u);
    bool same = (reinterpret_cast<uintptr_t>(g + begin) & 15u) == mis
                && (reinterpret_cast<uintptr_t>(m + begin) & 15u) == mis
                && (reinterpret_cast<uintptr_t>(v + begin) & 15u) == mis;
    if (AMSGRAD) same = same && (reinterpret_cast<uintptr_t>(vmax + begin) & 15u) == mis;
    const int64_t len = end - begin;
    int64_t head = len;  // everything scalar unless the pointers agree
    if (same && mis % 4u == 0) {
        head = (int64_t)(((16u - mis) & 15u) / 4u);
        if (head > len) head = len;
    }
    const int64_t nvec = (len - head) / 4;
    const int64_t body_end = begin + head + nvec * 4;

    for (int64_t i = begin + start; i < begin + head; i += stride) {  // scalar head
        jk_adam_scalar<DECOUPLED, AMSGRAD>(p, g, m, v, vmax, i, h);
    }
    for (int64_t k = start; k < nvec; k += stride) {  // 16-byte body
        const int64_t i = begin + head + k * 4;
        jk_vec<float> pv = jk_vec_load(p + i);
        const jk_vec<float> gv = jk_vec_load(g + i);
        jk_vec<float> mv = jk_vec_load(m + i);
        jk_vec<float> vv = jk_vec_load(v + i);
        jk_vec<float> xv{};
        if (AMSGRAD) xv = jk_vec_load(vmax + i);
#pragma unroll
        for (int e = 0; e < 4; e++) {
            float xe = AMSGRAD ? xv.v[e] : 0.0f;
            jk_adam_element<DECOUPLED, AMSGRAD>(pv.v[e], gv.v[e], mv.v[e], vv.v[e], xe, h);
            if (AMSGRAD) xv.v[e] = xe;
        }
        jk_vec_store(p + i, pv);
        jk_vec_store(m + i, mv);
        jk_vec_store(v + i, vv);
        if (AMSGRAD) jk_vec_store(vmax + i, xv);
    }
    for (int64_t i = body_end + start; i < end; i += stride) {  // scalar tail
        jk_adam_scalar<DECOUPLED, AMSGRAD>(p, g, m, v, vmax, i, h);
    }
}

// The row of the table holding chunk c: the last row whose first chunk is <= c.
__device__ __forceinline__ int jk_adam_find_row(const int64_t* table, int ntensors, int64_t c) {
    int lo = 0, hi = ntensors - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) >> 1;
        if (table[(int64_t)mid * JK_ADAM_ROW + 6] <= c) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

template <bool DECOUPLED, bool AMSGRAD>
__device__ __forceinline__ void jk_adam_multi(const int64_t* table, int ntensors, int64_t nchunks, int64_t chunk,
                                              const jk_adam_hyper& h) {
    for (int64_t c = blockIdx.x; c < nchunks; c += gridDim.x) {
        const int64_t* row = table + (int64_t)jk_adam_find_row(table, ntensors, c) * JK_ADAM_ROW;
        const int64_t n = row[5];
        const int64_t begin = (c - row[6]) * chunk;
        const int64_t end = begin + chunk < n ? begin + chunk : n;
        jk_adam_span<DECOUPLED, AMSGRAD>(reinterpret_cast<float*>(row[0]), reinterpret_cast<const float*>(row[1]),
                                         reinterpret_cast<float*>(row[2]), reinterpret_cast<float*>(row[3]),
                                         reinterpret_cast<float*>(row[4]), begin, end, threadIdx.x, blockDim.x, h);
    }
}

// ---- kernels -----------------------------------------------------------------------------------

#define JK_ADAM_HYPER_PARAMS                                                                         \
    float beta1, float one_minus_beta1, float beta2, float one_minus_beta2, float eps, float decay, \
        float grad_sign, float step_size, float bc2_sqrt
#define JK_ADAM_HYPER {beta1, one_minus_beta1, beta2, one_minus_beta2, eps, decay, grad_sign, step_size, bc2_sqrt}

#define JK_ADAM_KERNELS(OP, DECOUPLED, AMSGRAD)                                                      \
    extern "C" __global__ void OP##_step_f32(float* p, const float* g, float* m, float* v, float* vmax, \
                                             int64_t n, JK_ADAM_HYPER_PARAMS) {                      \
        const jk_adam_hyper h = JK_ADAM_HYPER;                                                       \
        jk_adam_span<DECOUPLED, AMSGRAD>(p, g, m, v, vmax, 0, n, jk_global_index(), jk_grid_stride(), h); \
    }                                                                                                \
    JK_KERNEL(OP##_step_f32)                                                                         \
    extern "C" __global__ void OP##_multi_step_f32(const int64_t* table, int ntensors, int64_t nchunks, \
                                                   int64_t chunk, JK_ADAM_HYPER_PARAMS) {            \
        const jk_adam_hyper h = JK_ADAM_HYPER;                                                       \
        jk_adam_multi<DECOUPLED, AMSGRAD>(table, ntensors, nchunks, chunk, h);                       \
    }                                                                                                \
    JK_KERNEL(OP##_multi_step_f32)

JK_ADAM_KERNELS(adamw, true, false)
JK_ADAM_KERNELS(adamw_amsgrad, true, true)
JK_ADAM_KERNELS(adam, false, false)
JK_ADAM_KERNELS(adam_amsgrad, false, true)
