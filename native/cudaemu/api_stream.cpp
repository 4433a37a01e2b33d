// api_stream.cpp — kernel launches (the driver's launch checks; parameters copied at the call,
// sizes from the kernel's own signature), streams (create, destroy, synchronize, query) and
// events (record, query, synchronize, elapsed time in host time, a stream waiting for one).
#include <string.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "cudaemu.h"

using namespace cudaemu;

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
        // A misaligned vector access (the emulator's check in jk_vec_load/store) is the driver's 716;
        // every other fault (__trap, an exception, a barrier deadlock) its unspecified launch failure.
        const bool misaligned = error.find("misaligned address") != std::string::npos;
        note("%s (the context is now unusable: %s)", error.c_str(),
             misaligned ? "CUDA_ERROR_MISALIGNED_ADDRESS" : "CUDA_ERROR_LAUNCH_FAILED");
        return misaligned ? CUDA_ERROR_MISALIGNED_ADDRESS : CUDA_ERROR_LAUNCH_FAILED;
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

}  // namespace

// ---- launch -------------------------------------------------------------------------------------

API CUresult cuLaunchKernel(CUfunction hfunc, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                            unsigned bz, unsigned shared, CUstream h, void** kernelParams, void** extra) {
    Lock lock(g_mu);
    CURRENT(ctx);
    Function* f = reinterpret_cast<Function*>(hfunc);
    if (g_functions.count(f) == 0) return CUDA_ERROR_INVALID_HANDLE;
    if (f->ctx != ctx) return CUDA_ERROR_INVALID_CONTEXT;
    STREAM_OF(s, h);
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
    STREAM_OF(s, h);
    if (s->capture != nullptr) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    // As the driver: returns at once; queued work still runs, then the stream's thread ends.
    s->destroyed = true;
    ctx->streams.erase(std::find(ctx->streams.begin(), ctx->streams.end(), s));
    g_cv.notify_all();
    return CUDA_SUCCESS;  // the Stream object stays: other streams' dependencies may name it
}

// Synchronising or querying a stream that captures is illegal and invalidates its capture, as in
// the driver. Caller holds g_mu.
static bool capturing_stream_waited_on(Stream* s) {
    if (s->capture == nullptr) return false;
    s->capture_invalid = true;
    return true;
}

API CUresult cuStreamSynchronize(CUstream h) {
    Lock lock(g_mu);
    CURRENT(ctx);
    STREAM_OF(s, h);
    if (capturing_stream_waited_on(s)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
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
    STREAM_OF(s, h);
    if (capturing_stream_waited_on(s)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
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
    STREAM_OF(s, hs);
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
    STREAM_OF(s, hs);
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
