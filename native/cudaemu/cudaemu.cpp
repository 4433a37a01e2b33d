// cudaemu.cpp — the driver API calls, over the state and helpers of cudaemu.h (which says what is
// emulated, and how strictly); the card's attributes, the error table, the calling thread's current
// context and capture mode, the capture rules, and the work the calls queue.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "cudaemu.h"

using namespace cudaemu;

namespace {

// ---- attributes of the emulated card (an NVIDIA H200, sm_90; limits: cudaemu.h) -----------------

int attribute_value(CUdevice_attribute a) {
    switch (a) {
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: return 1024;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: return 1024;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: return 1024;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: return 64;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: return 2147483647;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: return 65535;
        case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: return 65535;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: return kSharedPerBlock;
        case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY: return 65536;
        case CU_DEVICE_ATTRIBUTE_WARP_SIZE: return 32;
        case CU_DEVICE_ATTRIBUTE_MAX_PITCH: return 2147483647;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: return 65536;
        case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: return 1980000;
        case CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT: return 512;
        case CU_DEVICE_ATTRIBUTE_GPU_OVERLAP: return 1;
        case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: return 132;
        case CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY: return 1;
        case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: return 1;
        case CU_DEVICE_ATTRIBUTE_ECC_ENABLED: return 1;
        case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: return 2619000;
        case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: return 6144;
        case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: return 52428800;
        case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: return 2048;
        case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT: return 3;
        case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: return 1;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: return 9;
        case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: return 0;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: return 233472;
        case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: return 65536;
        case CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY: return 1;
        case CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH: return 1;
        case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: return kSharedOptin;
        case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR: return 32;
        default: return 0;
    }
}

// ---- the error table, generated from cuda.h by errors.awk ---------------------------------------

struct ErrorText {
    int code;
    const char* name;
    const char* text;
};
const ErrorText kErrors[] = {
#include "errors.inc"
};

thread_local Context* t_current = nullptr;
thread_local CUstreamCaptureMode t_capture_mode = CU_STREAM_CAPTURE_MODE_GLOBAL;

}  // namespace

namespace cudaemu {

// ---- contexts -----------------------------------------------------------------------------------

// The current context, or an error: none set, or sticky-failed.
CUresult current(Context** out) {
    if (!g_initialized) return CUDA_ERROR_NOT_INITIALIZED;
    Context* c = t_current;
    if (c == nullptr) return CUDA_ERROR_INVALID_CONTEXT;
    const int sticky = c->sticky.load();
    if (sticky != 0) return CUresult(sticky);
    *out = c;
    return CUDA_SUCCESS;
}

Context* context_of(CUcontext c) {
    for (int d = 0; d < g_device_count; d++) {
        if (reinterpret_cast<CUcontext>(g_ctx[d]) == c) return g_ctx[d];
    }
    return nullptr;
}

// ---- capture rules ------------------------------------------------------------------------------

// Whether the calling thread may make a "potentially unsafe" call (cuMemAlloc, cuMemFree,
// synchronous copies, synchronisations...), per cuThreadExchangeStreamCaptureMode's rules; when
// not, the captures that forbid it are invalidated, as the driver does. Caller holds g_mu.
bool unsafe_call_allowed(Context* ctx) {
    if (ctx == nullptr || t_capture_mode == CU_STREAM_CAPTURE_MODE_RELAXED) return true;
    bool allowed = true;
    const std::thread::id me = std::this_thread::get_id();
    for (Stream* s : ctx->streams) {
        if (s->capture == nullptr || s->capture_mode == CU_STREAM_CAPTURE_MODE_RELAXED) continue;
        const bool own = s->capture_thread == me;
        const bool forbids = own || (t_capture_mode == CU_STREAM_CAPTURE_MODE_GLOBAL &&
                                     s->capture_mode == CU_STREAM_CAPTURE_MODE_GLOBAL);
        if (forbids) {
            s->capture_invalid = true;
            allowed = false;
        }
    }
    return allowed;
}

// A legacy-stream operation while a blocking stream of the context captures would merge the
// legacy stream into that capture: CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, capture invalidated.
bool legacy_use_allowed(Context* ctx) {
    bool allowed = true;
    for (Stream* s : ctx->streams) {
        if (s->capture != nullptr && blocking(s)) {
            s->capture_invalid = true;
            allowed = false;
        }
    }
    return allowed;
}

// Queues w on s, or records it when s captures. Caller holds g_mu.
CUresult submit(Stream* s, WorkPtr w) {
    if (s->capture != nullptr) {
        if (s->capture_invalid) return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
        s->capture->nodes.push_back(std::move(w));
        return CUDA_SUCCESS;
    }
    if (s->legacy && !legacy_use_allowed(s->ctx)) return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
    enqueue(s, std::move(w));
    return CUDA_SUCCESS;
}

}  // namespace cudaemu

