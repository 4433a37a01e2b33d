// api_graph.cpp — stream capture: the rules every call obeys while a stream captures (the calls a
// capture forbids, per the calling thread's capture mode; the legacy stream during a capture;
// work recorded, not run, on a capturing stream), cuThreadExchangeStreamCaptureMode, begin, end
// and status; and graphs: instantiate, and launch, which replays the recorded work in order on a
// stream.
#include <algorithm>

#include "cudaemu.h"

using namespace cudaemu;

namespace {

thread_local CUstreamCaptureMode t_capture_mode = CU_STREAM_CAPTURE_MODE_GLOBAL;

}  // namespace

namespace cudaemu {

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

// ---- capture ------------------------------------------------------------------------------------

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

API CUresult cuStreamBeginCapture(CUstream h, CUstreamCaptureMode mode) {  // cuStreamBeginCapture_v2
    Lock lock(g_mu);
    CURRENT(ctx);
    STREAM_OF(s, h);
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
    STREAM_OF(s, h);
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
    STREAM_OF(s, h);
    if (status == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *status = s->capture == nullptr ? CU_STREAM_CAPTURE_STATUS_NONE
              : s->capture_invalid  ? CU_STREAM_CAPTURE_STATUS_INVALIDATED
                                    : CU_STREAM_CAPTURE_STATUS_ACTIVE;
    return CUDA_SUCCESS;
}
// ---- graphs -------------------------------------------------------------------------------------

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
    STREAM_OF(s, h);
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
