// api_memory.cpp — device memory calls: cuMemAlloc, cuMemFree (waits for the pending work),
// cuMemGetInfo; the copies (synchronous ones through the legacy stream, returning when done;
// asynchronous and peer ones on a stream) and the memsets, every device range checked against the
// live allocations; the copy and memset work they queue.
#include <stdint.h>
#include <string.h>

#include <memory>

#include "cudaemu.h"

using namespace cudaemu;

namespace {

// ---- work ---------------------------------------------------------------------------------------

struct CopyWork : Work {
    void* dst;
    const void* src;
    size_t bytes;
    CUresult run() override {
        const uintptr_t d = uintptr_t(dst), s = uintptr_t(src);
        if (d < s + bytes && s < d + bytes && d != s) {
            // Undefined on a GPU; made visibly wrong here, so no test passes by luck.
            note("cuMemcpy over overlapping ranges [%p, +%zu) <- [%p, +%zu): undefined, the result is garbage",
                 dst, bytes, src, bytes);
            memset(dst, 0xA5, bytes);
        }
        memmove(dst, src, bytes);
        return CUDA_SUCCESS;
    }
};

struct SetWork : Work {
    unsigned char* dst;
    size_t count;
    int elem;
    uint32_t value;
    CUresult run() override {
        switch (elem) {
            case 1: memset(dst, int(value & 0xff), count); break;
            case 2: {
                const uint16_t v = uint16_t(value);
                for (size_t i = 0; i < count; i++) memcpy(dst + 2 * i, &v, 2);
                break;
            }
            default: {
                for (size_t i = 0; i < count; i++) memcpy(dst + 4 * i, &value, 4);
                break;
            }
        }
        return CUDA_SUCCESS;
    }
};

// Runs w on the legacy stream of ctx and waits for it (synchronous copies and memsets).
CUresult run_sync(Lock& lock, Context* ctx, WorkPtr w) {
    if (!unsafe_call_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    if (!legacy_use_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
    enqueue(ctx->legacy, std::move(w));
    wait_stream(lock, ctx->legacy);
    return CUresult(ctx->sticky.load());
}

CUresult memset_work(CUdeviceptr dst, uint32_t value, size_t count, int elem, std::shared_ptr<SetWork>* out) {
    if (count == 0) {
        *out = nullptr;
        return CUDA_SUCCESS;
    }
    if (count > SIZE_MAX / size_t(elem) || !device_range(dst, count * size_t(elem))) return CUDA_ERROR_INVALID_VALUE;
    if (elem > 1 && dst % size_t(elem) != 0) return CUDA_ERROR_INVALID_VALUE;  // as the driver demands
    auto w = std::make_shared<SetWork>();
    w->dst = reinterpret_cast<unsigned char*>(dst);
    w->count = count;
    w->elem = elem;
    w->value = value;
    *out = w;
    return CUDA_SUCCESS;
}

CUresult memset_async(CUdeviceptr dst, uint32_t value, size_t count, int elem, CUstream h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    STREAM_OF(s, h);
    std::shared_ptr<SetWork> w;
    CUresult r = memset_work(dst, value, count, elem, &w);
    if (r != CUDA_SUCCESS) return r;
    return w == nullptr ? CUDA_SUCCESS : submit(s, w);
}

CUresult memset_sync(CUdeviceptr dst, uint32_t value, size_t count, int elem) {
    Lock lock(g_mu);
    CURRENT(ctx);
    std::shared_ptr<SetWork> w;
    CUresult r = memset_work(dst, value, count, elem, &w);
    if (r != CUDA_SUCCESS) return r;
    return w == nullptr ? CUDA_SUCCESS : run_sync(lock, ctx, w);
}

std::shared_ptr<CopyWork> copy_work(void* dst, const void* src, size_t bytes) {
    auto w = std::make_shared<CopyWork>();
    w->dst = dst;
    w->src = src;
    w->bytes = bytes;
    return w;
}

}  // namespace

// ---- memory -------------------------------------------------------------------------------------

API CUresult cuMemAlloc(CUdeviceptr* dptr, size_t bytesize) {  // cuMemAlloc_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    if (dptr == nullptr || bytesize == 0) return CUDA_ERROR_INVALID_VALUE;
    if (!unsafe_call_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    uintptr_t p;
    CUresult r = device_alloc(ctx, bytesize, &p);
    if (r == CUDA_SUCCESS) *dptr = CUdeviceptr(p);
    return r;
}

API CUresult cuMemFree(CUdeviceptr dptr) {  // cuMemFree_v2
    Lock lock(g_mu);
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (dptr == 0) return CUDA_SUCCESS;
    Context* owner = device_of_address(uintptr_t(dptr));
    if (owner == nullptr) return CUDA_ERROR_INVALID_VALUE;
    auto it = owner->allocs.find(uintptr_t(dptr));
    if (it == owner->allocs.end()) return CUDA_ERROR_INVALID_VALUE;  // not the start of a live allocation
    CURRENT(ctx);
    if (!unsafe_call_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    wait_context(lock, owner);  // as the driver: cuMemFree waits for the pending work
    const Allocation a = it->second;
    owner->allocs.erase(it);
    device_release(owner, a);
    return CUresult(owner->sticky.load());
}

API CUresult cuMemGetInfo(size_t* free_bytes, size_t* total) {  // cuMemGetInfo_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    if (free_bytes == nullptr || total == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *total = kDeviceTotalMem;
    *free_bytes = kDeviceTotalMem - ctx->used;
    return CUDA_SUCCESS;
}

API CUresult cuMemcpyHtoD(CUdeviceptr dst, const void* src, size_t bytes) {  // cuMemcpyHtoD_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(dst, bytes) || !host_range(src, bytes)) return CUDA_ERROR_INVALID_VALUE;
    return run_sync(lock, ctx, copy_work(reinterpret_cast<void*>(dst), src, bytes));
}

API CUresult cuMemcpyDtoH(void* dst, CUdeviceptr src, size_t bytes) {  // cuMemcpyDtoH_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(src, bytes) || !host_range(dst, bytes)) return CUDA_ERROR_INVALID_VALUE;
    return run_sync(lock, ctx, copy_work(dst, reinterpret_cast<const void*>(src), bytes));
}

API CUresult cuMemcpyDtoD(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {  // cuMemcpyDtoD_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(dst, bytes) || !device_range(src, bytes)) return CUDA_ERROR_INVALID_VALUE;
    return run_sync(lock, ctx, copy_work(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes));
}

API CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream h) {  // _v2
    Lock lock(g_mu);
    CURRENT(ctx);
    STREAM_OF(s, h);
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(dst, bytes) || !device_range(src, bytes)) return CUDA_ERROR_INVALID_VALUE;
    return submit(s, copy_work(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes));
}

API CUresult cuMemcpyPeerAsync(CUdeviceptr dst, CUcontext dstCtx, CUdeviceptr src, CUcontext srcCtx, size_t bytes,
                               CUstream h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    STREAM_OF(s, h);
    Context* dc = context_of(dstCtx);
    Context* sc = context_of(srcCtx);
    if (dc == nullptr || sc == nullptr) return CUDA_ERROR_INVALID_CONTEXT;
    if (dc->sticky.load() != 0 || sc->sticky.load() != 0) return CUresult(dc->sticky.load() ? dc->sticky.load() : sc->sticky.load());
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(dst, bytes) || !device_range(src, bytes) || device_of_address(uintptr_t(dst)) != dc ||
        device_of_address(uintptr_t(src)) != sc) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    return submit(s, copy_work(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes));
}

API CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s) { return memset_async(dst, v, n, 1, s); }
API CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short v, size_t n, CUstream s) { return memset_async(dst, v, n, 2, s); }
API CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned int v, size_t n, CUstream s) { return memset_async(dst, v, n, 4, s); }
API CUresult cuMemsetD8(CUdeviceptr dst, unsigned char v, size_t n) { return memset_sync(dst, v, n, 1); }     // _v2
API CUresult cuMemsetD16(CUdeviceptr dst, unsigned short v, size_t n) { return memset_sync(dst, v, n, 2); }   // _v2
API CUresult cuMemsetD32(CUdeviceptr dst, unsigned int v, size_t n) { return memset_sync(dst, v, n, 4); }     // _v2