namespace {

// ---- work ---------------------------------------------------------------------------------------

struct KernelWork : Work {
    const jk_emu::Kernel* kernel;
    dim3 grid, block;
    int shared;
    std::vector<unsigned char> blob;  // the parameters, copied at the launch call
    std::vector<size_t> offsets;

    bool is_kernel() const override { return true; }

    CUresult run() override {
        void* args[64];
        for (size_t i = 0; i < offsets.size(); i++) args[i] = blob.data() + offsets[i];
        const std::string error = jk_emu::launch(*kernel, args, grid, block, shared);
        if (error.empty()) return CUDA_SUCCESS;
        note("%s (the context is now unusable: CUDA_ERROR_LAUNCH_FAILED)", error.c_str());
        return CUDA_ERROR_LAUNCH_FAILED;
    }
};

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

struct EventWork : Work {
    std::shared_ptr<std::chrono::steady_clock::time_point> when;
    CUresult run() override {
        *when = std::chrono::steady_clock::now();
        return CUDA_SUCCESS;
    }
};

struct NoWork : Work {
    CUresult run() override { return CUDA_SUCCESS; }
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
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    std::shared_ptr<SetWork> w;
    if ((r = memset_work(dst, value, count, elem, &w)) != CUDA_SUCCESS) return r;
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

// ==== the API ====================================================================================

API CUresult cuGetErrorName(CUresult error, const char** pStr) {
    if (pStr == nullptr) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorText& e : kErrors) {
        if (e.code == int(error)) {
            *pStr = e.name;
            return CUDA_SUCCESS;
        }
    }
    *pStr = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}

API CUresult cuGetErrorString(CUresult error, const char** pStr) {
    if (pStr == nullptr) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorText& e : kErrors) {
        if (e.code == int(error)) {
            *pStr = e.text;
            return CUDA_SUCCESS;
        }
    }
    *pStr = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}

API CUresult cuInit(unsigned int flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    Lock lock(g_mu);
    if (!g_initialized) {
        int n = 1;
        if (const char* env = getenv("JK_CUDAEMU_DEVICES")) {
            n = atoi(env);
            if (n < 0 || n > kMaxDevices) {
                note("JK_CUDAEMU_DEVICES=%s: expected 0..%d", env, kMaxDevices);
                return CUDA_ERROR_INVALID_VALUE;
            }
        }
        if (n == 0) return CUDA_ERROR_NO_DEVICE;
        for (int d = 0; d < n; d++) g_ctx[d] = new_context(d);
        g_device_count = n;
        g_initialized = true;
    }
    return CUDA_SUCCESS;
}

