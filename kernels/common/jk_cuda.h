// jk_cuda.h — the CUDA-compat layer: one kernel source for nvcc and for the host emulator.
//
// Under nvcc (__CUDACC__) this only pulls in the bf16/fp16 types and defines JK_KERNEL (nothing),
// JK_DYNAMIC_SHARED and jk_load_relaxed/jk_store_relaxed. Under g++ (the emulator, native/emu/) it
// supplies what CUDA's compiler and device runtime would: __global__/__device__/__shared__,
// threadIdx..gridDim, __syncthreads, warp shuffles and votes, atomics, math intrinsics, __trap, the
// same jk_load_relaxed/jk_store_relaxed, and JK_KERNEL, which registers the kernel by name with a
// trampoline that unpacks a cuLaunchKernel-style `void** args` array.
//
// How the emulator runs a launch (native/emu/runtime.cpp, the block scheduler in worker.cpp): blocks are spread over a pool of
// worker threads; a block runs on one worker with its CUDA threads as fibers that switch only at
// __syncthreads and warp operations. So:
//   - `__shared__` is `static thread_local` (one block per worker at a time);
//   - threadIdx/blockIdx/blockDim/gridDim are thread_local, set by the scheduler per fiber;
//   - atomics are real atomics (blocks run in parallel on different workers).
//
// Rules for kernel code, both compilers:
//   - `extern "C" __global__ void name(...) { ... }` followed by `JK_KERNEL(name)`.
//   - Dynamic shared memory: `JK_DYNAMIC_SHARED(float, buf);` inside the function body (it
//     declares a pointer named buf to the launch's dynamic shared memory, 16-byte aligned).
//   - Every kernels/*.cu is compiled into one translation unit for the fatbin (native/Makefile),
//     so helpers private to a file must have names unique across kernels/ (prefix them).
//   - No assert() in kernels (it aborts the JVM under the emulator); use __trap().
#pragma once

#if defined(__CUDACC__)
// ==== nvcc =====================================================================================
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

#define JK_KERNEL(name)

// NOTE [One dynamic shared buffer]: every kernels/*.cu lands in one translation unit, where two
// `extern __shared__ T name[]` with the same name and different T do not compile. So there is one
// byte array, and each kernel views it as its own type.
extern __shared__ __align__(16) unsigned char jk_dynamic_smem_[];
#define JK_DYNAMIC_SHARED(T, name) T* const name = reinterpret_cast<T*>(jk_dynamic_smem_)

