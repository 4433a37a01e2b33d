// streams.cpp — the emulated driver's shared state (declared in cudaemu.h) and its streams: a
// thread per stream serving its queue, enqueueing with the legacy stream's implicit ordering,
// waiting for a stream or a whole context, and the stream of a handle.
#include <stdarg.h>
#include <stdio.h>

#include <vector>

#include "cudaemu.h"

namespace cudaemu {

// ---- state --------------------------------------------------------------------------------------

// One mutex guards every object below; stream threads release it while they run work. Never
// destroyed (nor anything else here): stream threads still wait on them while the process exits,
// and a condition variable's destructor would wait for its waiters.
std::mutex& g_mu = *new std::mutex;
std::condition_variable& g_cv = *new std::condition_variable;  // work completed, or new work queued
bool g_initialized = false;
int g_device_count = 0;

Context* g_ctx[kMaxDevices];
std::set<Stream*>& g_streams = *new std::set<Stream*>;
std::set<Module*>& g_modules = *new std::set<Module*>;
std::set<Function*>& g_functions = *new std::set<Function*>;
std::set<Event*>& g_events = *new std::set<Event*>;
std::set<Graph*>& g_graphs = *new std::set<Graph*>;
std::set<GraphExec*>& g_execs = *new std::set<GraphExec*>;

void note(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("cudaemu: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

// ---- streams ------------------------------------------------------------------------------------

void fault(Context* ctx, CUresult r) {
    int expected = 0;
    ctx->sticky.compare_exchange_strong(expected, int(r));
}

namespace {

void stream_loop(Stream* s) {
    Lock lock(g_mu);
    for (;;) {
        g_cv.wait(lock, [s] { return !s->queue.empty() || s->destroyed; });
        if (s->queue.empty()) break;  // destroyed and drained
        Op op = std::move(s->queue.front());
        s->queue.pop_front();
        for (const Dep& d : op.deps) {
            g_cv.wait(lock, [&d] { return d.stream->completed >= d.seq; });
        }
        Context* ctx = s->ctx;
        if (ctx->sticky.load() == 0) {  // after a fault the device runs nothing more
            lock.unlock();
            CUresult r = op.work->run();
            lock.lock();
            if (r != CUDA_SUCCESS) fault(ctx, r);
        }
        op.work.reset();
        s->completed++;
        g_cv.notify_all();
    }
}

}  // namespace

Stream* new_stream(Context* ctx, unsigned flags, bool legacy) {
    Stream* s = new Stream;
    s->ctx = ctx;
    s->flags = flags;
    s->legacy = legacy;
    s->worker = std::thread(stream_loop, s);
    s->worker.detach();
    g_streams.insert(s);
    if (!legacy) ctx->streams.push_back(s);
    return s;
}

// Queues work on s with the legacy stream's implicit ordering. Caller holds g_mu.
void enqueue(Stream* s, WorkPtr w) {
    Op op;
    op.work = std::move(w);
    Context* ctx = s->ctx;
    if (s->legacy) {
        for (Stream* o : ctx->streams) {
            if (blocking(o) && o->completed < o->enqueued) op.deps.push_back(Dep{o, o->enqueued});
        }
    } else if (blocking(s) && ctx->legacy->completed < ctx->legacy->enqueued) {
        op.deps.push_back(Dep{ctx->legacy, ctx->legacy->enqueued});
    }
    s->queue.push_back(std::move(op));
    s->enqueued++;
    g_cv.notify_all();
}

// Waits until s has run everything queued so far. Caller holds g_mu (through lock).
void wait_stream(Lock& lock, Stream* s) {
    const uint64_t target = s->enqueued;
    g_cv.wait(lock, [s, target] { return s->completed >= target; });
}

void wait_context(Lock& lock, Context* ctx) {
    wait_stream(lock, ctx->legacy);
    for (Stream* s : std::vector<Stream*>(ctx->streams)) wait_stream(lock, s);
}

// The stream of a handle (0: the legacy stream of ctx), or an error.
CUresult stream_of(CUstream h, Context* ctx, Stream** out) {
    if (h == nullptr || h == CU_STREAM_LEGACY) {
        *out = ctx->legacy;
        return CUDA_SUCCESS;
    }
    if (h == CU_STREAM_PER_THREAD) return CUDA_ERROR_NOT_SUPPORTED;
    Stream* s = reinterpret_cast<Stream*>(h);
    if (g_streams.count(s) == 0 || s->destroyed) return CUDA_ERROR_INVALID_HANDLE;
    if (s->ctx != ctx) return CUDA_ERROR_INVALID_CONTEXT;
    *out = s;
    return CUDA_SUCCESS;
}

}  // namespace cudaemu