API CUresult cuDriverGetVersion(int* v) {
    if (v == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *v = kDriverVersion;
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGetCount(int* count) {
    CHECK_INIT();
    if (count == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *count = g_device_count;
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    CHECK_INIT();
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal < 0 || ordinal >= g_device_count) return CUDA_ERROR_INVALID_DEVICE;
    *device = ordinal;
    return CUDA_SUCCESS;
}

#define CHECK_DEVICE(dev)                                                   \
    do {                                                                    \
        CHECK_INIT();                                                       \
        if ((dev) < 0 || (dev) >= g_device_count) return CUDA_ERROR_INVALID_DEVICE; \
    } while (0)

API CUresult cuDeviceGetName(char* name, int len, CUdevice dev) {
    CHECK_DEVICE(dev);
    if (name == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, size_t(len), "NVIDIA H200 (jkernels cudaemu, CPU-emulated)");
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGetAttribute(int* pi, CUdevice_attribute attrib, CUdevice dev) {
    CHECK_DEVICE(dev);
    if (pi == nullptr || int(attrib) <= 0 || int(attrib) >= int(CU_DEVICE_ATTRIBUTE_MAX)) return CUDA_ERROR_INVALID_VALUE;
    *pi = attribute_value(attrib);
    return CUDA_SUCCESS;
}

API CUresult cuDeviceTotalMem(size_t* bytes, CUdevice dev) {  // cuDeviceTotalMem_v2
    CHECK_DEVICE(dev);
    if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *bytes = kDeviceTotalMem;
    return CUDA_SUCCESS;
}

API CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev) {
    CHECK_DEVICE(dev);
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    Lock lock(g_mu);
    g_ctx[dev]->refcount++;
    *pctx = reinterpret_cast<CUcontext>(g_ctx[dev]);
    return CUDA_SUCCESS;
}

API CUresult cuDevicePrimaryCtxRelease(CUdevice dev) {  // cuDevicePrimaryCtxRelease_v2
    CHECK_DEVICE(dev);
    Lock lock(g_mu);
    if (g_ctx[dev]->refcount <= 0) return CUDA_ERROR_INVALID_CONTEXT;
    g_ctx[dev]->refcount--;  // the context itself stays (a process-wide emulation)
    return CUDA_SUCCESS;
}

API CUresult cuCtxSetCurrent(CUcontext c) {
    CHECK_INIT();
    if (c == nullptr) {
        t_current = nullptr;
        return CUDA_SUCCESS;
    }
    Context* ctx = context_of(c);
    if (ctx == nullptr) return CUDA_ERROR_INVALID_CONTEXT;
    t_current = ctx;
    return CUDA_SUCCESS;
}

API CUresult cuCtxGetCurrent(CUcontext* pctx) {
    CHECK_INIT();
    if (pctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *pctx = reinterpret_cast<CUcontext>(t_current);
    return CUDA_SUCCESS;
}

API CUresult cuCtxGetDevice(CUdevice* device) {
    Lock lock(g_mu);
    CURRENT(ctx);
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *device = ctx->device;
    return CUDA_SUCCESS;
}

API CUresult cuCtxSynchronize() {
    Lock lock(g_mu);
    CURRENT(ctx);
    if (!unsafe_call_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    wait_context(lock, ctx);
    return CUresult(ctx->sticky.load());
}

API CUresult cuThreadExchangeStreamCaptureMode(CUstreamCaptureMode* mode) {
    if (mode == nullptr) return CUDA_ERROR_INVALID_VALUE;
    const CUstreamCaptureMode m = *mode;
    if (m != CU_STREAM_CAPTURE_MODE_GLOBAL && m != CU_STREAM_CAPTURE_MODE_THREAD_LOCAL &&
        m != CU_STREAM_CAPTURE_MODE_RELAXED) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    *mode = t_capture_mode;
    t_capture_mode = m;
    return CUDA_SUCCESS;
}

// ---- modules ------------------------------------------------------------------------------------

API CUresult cuModuleLoadData(CUmodule* module, const void* image) {
    Lock lock(g_mu);
    CURRENT(ctx);
    if (module == nullptr || image == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (!unsafe_call_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    uint32_t magic;
    memcpy(&magic, image, 4);
    if (magic != 0xBA55ED50u) {  // a fatbin (fatBinaryCtl's FATBIN_MAGIC); cubin or PTX are not emulated
        note("cuModuleLoadData: not a fatbin (magic 0x%08x, expected 0xba55ed50)", magic);
        return CUDA_ERROR_INVALID_IMAGE;
    }
    Module* m = new Module{ctx};
    g_modules.insert(m);
    *module = reinterpret_cast<CUmodule>(m);
    return CUDA_SUCCESS;
}

API CUresult cuModuleUnload(CUmodule module) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Module* m = reinterpret_cast<Module*>(module);
    if (g_modules.erase(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    delete m;
    return CUDA_SUCCESS;
}

API CUresult cuModuleGetFunction(CUfunction* hfunc, CUmodule module, const char* name) {
    Lock lock(g_mu);
    CURRENT(ctx);
    if (hfunc == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    Module* m = reinterpret_cast<Module*>(module);
    if (g_modules.count(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (m->ctx != ctx) return CUDA_ERROR_INVALID_CONTEXT;
    for (const jk_emu::Kernel& k : jk_emu::kernels()) {
        if (k.name == name) {
            for (Function* f : g_functions) {
                if (f->kernel == &k && f->ctx == ctx) {
                    *hfunc = reinterpret_cast<CUfunction>(f);
                    return CUDA_SUCCESS;
                }
            }
            Function* f = new Function{ctx, &k};
            g_functions.insert(f);
            *hfunc = reinterpret_cast<CUfunction>(f);
            return CUDA_SUCCESS;
        }
    }
    return CUDA_ERROR_NOT_FOUND;
}

API CUresult cuFuncSetAttribute(CUfunction hfunc, CUfunction_attribute attrib, int value) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Function* f = reinterpret_cast<Function*>(hfunc);
    if (g_functions.count(f) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (attrib != CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES) return CUDA_ERROR_NOT_SUPPORTED;
    if (value < 0 || value > kSharedOptin) return CUDA_ERROR_INVALID_VALUE;
    f->max_dynamic_shared = value;
    return CUDA_SUCCESS;
}

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
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (bytes == 0) return CUDA_SUCCESS;
    if (!device_range(dst, bytes) || !device_range(src, bytes)) return CUDA_ERROR_INVALID_VALUE;
    return submit(s, copy_work(reinterpret_cast<void*>(dst), reinterpret_cast<const void*>(src), bytes));
}

API CUresult cuMemcpyPeerAsync(CUdeviceptr dst, CUcontext dstCtx, CUdeviceptr src, CUcontext srcCtx, size_t bytes,
                               CUstream h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
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

// ---- launch -------------------------------------------------------------------------------------

API CUresult cuLaunchKernel(CUfunction hfunc, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                            unsigned bz, unsigned shared, CUstream h, void** kernelParams, void** extra) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Function* f = reinterpret_cast<Function*>(hfunc);
    if (g_functions.count(f) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (f->ctx != ctx) return CUDA_ERROR_INVALID_CONTEXT;
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (extra != nullptr) return CUDA_ERROR_NOT_SUPPORTED;  // CU_LAUNCH_PARAM_BUFFER_* is not emulated
    if (gx == 0 || gy == 0 || gz == 0 || gx > 2147483647u || gy > 65535 || gz > 65535) return CUDA_ERROR_INVALID_VALUE;
    if (bx == 0 || by == 0 || bz == 0 || bx > 1024 || by > 1024 || bz > 64 ||
        uint64_t(bx) * by * bz > 1024) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (int64_t(shared) > f->max_dynamic_shared) return CUDA_ERROR_INVALID_VALUE;
    const jk_emu::Kernel& k = *f->kernel;
    if (k.nparams > 0 && kernelParams == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (k.nparams > 64) return CUDA_ERROR_NOT_SUPPORTED;
    auto w = std::make_shared<KernelWork>();
    w->kernel = &k;
    w->grid = dim3(gx, gy, gz);
    w->block = dim3(bx, by, bz);
    w->shared = int(shared);
    size_t total = 0;
    for (int i = 0; i < k.nparams; i++) {
        total = (total + 15) / 16 * 16;
        w->offsets.push_back(total);
        total += k.param_sizes[size_t(i)];
    }
    w->blob.resize(std::max<size_t>(total, 1));
    for (int i = 0; i < k.nparams; i++) {
        if (kernelParams[i] == nullptr) return CUDA_ERROR_INVALID_VALUE;
        memcpy(w->blob.data() + w->offsets[size_t(i)], kernelParams[i], k.param_sizes[size_t(i)]);
    }
    return submit(s, w);
}

// ---- streams and events -------------------------------------------------------------------------

API CUresult cuStreamCreate(CUstream* phStream, unsigned int flags) {
    Lock lock(g_mu);
    CURRENT(ctx);
    if (phStream == nullptr || (flags & ~unsigned(CU_STREAM_NON_BLOCKING)) != 0) return CUDA_ERROR_INVALID_VALUE;
    *phStream = reinterpret_cast<CUstream>(new_stream(ctx, flags, false));
    return CUDA_SUCCESS;
}

API CUresult cuStreamDestroy(CUstream h) {  // cuStreamDestroy_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    if (h == nullptr) return CUDA_ERROR_INVALID_HANDLE;
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (s->capture != nullptr) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    // As the driver: returns at once; queued work still runs, then the stream's thread ends.
    s->destroyed = true;
    ctx->streams.erase(std::find(ctx->streams.begin(), ctx->streams.end(), s));
    g_cv.notify_all();
    return CUDA_SUCCESS;  // the Stream object stays: other streams' dependencies may name it
}

API CUresult cuStreamSynchronize(CUstream h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (s->capture != nullptr) {
        s->capture_invalid = true;
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    if (!unsafe_call_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    if (s->legacy) {  // the legacy stream waits for the blocking streams
        if (!legacy_use_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
        enqueue(s, std::make_shared<NoWork>());
    }
    wait_stream(lock, s);
    return CUresult(ctx->sticky.load());
}

API CUresult cuStreamQuery(CUstream h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (s->capture != nullptr) {
        s->capture_invalid = true;
        return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    }
    return s->completed >= s->enqueued ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

API CUresult cuEventCreate(CUevent* phEvent, unsigned int flags) {
    Lock lock(g_mu);
    CURRENT(ctx);
    if (phEvent == nullptr) return CUDA_ERROR_INVALID_VALUE;
    Event* e = new Event{ctx, flags, nullptr, 0, nullptr, false};
    g_events.insert(e);
    *phEvent = reinterpret_cast<CUevent>(e);
    return CUDA_SUCCESS;
}

API CUresult cuEventDestroy(CUevent h) {  // cuEventDestroy_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    Event* e = reinterpret_cast<Event*>(h);
    if (g_events.erase(e) == 0) return CUDA_ERROR_INVALID_HANDLE;
    delete e;  // a queued record keeps its own time stamp (shared_ptr)
    return CUDA_SUCCESS;
}

API CUresult cuEventRecord(CUevent h, CUstream hs) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Event* e = reinterpret_cast<Event*>(h);
    if (g_events.count(e) == 0) return CUDA_ERROR_INVALID_HANDLE;
    Stream* s;
    CUresult r = stream_of(hs, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (e->ctx != ctx) return CUDA_ERROR_INVALID_CONTEXT;
    if (s->capture != nullptr) {  // a dependency inside the capture, not a node
        if (s->capture_invalid) return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
        e->captured = true;
        return CUDA_SUCCESS;
    }
    if (s->legacy && !legacy_use_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
    auto w = std::make_shared<EventWork>();
    w->when = std::make_shared<std::chrono::steady_clock::time_point>();
    e->when = w->when;
    e->captured = false;
    enqueue(s, w);
    e->stream = s;
    e->seq = s->enqueued;
    return CUDA_SUCCESS;
}

API CUresult cuEventQuery(CUevent h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Event* e = reinterpret_cast<Event*>(h);
    if (g_events.count(e) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (e->captured) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    return e->stream == nullptr || e->stream->completed >= e->seq ? CUDA_SUCCESS : CUDA_ERROR_NOT_READY;
}

API CUresult cuEventSynchronize(CUevent h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Event* e = reinterpret_cast<Event*>(h);
    if (g_events.count(e) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (e->captured) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    if (!unsafe_call_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    if (e->stream != nullptr) {
        Stream* s = e->stream;
        const uint64_t seq = e->seq;
        g_cv.wait(lock, [s, seq] { return s->completed >= seq; });
    }
    return CUresult(ctx->sticky.load());
}

static CUresult elapsed(float* ms, CUevent a, CUevent b) {
    Lock lock(g_mu);
    CURRENT(ctx);
    if (ms == nullptr) return CUDA_ERROR_INVALID_VALUE;
    Event* s = reinterpret_cast<Event*>(a);
    Event* e = reinterpret_cast<Event*>(b);
    if (g_events.count(s) == 0 || g_events.count(e) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if ((s->flags | e->flags) & CU_EVENT_DISABLE_TIMING) return CUDA_ERROR_INVALID_HANDLE;
    if (s->stream == nullptr || e->stream == nullptr) return CUDA_ERROR_INVALID_HANDLE;  // never recorded
    if (s->stream->completed < s->seq || e->stream->completed < e->seq) return CUDA_ERROR_NOT_READY;
    *ms = std::chrono::duration<float, std::milli>(*e->when - *s->when).count();
    return CUDA_SUCCESS;
}

API CUresult cuEventElapsedTime_v2(float* ms, CUevent a, CUevent b) { return elapsed(ms, a, b); }
// cuda.h 12.8+ #defines cuEventElapsedTime as cuEventElapsedTime_v2; JCuda 12.6 links the old
// name, so that one is defined too, once the macro is gone.
#undef cuEventElapsedTime
API CUresult cuEventElapsedTime(float* ms, CUevent a, CUevent b) { return elapsed(ms, a, b); }  // before 12.8

API CUresult cuStreamWaitEvent(CUstream hs, CUevent h, unsigned int flags) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Stream* s;
    CUresult r = stream_of(hs, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    Event* e = reinterpret_cast<Event*>(h);
    if (g_events.count(e) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    if (e->captured) {
        note("cuStreamWaitEvent on an event recorded in a capture (joining streams into a capture) is not emulated");
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    if (e->stream == nullptr || s->capture != nullptr) return CUDA_SUCCESS;  // nothing to wait for / external
    Op op;
    op.work = std::make_shared<NoWork>();
    op.deps.push_back(Dep{e->stream, e->seq});
    s->queue.push_back(std::move(op));
    s->enqueued++;
    g_cv.notify_all();
    return CUDA_SUCCESS;
}

// ---- graphs -------------------------------------------------------------------------------------

API CUresult cuStreamBeginCapture(CUstream h, CUstreamCaptureMode mode) {  // cuStreamBeginCapture_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (s->legacy) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    if (s->capture != nullptr) return CUDA_ERROR_ILLEGAL_STATE;
    if (mode != CU_STREAM_CAPTURE_MODE_GLOBAL && mode != CU_STREAM_CAPTURE_MODE_THREAD_LOCAL &&
        mode != CU_STREAM_CAPTURE_MODE_RELAXED) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    Graph* g = new Graph{ctx, {}};
    g_graphs.insert(g);
    s->capture = g;
    s->capture_mode = mode;
    s->capture_thread = std::this_thread::get_id();
    s->capture_invalid = false;
    return CUDA_SUCCESS;
}

API CUresult cuStreamEndCapture(CUstream h, CUgraph* phGraph) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (phGraph == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (s->capture == nullptr) return CUDA_ERROR_ILLEGAL_STATE;
    if (s->capture_mode != CU_STREAM_CAPTURE_MODE_RELAXED && s->capture_thread != std::this_thread::get_id()) {
        return CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD;
    }
    Graph* g = s->capture;
    s->capture = nullptr;
    if (s->capture_invalid) {
        s->capture_invalid = false;
        g_graphs.erase(g);
        delete g;
        *phGraph = nullptr;
        return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
    }
    *phGraph = reinterpret_cast<CUgraph>(g);
    return CUDA_SUCCESS;
}

API CUresult cuStreamIsCapturing(CUstream h, CUstreamCaptureStatus* status) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (status == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *status = s->capture == nullptr ? CU_STREAM_CAPTURE_STATUS_NONE
              : s->capture_invalid  ? CU_STREAM_CAPTURE_STATUS_INVALIDATED
                                    : CU_STREAM_CAPTURE_STATUS_ACTIVE;
    return CUDA_SUCCESS;
}

API CUresult cuGraphGetNodes(CUgraph hGraph, CUgraphNode* nodes, size_t* numNodes) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Graph* g = reinterpret_cast<Graph*>(hGraph);
    if (g_graphs.count(g) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (numNodes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (nodes != nullptr) {
        const size_t n = std::min(*numNodes, g->nodes.size());
        for (size_t i = 0; i < n; i++) nodes[i] = reinterpret_cast<CUgraphNode>(g->nodes[i].get());
        for (size_t i = n; i < *numNodes; i++) nodes[i] = nullptr;
        *numNodes = n;
    } else {
        *numNodes = g->nodes.size();
    }
    return CUDA_SUCCESS;
}

API CUresult cuGraphInstantiateWithFlags(CUgraphExec* phExec, CUgraph hGraph, unsigned long long flags) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Graph* g = reinterpret_cast<Graph*>(hGraph);
    if (phExec == nullptr || g_graphs.count(g) == 0) return g_graphs.count(g) == 0 ? CUDA_ERROR_INVALID_HANDLE : CUDA_ERROR_INVALID_VALUE;
    if (flags != 0) return CUDA_ERROR_NOT_SUPPORTED;
    GraphExec* x = new GraphExec{g->ctx, g->nodes};
    g_execs.insert(x);
    *phExec = reinterpret_cast<CUgraphExec>(x);
    return CUDA_SUCCESS;
}

API CUresult cuGraphLaunch(CUgraphExec hExec, CUstream h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    GraphExec* x = reinterpret_cast<GraphExec*>(hExec);
    if (g_execs.count(x) == 0) return CUDA_ERROR_INVALID_HANDLE;
    Stream* s;
    CUresult r = stream_of(h, ctx, &s);
    if (r != CUDA_SUCCESS) return r;
    if (x->ctx != ctx) return CUDA_ERROR_INVALID_CONTEXT;
    if (s->capture != nullptr) return CUDA_ERROR_NOT_SUPPORTED;  // a graph node in a capture: not emulated
    if (s->legacy && !legacy_use_allowed(ctx)) return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
    for (const WorkPtr& w : x->nodes) enqueue(s, w);
    return CUDA_SUCCESS;
}

API CUresult cuGraphExecDestroy(CUgraphExec hExec) {
    Lock lock(g_mu);
    CHECK_INIT();
    GraphExec* x = reinterpret_cast<GraphExec*>(hExec);
    if (g_execs.erase(x) == 0) return CUDA_ERROR_INVALID_HANDLE;
    delete x;  // queued replays keep their work alive (shared_ptr)
    return CUDA_SUCCESS;
}

API CUresult cuGraphDestroy(CUgraph hGraph) {
    Lock lock(g_mu);
    CHECK_INIT();
    Graph* g = reinterpret_cast<Graph*>(hGraph);
    if (g_graphs.erase(g) == 0) return CUDA_ERROR_INVALID_HANDLE;
    delete g;
    return CUDA_SUCCESS;
}