// Relaxed gpu-scope load/store of an int in global memory that other blocks access concurrently:
// no data race in the memory model, no fence (PTX ld/st.relaxed.gpu.global.b32). The g++ section
// has the same pair.
__device__ __forceinline__ int jk_load_relaxed(const int* p) {
    int v;
    asm volatile("ld.relaxed.gpu.global.b32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
    return v;
}
__device__ __forceinline__ void jk_store_relaxed(int* p, int v) {
    asm volatile("st.relaxed.gpu.global.b32 [%0], %1;" : : "l"(p), "r"(v) : "memory");
}

#else
// ==== g++: the host emulator ==================================================================
#if defined(JK_NO_CUDA_HEADERS)  // no CUDA toolkit (native/Makefile): the same names, portable
#include "common/jk_host_fp16.h"
#else
#include <cuda_bf16.h>  // with -I$(CUDA_HOME)/include: host bf16/fp16 types and conversions
#include <cuda_fp16.h>  // (they also bring crt/host_defines.h: __host__, __device__ ... empty)
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <atomic>
#include <type_traits>
#include <utility>

// host_defines.h defines __host__, __device__, __global__, __constant__, __forceinline__,
// __align__ and an empty __shared__; the emulator needs shared memory private per block.
#undef __shared__
#define __shared__ static thread_local
#ifndef __launch_bounds__
#define __launch_bounds__(...)
#endif

static constexpr int warpSize = 32;

// Per OS thread (worker); the scheduler rewrites threadIdx on every fiber switch. __thread (not
// thread_local: no TLS init-wrapper call per access) and hidden, so that a kernel finds all of
// them with one TLS lookup (local-dynamic model) instead of one each.
#define JK_EMU_HIDDEN __attribute__((visibility("hidden")))
extern __thread uint3 threadIdx JK_EMU_HIDDEN;
extern __thread uint3 blockIdx JK_EMU_HIDDEN;
extern __thread uint3 blockDim JK_EMU_HIDDEN;
extern __thread uint3 gridDim JK_EMU_HIDDEN;

namespace jk_emu {

using Trampoline = void (*)(void** args);

// Adds a kernel to the registry (native/emu/runtime.cpp); one static instance per JK_KERNEL.
struct Registrar {
    Registrar(const char* name, Trampoline t, int nparams, const unsigned* param_sizes);
};

template <typename T>
inline T load_arg(const void* p) {
    static_assert(std::is_trivially_copyable<T>::value, "kernel parameters must be trivially copyable");
    T v;
    memcpy(&v, p, sizeof(T));
    return v;
}

template <typename F>
struct KernelType;

template <typename... A>
struct KernelType<void (*)(A...)> {
    static constexpr int nparams = sizeof...(A);
    static constexpr unsigned sizes[sizeof...(A) + 1] = {unsigned(sizeof(std::decay_t<A>))..., 0u};

    template <void (*K)(A...), size_t... I>
    static void unpack(void** args, std::index_sequence<I...>) {
        K(load_arg<std::decay_t<A>>(args[I])...);
    }
    // args[i] points at the value of parameter i, exactly as for cuLaunchKernel.
    template <void (*K)(A...)>
    static void call(void** args) {
        unpack<K>(args, std::index_sequence_for<A...>{});
    }
};

// ---- block and warp synchronization (runtime.cpp) ----
void syncthreads();
int syncthreads_count(int pred);  // __syncthreads_count: how many threads passed pred != 0

enum WarpOp : int {
    WARP_SYNC, WARP_SHFL_IDX, WARP_SHFL_UP, WARP_SHFL_DOWN, WARP_SHFL_XOR,
    WARP_BALLOT, WARP_ALL, WARP_ANY,
    WARP_REDUCE_ADD, WARP_REDUCE_MIN_I, WARP_REDUCE_MAX_I, WARP_REDUCE_MIN_U, WARP_REDUCE_MAX_U,
    WARP_REDUCE_AND, WARP_REDUCE_OR, WARP_REDUCE_XOR,
};
// Waits until every lane of `mask` still running in this warp has called it, then returns this
// lane's result (the value from the source lane for shuffles, the vote for ballot/all/any).
uint64_t warp_op(int op, unsigned mask, uint64_t value, int arg, int width);
unsigned active_mask();
[[noreturn]] void trap();
// A vector access at an address not aligned to its size: ends the block with an error naming the
// kernel, as the fault it is on a GPU (returns only outside a kernel).
void misaligned(const void* p, int bytes, const char* access);

extern __thread unsigned char* dynamic_shared JK_EMU_HIDDEN;

template <typename T>
inline T shfl(int op, unsigned mask, T var, int arg, int width) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffle of a type over 8 bytes");
    uint64_t bits = 0;
    memcpy(&bits, &var, sizeof(T));
    bits = warp_op(op, mask, bits, arg, width);
    memcpy(&var, &bits, sizeof(T));
    return var;
}

template <typename T>
inline T bits_as(uint64_t b) {
    T v;
    memcpy(&v, &b, sizeof(T));
    return v;
}

// Atomic read-modify-write through compare-and-swap, for the operations the builtins lack.
template <typename T, typename F>
inline T atomic_update(T* address, F f) {
    T old = __atomic_load_n(address, __ATOMIC_RELAXED);
    while (!__atomic_compare_exchange_n(address, &old, f(old), true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
    }
    return old;
}
template <typename T, typename U, typename F>
inline T atomic_update_bits(T* address, F f) {  // T float/double viewed as same-size integer U
    static_assert(sizeof(T) == sizeof(U), "size");
    U* a = reinterpret_cast<U*>(address);
    U old = __atomic_load_n(a, __ATOMIC_RELAXED);
    for (;;) {
        T v, n;
        memcpy(&v, &old, sizeof(T));
        n = f(v);
        U nb;
        memcpy(&nb, &n, sizeof(T));
        if (__atomic_compare_exchange_n(a, &old, nb, true, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            return v;
        }
    }
}

}  // namespace jk_emu

#define JK_KERNEL(name)                                                                            \
    static const ::jk_emu::Registrar jk_emu_registrar_##name(                                      \
        #name, &::jk_emu::KernelType<decltype(&name)>::template call<&name>,                      \
        ::jk_emu::KernelType<decltype(&name)>::nparams, ::jk_emu::KernelType<decltype(&name)>::sizes);

#define JK_DYNAMIC_SHARED(T, name) T* const name = reinterpret_cast<T*>(::jk_emu::dynamic_shared)

// ---- synchronization --------------------------------------------------------------------------
inline void __syncthreads() { jk_emu::syncthreads(); }
inline int __syncthreads_count(int pred) { return jk_emu::syncthreads_count(pred); }
inline int __syncthreads_and(int pred) { return jk_emu::syncthreads_count(pred == 0) == 0; }
inline int __syncthreads_or(int pred) { return jk_emu::syncthreads_count(pred) != 0; }
inline void __syncwarp(unsigned mask = 0xffffffffu) { jk_emu::warp_op(jk_emu::WARP_SYNC, mask, 0, 0, 32); }
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_block() { std::atomic_thread_fence(std::memory_order_seq_cst); }
inline void __threadfence_system() { std::atomic_thread_fence(std::memory_order_seq_cst); }
[[noreturn]] inline void __trap() { jk_emu::trap(); }
inline void __nanosleep(unsigned ns) {  // the calling worker sleeps (a GPU sleeps about that long)
    struct timespec t = {time_t(ns / 1000000000u), long(ns % 1000000000u)};
    nanosleep(&t, nullptr);
}

// ---- warp shuffles and votes (width: a power of two <= 32, as in CUDA) ----
template <typename T>
inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = 32) {
    return jk_emu::shfl(jk_emu::WARP_SHFL_IDX, mask, var, srcLane, width);
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    return jk_emu::shfl(jk_emu::WARP_SHFL_UP, mask, var, int(delta), width);
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T var, unsigned delta, int width = 32) {
    return jk_emu::shfl(jk_emu::WARP_SHFL_DOWN, mask, var, int(delta), width);
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = 32) {
    return jk_emu::shfl(jk_emu::WARP_SHFL_XOR, mask, var, laneMask, width);
}
inline unsigned __ballot_sync(unsigned mask, int pred) {
    return unsigned(jk_emu::warp_op(jk_emu::WARP_BALLOT, mask, pred != 0, 0, 32));
}
inline int __all_sync(unsigned mask, int pred) { return int(jk_emu::warp_op(jk_emu::WARP_ALL, mask, pred != 0, 0, 32)); }
inline int __any_sync(unsigned mask, int pred) { return int(jk_emu::warp_op(jk_emu::WARP_ANY, mask, pred != 0, 0, 32)); }
inline unsigned __activemask() { return jk_emu::active_mask(); }
#define JK_EMU_WARP_REDUCE(NAME, T, OP)                                                \
    inline T NAME(unsigned mask, T value) {                                            \
        return T(jk_emu::warp_op(jk_emu::OP, mask, uint32_t(value), 0, 32));           \
    }
