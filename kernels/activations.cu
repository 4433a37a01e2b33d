// activations.cu — elementwise activation kernels, forward and backward, f32/bf16/f16.
// Math: kernels/math/activations.h (shared with the emulator; formulas and NOTE [Accurate
// activation math] there). Spec: OPS.md "Activations". Named <op>_<fwd|bwd>_<dtype>.
//
//   unary     relu, leaky_relu(slope), elu(alpha), sigmoid, tanh, gelu(approximate), silu,
//             heaviside(value) (forward only)
//             fwd(x, y, n [, attr])            y = f(x)                 torch.nn.functional.*
//             bwd(dy, x, dx, n [, attr])       dx = dy * f'(x)          aten *_backward
//   gated     swiglu, geglu(approximate), reglu, glu: out = act(gate) * up
//             fwd(gate, up, out, n [, attr])
//             bwd(dout, gate, up, dgate, dup, n [, attr])   both gradients from one read of each
//   packed    <gated>_packed: gate and up are the halves of x's last dimension 2H
//             (gate_first != 0: gate = x[..., :H], else gate = x[..., H:] — torch.nn.functional.glu)
//             fwd(x, out, rows, h, gate_first [, attr])      out: rows x H
//             bwd(dout, x, dx, rows, h, gate_first [, attr]) dx: rows x 2H, one packed gradient
//
// Attrs are kernel parameters: slope/alpha/value as float, approximate as int (JK_GELU_*).
// The ops are listed once, at the end of activations.h (JK_*_ACTIVATIONS): a new activation is its
// math and one line there (docs/ADDING_AN_OP.md).
//
// NOTE [Elementwise access]: one pass over memory, every element read once and written once.
// Each kernel is a grid-stride loop with 64-bit indices (the grid is sized from the SM count in
// io.jkernels.ops.Kernels). The body moves 16 bytes per tensor per step (jk_vec: LDG.128 /
// STG.128) when every pointer has the same address modulo 16: a scalar head brings them to a
// 16-byte boundary, a scalar tail finishes the last n % (16 / sizeof(T)) elements. Pointers that
// disagree modulo 16 (a view at an odd element offset against an aligned output) take the scalar
// loop throughout. Out may alias an input (the in-place forms): each element is read and then
// written by the same thread, so the pointers are not __restrict__.
//
// Packed kernels walk rows x units (a unit: one 16-byte vector when H * sizeof(T) % 16 == 0 and
// the pointers are aligned, else one element); the row/column of the grid-stride index is advanced
// incrementally, so the loop has no 64-bit division.

#include "common/jk_cuda.h"
#include "common/jk_math.h"
#include "math/activations.h"

// ---- elementwise engine ----------------------------------------------------------------------

// Same address modulo 16 for all pointers: returns the number of leading elements before the
// first 16-byte boundary (at most n), or n when they disagree (everything scalar).
template <typename T, int NP>
__device__ __forceinline__ int64_t jk_act_head(const void* const (&p)[NP], int64_t n) {
    const unsigned mis = (unsigned)(reinterpret_cast<uintptr_t>(p[0]) & 15u);
#pragma unroll
    for (int k = 1; k < NP; k++) {
        if ((unsigned)(reinterpret_cast<uintptr_t>(p[k]) & 15u) != mis) return n;
    }
    if (mis % sizeof(T) != 0) return n;
    const int64_t head = (int64_t)(((16u - mis) & 15u) / sizeof(T));
    return head < n ? head : n;
}

