// api_device.cpp — the driver API's errors (cuGetErrorName/cuGetErrorString, cuda.h's table),
// cuInit (JK_CUDAEMU_DEVICES), the devices and their H200 attributes, the primary contexts and the
// calling thread's current one, cuCtxSynchronize, modules (a fatbin only) and functions (the
// emulator's kernels by name).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

}  // namespace cudaemu

// ---- errors -------------------------------------------------------------------------------------

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

// ---- init, devices, contexts --------------------------------------------------------------------

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