JK_EMU_WARP_REDUCE(__reduce_add_sync, unsigned, WARP_REDUCE_ADD)
JK_EMU_WARP_REDUCE(__reduce_add_sync, int, WARP_REDUCE_ADD)
JK_EMU_WARP_REDUCE(__reduce_min_sync, unsigned, WARP_REDUCE_MIN_U)
JK_EMU_WARP_REDUCE(__reduce_min_sync, int, WARP_REDUCE_MIN_I)
JK_EMU_WARP_REDUCE(__reduce_max_sync, unsigned, WARP_REDUCE_MAX_U)
JK_EMU_WARP_REDUCE(__reduce_max_sync, int, WARP_REDUCE_MAX_I)
JK_EMU_WARP_REDUCE(__reduce_and_sync, unsigned, WARP_REDUCE_AND)
JK_EMU_WARP_REDUCE(__reduce_or_sync, unsigned, WARP_REDUCE_OR)
JK_EMU_WARP_REDUCE(__reduce_xor_sync, unsigned, WARP_REDUCE_XOR)
#undef JK_EMU_WARP_REDUCE

// ---- atomics (sequentially consistent; return the old value, as in CUDA) ----
#define JK_EMU_ATOMIC_INT(T)                                                                    \
    inline T atomicAdd(T* a, T v) { return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }        \
    inline T atomicSub(T* a, T v) { return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST); }        \
    inline T atomicAnd(T* a, T v) { return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST); }        \
    inline T atomicOr(T* a, T v) { return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST); }          \
    inline T atomicXor(T* a, T v) { return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST); }        \
    inline T atomicExch(T* a, T v) { return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); }      \
    inline T atomicMax(T* a, T v) {                                                             \
        return jk_emu::atomic_update(a, [v](T o) { return o < v ? v : o; });                    \
    }                                                                                           \
    inline T atomicMin(T* a, T v) {                                                             \
        return jk_emu::atomic_update(a, [v](T o) { return v < o ? v : o; });                    \
    }                                                                                           \
    inline T atomicCAS(T* a, T compare, T v) {                                                  \
        __atomic_compare_exchange_n(a, &compare, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
        return compare;                                                                         \
    }
JK_EMU_ATOMIC_INT(int)
JK_EMU_ATOMIC_INT(unsigned int)
JK_EMU_ATOMIC_INT(long long)
JK_EMU_ATOMIC_INT(unsigned long long)
#undef JK_EMU_ATOMIC_INT
// jk_load_relaxed/jk_store_relaxed (see the nvcc section): relaxed atomics, no data race for TSan.
inline int jk_load_relaxed(const int* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
inline void jk_store_relaxed(int* p, int v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
inline unsigned atomicInc(unsigned* a, unsigned limit) {
    return jk_emu::atomic_update(a, [limit](unsigned o) { return o >= limit ? 0u : o + 1; });
}
inline unsigned atomicDec(unsigned* a, unsigned limit) {
    return jk_emu::atomic_update(a, [limit](unsigned o) { return (o == 0 || o > limit) ? limit : o - 1; });
}
inline float atomicAdd(float* a, float v) {
    return jk_emu::atomic_update_bits<float, uint32_t>(a, [v](float o) { return o + v; });
}
inline double atomicAdd(double* a, double v) {
    return jk_emu::atomic_update_bits<double, uint64_t>(a, [v](double o) { return o + v; });
}
inline float atomicMax(float* a, float v) {  // CUDA has no float atomicMax; kernels often add one
    return jk_emu::atomic_update_bits<float, uint32_t>(a, [v](float o) { return fmaxf(o, v); });
}
inline float atomicMin(float* a, float v) {
    return jk_emu::atomic_update_bits<float, uint32_t>(a, [v](float o) { return fminf(o, v); });
}
inline float atomicExch(float* a, float v) {
    return jk_emu::atomic_update_bits<float, uint32_t>(a, [v](float) { return v; });
}

// ---- loads, bit casts, integer intrinsics ----
template <typename T>
inline T __ldg(const T* p) { return *p; }
inline float __int_as_float(int x) { return jk_emu::bits_as<float>(uint32_t(x)); }
inline float __uint_as_float(unsigned x) { return jk_emu::bits_as<float>(x); }
inline int __float_as_int(float x) { int r; memcpy(&r, &x, 4); return r; }
inline unsigned __float_as_uint(float x) { unsigned r; memcpy(&r, &x, 4); return r; }
inline double __longlong_as_double(long long x) { return jk_emu::bits_as<double>(uint64_t(x)); }
inline long long __double_as_longlong(double x) { long long r; memcpy(&r, &x, 8); return r; }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz(unsigned(x)); }
inline int __clzll(long long x) { return x == 0 ? 64 : __builtin_clzll((unsigned long long)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __ffsll(long long x) { return __builtin_ffsll(x); }
inline unsigned __brev(unsigned x) {
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    return __builtin_bswap32(x);
}
inline unsigned __umulhi(unsigned a, unsigned b) { return unsigned((uint64_t(a) * b) >> 32); }
inline int __mulhi(int a, int b) { return int((int64_t(a) * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
    return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}

// ---- float intrinsics (the emulator computes them at full precision) ----
inline float __expf(float x) { return expf(x); }
inline float __exp10f(float x) { return exp10f(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __log10f(float x) { return log10f(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __tanf(float x) { return tanf(x); }
inline void __sincosf(float x, float* s, float* c) { *s = sinf(x); *c = cosf(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float __frsqrt_rn(float x) { return 1.0f / sqrtf(x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float rcbrtf(float x) { return 1.0f / cbrtf(x); }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
inline float __saturatef(float x) { return x != x ? 0.0f : fminf(fmaxf(x, 0.0f), 1.0f); }
inline int __float2int_rn(float x) { return int(nearbyintf(x)); }
inline int __float2int_rz(float x) { return int(x); }
inline int __float2int_rd(float x) { return int(floorf(x)); }
inline int __float2int_ru(float x) { return int(ceilf(x)); }
inline unsigned __float2uint_rn(float x) { return unsigned(nearbyintf(x)); }
inline long long __float2ll_rn(float x) { return (long long)nearbyintf(x); }
inline long long __float2ll_rz(float x) { return (long long)x; }
inline long long __double2ll_rn(double x) { return (long long)nearbyint(x); }
inline int __double2int_rn(double x) { return int(nearbyint(x)); }
inline float __int2float_rn(int x) { return float(x); }
inline float __ll2float_rn(long long x) { return float(x); }
inline float __double2float_rn(double x) { return float(x); }

// CUDA's min/max for any mix of integer and floating types (the common type, as in C++).
template <typename A, typename B,
          typename = std::enable_if_t<std::is_arithmetic<A>::value && std::is_arithmetic<B>::value>>
inline std::common_type_t<A, B> min(A a, B b) {
    using C = std::common_type_t<A, B>;
    return C(b) < C(a) ? C(b) : C(a);
}
template <typename A, typename B,
          typename = std::enable_if_t<std::is_arithmetic<A>::value && std::is_arithmetic<B>::value>>
inline std::common_type_t<A, B> max(A a, B b) {
    using C = std::common_type_t<A, B>;
    return C(a) < C(b) ? C(b) : C(a);
}
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }

#endif  // __CUDACC__