// NI inputs, NO outputs, all n elements of T; f(const float (&in)[NI], float (&out)[NO]).
template <typename T, int NI, int NO, typename F>
__device__ __forceinline__ void jk_act_map(const T* const (&in)[NI], T* const (&out)[NO], int64_t n, const F& f) {
    constexpr int V = jk_vec<T>::N;
    const void* ptrs[NI + NO];
#pragma unroll
    for (int k = 0; k < NI; k++) ptrs[k] = in[k];
#pragma unroll
    for (int k = 0; k < NO; k++) ptrs[NI + k] = out[k];
    const int64_t head = jk_act_head<T, NI + NO>(ptrs, n);
    const int64_t nvec = (n - head) / V;
    const int64_t body_end = head + nvec * V;
    const int64_t start = jk_global_index();
    const int64_t stride = jk_grid_stride();
    float a[NI], b[NO];

    for (int64_t i = start; i < head; i += stride) {  // scalar head (or everything, misaligned)
#pragma unroll
        for (int k = 0; k < NI; k++) a[k] = jk_load_f(in[k] + i);
        f(a, b);
#pragma unroll
        for (int k = 0; k < NO; k++) jk_store_f(out[k] + i, b[k]);
    }
    for (int64_t v = start; v < nvec; v += stride) {  // 16-byte body
        const int64_t i = head + v * V;
        jk_vec<T> x[NI], y[NO];
#pragma unroll
        for (int k = 0; k < NI; k++) x[k] = jk_vec_load(in[k] + i);
#pragma unroll
        for (int e = 0; e < V; e++) {
#pragma unroll
            for (int k = 0; k < NI; k++) a[k] = jk_load_f(&x[k].v[e]);
            f(a, b);
#pragma unroll
            for (int k = 0; k < NO; k++) jk_store_f(&y[k].v[e], b[k]);
        }
#pragma unroll
        for (int k = 0; k < NO; k++) jk_vec_store(out[k] + i, y[k]);
    }
    for (int64_t i = body_end + start; i < n; i += stride) {  // scalar tail
#pragma unroll
        for (int k = 0; k < NI; k++) a[k] = jk_load_f(in[k] + i);
        f(a, b);
#pragma unroll
        for (int k = 0; k < NO; k++) jk_store_f(out[k] + i, b[k]);
    }
}

// The unit of the packed kernels: one element (U = 1) or one 16-byte vector.
template <typename T, int U>
struct jk_act_unit {
    using type = jk_vec<T>;
};
template <typename T>
struct jk_act_unit<T, 1> {
    using type = T;
};

// Packed gate/up. Work item (r, c): row r < rows, unit c < hu (U elements per unit, H = hu * U).
// Forward (BWD = false): in = {x}, out = {y}; f(gate, up) -> y[r, c].
// Backward (BWD = true): in = {dout, x}, out = {dx}; f(dout, gate, up) -> dx[r, gate c], dx[r, up c].
template <typename T, int U, bool BWD, typename F>
__device__ __forceinline__ void jk_act_packed_units(const T* dout, const T* x, T* y, int64_t rows, int64_t hu,
                                                    int gate_first, const F& f) {
    using Unit = typename jk_act_unit<T, U>::type;
    const int64_t h = hu * U;
    const int64_t gofs = gate_first ? 0 : h;
    const int64_t uofs = gate_first ? h : 0;
    const int64_t start = jk_global_index();
    const int64_t stride = jk_grid_stride();
    if (start >= rows * hu) return;
    // (r, c) of the flat index start + k * stride, advanced without division in the loop
    int64_t r = start / hu, c = start - r * hu;
    const int64_t sr = stride / hu, sc = stride - sr * hu;
    for (; r < rows;) {
        const int64_t xi = r * 2 * h + c * U;  // element index of the unit in x's row r
        const int64_t yi = r * h + c * U;      // in the H-wide tensor (out or dout)
        Unit gu = *reinterpret_cast<const Unit*>(x + xi + gofs);
        Unit uu = *reinterpret_cast<const Unit*>(x + xi + uofs);
        const T* gp = reinterpret_cast<const T*>(&gu);
        const T* up = reinterpret_cast<const T*>(&uu);
        if (!BWD) {
            Unit ou;
            T* op = reinterpret_cast<T*>(&ou);
#pragma unroll
            for (int e = 0; e < U; e++) jk_store_f(op + e, f.fwd(jk_load_f(gp + e), jk_load_f(up + e)));
            *reinterpret_cast<Unit*>(y + yi) = ou;
        } else {
            Unit du = *reinterpret_cast<const Unit*>(dout + yi);
            const T* dp = reinterpret_cast<const T*>(&du);
            Unit dg, dv;
            T* dgp = reinterpret_cast<T*>(&dg);
            T* dvp = reinterpret_cast<T*>(&dv);
#pragma unroll
            for (int e = 0; e < U; e++) {
                float a, b;
                f.bwd(jk_load_f(dp + e), jk_load_f(gp + e), jk_load_f(up + e), &a, &b);
                jk_store_f(dgp + e, a);
                jk_store_f(dvp + e, b);
            }
            *reinterpret_cast<Unit*>(y + xi + gofs) = dg;
            *reinterpret_cast<Unit*>(y + xi + uofs) = dv;
        }
        c += sc;
        r += sr;
        if (c >= hu) {
            c -= hu;
            r++;
        }
    }
}

template <typename T, bool BWD, typename F>
__device__ __forceinline__ void jk_act_packed(const T* dout, const T* x, T* y, int64_t rows, int64_t h, int gate_first,
                                              const F& f) {
    constexpr int V = jk_vec<T>::N;
    const bool vec = (h % V) == 0 && jk_is_aligned16(x) && jk_is_aligned16(y) && (!BWD || jk_is_aligned16(dout));
    if (vec) {
        jk_act_packed_units<T, V, BWD>(dout, x, y, rows, h / V, gate_first, f);
    } else {
        jk_act_packed_units<T, 1, BWD>(dout, x, y, rows, h, gate_first, f);
    }
}

// ---- per-element functors over the math of activations.h ------------------------------------
// Each functor holds the attrs (p, q: float attrs; ip: an int attr) and maps the float inputs of
// one element to its float outputs. One per op and direction, made from the op lists at the end
// of activations.h (JK_UNARY_ACTIVATIONS, JK_FORWARD_ACTIVATIONS, JK_GATED_ACTIVATIONS).

#define JK_ACT_UNARY_FN(NAME, EXPR)                                                                \
    struct NAME {                                                                                  \
        float p;                                                                                   \
        int ip;                                                                                    \
        float q;                                                                                   \
        __host__ __device__ __forceinline__ void operator()(const float (&a)[1], float (&b)[1]) const { \
            const float x = a[0];                                                                  \
            b[0] = (EXPR);                                                                         \
        }                                                                                          \
    };
#define JK_ACT_BINARY_FN(NAME, EXPR)                                                               \
    struct NAME {                                                                                  \
        float p;                                                                                   \
        int ip;                                                                                    \
        float q;                                                                                   \
        __host__ __device__ __forceinline__ void operator()(const float (&a)[2], float (&b)[1]) const { \
            const float g = a[0], x = a[1];                                                        \
            b[0] = (EXPR);                                                                         \
        }                                                                                          \
    };

// Gated: fwd(gate, up) and bwd(dout, gate, up, &dgate, &dup), plus the map-engine adaptors.
#define JK_ACT_GATED_FN(NAME, FWD, BWD)                                                            \
    struct NAME {                                                                                  \
        float p;                                                                                   \
        int ip;                                                                                    \
        float q;                                                                                   \
        __host__ __device__ __forceinline__ float fwd(float gate, float up) const { return (FWD); } \
        __host__ __device__ __forceinline__ void bwd(float go, float gate, float up, float* dg, float* du) const { \
            BWD;                                                                                   \
        }                                                                                          \
        __host__ __device__ __forceinline__ void operator()(const float (&a)[2], float (&b)[1]) const { \
            b[0] = fwd(a[0], a[1]);                                                                \
        }                                                                                          \
        __host__ __device__ __forceinline__ void operator()(const float (&a)[3], float (&b)[2]) const { \
            bwd(a[0], a[1], a[2], &b[0], &b[1]);                                                   \
        }                                                                                          \
    };

// ---- kernels ---------------------------------------------------------------------------------
// ATTR is NOATTR, FATTR (a float p: slope, alpha, value), IATTR (an int ip: approximate) or
// FFATTR (two floats p, q); JK_ACT_DECL_##ATTR is the kernel parameters, JK_ACT_INIT_##ATTR the
// functor's fields.
#define JK_ACT_DECL_NOATTR
#define JK_ACT_DECL_FATTR , float p
#define JK_ACT_DECL_IATTR , int ip
#define JK_ACT_DECL_FFATTR , float p, float q
#define JK_ACT_INIT_NOATTR {0.0f, 0, 0.0f}
#define JK_ACT_INIT_FATTR {p, 0, 0.0f}
#define JK_ACT_INIT_IATTR {0.0f, ip, 0.0f}
#define JK_ACT_INIT_FFATTR {p, 0, q}

#define JK_ACT_FWD(OP, FN, T, SFX, ATTR)                                                           \
    extern "C" __global__ void OP##_fwd_##SFX(const T* x, T* y, int64_t n JK_ACT_DECL_##ATTR) {   \
        const T* in[1] = {x};                                                                      \
        T* out[1] = {y};                                                                           \
        jk_act_map<T, 1, 1>(in, out, n, FN JK_ACT_INIT_##ATTR);                                    \
    }                                                                                              \
    JK_KERNEL(OP##_fwd_##SFX)

#define JK_ACT_BWD(OP, FN, T, SFX, ATTR)                                                           \
    extern "C" __global__ void OP##_bwd_##SFX(const T* dy, const T* x, T* dx,                     \
                                              int64_t n JK_ACT_DECL_##ATTR) {                      \
        const T* in[2] = {dy, x};                                                                  \
        T* out[1] = {dx};                                                                          \
        jk_act_map<T, 2, 1>(in, out, n, FN JK_ACT_INIT_##ATTR);                                    \
    }                                                                                              \
    JK_KERNEL(OP##_bwd_##SFX)

#define JK_ACT_GATED_FWD(OP, FN, T, SFX, ATTR)                                                     \
    extern "C" __global__ void OP##_fwd_##SFX(const T* gate, const T* up, T* y,                   \
                                              int64_t n JK_ACT_DECL_##ATTR) {                      \
        const T* in[2] = {gate, up};                                                               \
        T* out[1] = {y};                                                                           \
        jk_act_map<T, 2, 1>(in, out, n, FN JK_ACT_INIT_##ATTR);                                    \
    }                                                                                              \
    JK_KERNEL(OP##_fwd_##SFX)

#define JK_ACT_GATED_BWD(OP, FN, T, SFX, ATTR)                                                     \
    extern "C" __global__ void OP##_bwd_##SFX(const T* dy, const T* gate, const T* up, T* dgate,  \
                                              T* dup, int64_t n JK_ACT_DECL_##ATTR) {              \
        const T* in[3] = {dy, gate, up};                                                           \
        T* out[2] = {dgate, dup};                                                                  \
        jk_act_map<T, 3, 2>(in, out, n, FN JK_ACT_INIT_##ATTR);                                    \
    }                                                                                              \
    JK_KERNEL(OP##_bwd_##SFX)

#define JK_ACT_PACKED_FWD(OP, FN, T, SFX, ATTR)                                                    \
    extern "C" __global__ void OP##_packed_fwd_##SFX(const T* x, T* y, int64_t rows, int64_t h,   \
                                                     int gate_first JK_ACT_DECL_##ATTR) {          \
        jk_act_packed<T, false>(nullptr, x, y, rows, h, gate_first, FN JK_ACT_INIT_##ATTR);        \
    }                                                                                              \
    JK_KERNEL(OP##_packed_fwd_##SFX)

#define JK_ACT_PACKED_BWD(OP, FN, T, SFX, ATTR)                                                    \
    extern "C" __global__ void OP##_packed_bwd_##SFX(const T* dy, const T* x, T* dx, int64_t rows, \
                                                     int64_t h, int gate_first JK_ACT_DECL_##ATTR) { \
        jk_act_packed<T, true>(dy, x, dx, rows, h, gate_first, FN JK_ACT_INIT_##ATTR);             \
    }                                                                                              \
    JK_KERNEL(OP##_packed_bwd_##SFX)

// Every kernel of one kind for the three dtypes.
#define JK_ACT_ALL_DTYPES(KIND, OP, FN, ATTR)                                                      \
    KIND(OP, FN, float, f32, ATTR)                                                                 \
    KIND(OP, FN, __nv_bfloat16, bf16, ATTR)                                                        \
    KIND(OP, FN, __half, f16, ATTR)

// One line of an op list -> its functors and every kernel of the op, for the three dtypes.
#define JK_ACT_UNARY_OP(OP, ATTR, FWD, BWD)                                                        \
    JK_ACT_UNARY_FN(jk_act_##OP##_f, FWD)                                                          \
    JK_ACT_BINARY_FN(jk_act_##OP##_b, BWD)                                                         \
    JK_ACT_ALL_DTYPES(JK_ACT_FWD, OP, jk_act_##OP##_f, ATTR)                                       \
    JK_ACT_ALL_DTYPES(JK_ACT_BWD, OP, jk_act_##OP##_b, ATTR)

#define JK_ACT_FORWARD_OP(OP, ATTR, FWD)                                                           \
    JK_ACT_UNARY_FN(jk_act_##OP##_f, FWD)                                                          \
    JK_ACT_ALL_DTYPES(JK_ACT_FWD, OP, jk_act_##OP##_f, ATTR)

#define JK_ACT_GATED_OP(OP, ATTR, FWD, BWD)                                                        \
    JK_ACT_GATED_FN(jk_act_##OP, FWD, BWD)                                                         \
    JK_ACT_ALL_DTYPES(JK_ACT_GATED_FWD, OP, jk_act_##OP, ATTR)                                     \
    JK_ACT_ALL_DTYPES(JK_ACT_GATED_BWD, OP, jk_act_##OP, ATTR)                                     \
    JK_ACT_ALL_DTYPES(JK_ACT_PACKED_FWD, OP, jk_act_##OP, ATTR)                                    \
    JK_ACT_ALL_DTYPES(JK_ACT_PACKED_BWD, OP, jk_act_##OP, ATTR)

JK_UNARY_ACTIVATIONS(JK_ACT_UNARY_OP)
JK_FORWARD_ACTIVATIONS(JK_ACT_FORWARD_OP)
JK_GATED_ACTIVATIONS(JK_ACT_GATED_OP)
