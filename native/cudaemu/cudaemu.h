// cudaemu.h — libcuda.so.1 on the CPU: the CUDA driver API calls jkernels uses, with cuda.h's
// prototypes, versioned symbol names and CUresult codes, implemented over the host emulator
// (native/emu/runtime.cpp). Selected by the library path only:
//
//     LD_LIBRARY_PATH=target/native/cudaemu java -jar target/jkernels.jar info
//
// so the real CudaBackend, both bindings (FFM downcalls, JCuda's JNI library) and every launch
// run without a GPU. What it emulates, and how strictly:
//   - devices: JK_CUDAEMU_DEVICES (default 1, at most 8) devices with an H200's attributes
//     (132 SMs, sm_90, 48 KB shared memory per block, 227 KB opt-in, grid y/z <= 65535 ...);
//     one primary context each, current per thread (cuCtxSetCurrent); calls that need a
//     context fail with CUDA_ERROR_INVALID_CONTEXT without one, and a stream of another
//     context is CUDA_ERROR_INVALID_CONTEXT too.
//   - modules: cuModuleLoadData takes a fatbin (its magic is checked, nothing else is parsed);
//     cuModuleGetFunction finds the emulator's kernel of that name (CUDA_ERROR_NOT_FOUND if none).
//   - memory: device memory lives in an address range of its own per device (reserved, mapped
//     page by page with an unmapped guard page after every allocation, unmapped again when
//     freed), so it never aliases the host heap; every copy and memset checks its device range
//     lies in one live allocation and that a host pointer is not a device one.
//   - asynchrony: every stream (the legacy stream 0 included) is a queue served by a thread of
//     its own, so work runs after the call returns; the legacy stream waits for the blocking
//     streams and they for it, as in the driver; synchronous copies and memsets go through the
//     legacy stream and return when done; cuMemFree waits for the context's pending work.
//   - strictness: launch limits as the driver checks them; kernel parameters are copied at the
//     call (sizes from the kernel's own signature); calls illegal during stream capture fail
//     with the driver's codes and invalidate the capture; a fault in a kernel (__trap, an
//     exception, a barrier deadlock) makes the context sticky-failed: every later call on it
//     returns CUDA_ERROR_LAUNCH_FAILED (CUDA_ERROR_MISALIGNED_ADDRESS for a misaligned vector
//     access), and the message goes to stderr.
//   - graphs: stream capture records launches, copies and memsets; instantiate + launch replay
//     them in order on a stream.
// Everything the JCuda native library links against but jkernels does not use is a stub that
// returns CUDA_ERROR_NOT_SUPPORTED and says so on stderr (stubs.cpp).
//
// The files: this header (the card's limits, the state every file shares, the helpers between
// files); streams.cpp (the state's definitions, stream threads and queues, the legacy stream's
// ordering, waiting); memory.cpp (each device's address range, the allocator, the range checks);
// the API by area: api_device.cpp (errors, init, devices, contexts and the current one, modules,
// functions), api_memory.cpp (alloc, free, copies, memsets), api_stream.cpp (launch, streams,
// events), api_graph.cpp (the capture rules, capture, graphs); stubs.cpp (the rest).
// Internal names live in namespace cudaemu and stay hidden (-fvisibility=hidden); the API
// functions are the only exports (API below, exports.map).
#pragma once

#include <cuda.h>
#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "runtime.h"

#define API extern "C" __attribute__((visibility("default")))

namespace cudaemu {

// ---- limits of the emulated card (an NVIDIA H200, sm_90; its attributes: api_device.cpp) --------

constexpr int kMaxDevices = 8;
constexpr size_t kDeviceTotalMem = 150109880320ull;  // what an H200 reports (about 139.8 GiB)
constexpr size_t kDeviceRange = size_t(256) << 30;   // address range reserved per device
constexpr int kSharedPerBlock = 48 * 1024;
constexpr int kSharedOptin = 232448;                 // 227 KB
constexpr int kDriverVersion = 13000;

// Prints fmt (printf-style) and a newline to stderr, prefixed "cudaemu: ".
void note(const char* fmt, ...);

// ---- state (defined in streams.cpp) -------------------------------------------------------------

// One mutex guards every object below; stream threads release it while they run work. Never
// destroyed (nor anything else here): stream threads still wait on them while the process exits,
// and a condition variable's destructor would wait for its waiters.
extern std::mutex& g_mu;
extern std::condition_variable& g_cv;  // work completed, or new work queued
extern bool g_initialized;
extern int g_device_count;

struct Context;
struct Graph;

struct Work {  // one unit of stream work; run on the stream's thread, without g_mu
    virtual ~Work() = default;
    virtual CUresult run() = 0;     // a non-success result is a fault: the context becomes sticky
    virtual bool is_kernel() const { return false; }
};
using WorkPtr = std::shared_ptr<Work>;

struct Stream;
struct Dep {
    Stream* stream;
    uint64_t seq;  // wait until stream->completed >= seq
};

struct Op {
    WorkPtr work;
    std::vector<Dep> deps;
};

struct Stream {
    Context* ctx;
    unsigned flags;
    bool legacy;
    std::deque<Op> queue;
    uint64_t enqueued = 0, completed = 0;
    bool destroyed = false;
    // capture
    Graph* capture = nullptr;
    CUstreamCaptureMode capture_mode = CU_STREAM_CAPTURE_MODE_GLOBAL;
    std::thread::id capture_thread;
    bool capture_invalid = false;
    std::thread worker;
};

struct Allocation {
    uintptr_t base;
    size_t bytes;     // requested
    size_t mapped;    // pages mapped read/write (the guard page after them is not)
};

struct Context {
    int device;
    int refcount = 0;
    std::atomic<int> sticky{0};  // CUresult of the first fault, 0 while healthy
    Stream* legacy = nullptr;
    std::vector<Stream*> streams;  // live created streams
    // device memory: [range_base, range_base + kDeviceRange)
    uintptr_t range_base = 0;
    std::map<uintptr_t, Allocation> allocs;  // by base
    std::map<uintptr_t, size_t> free_ranges;  // offset -> length, coalesced
    size_t used = 0;
};

struct Module {
    Context* ctx;
};

struct Function {
    Context* ctx;
    const jk_emu::Kernel* kernel;
    int max_dynamic_shared = kSharedPerBlock;
};

struct Event {
    Context* ctx;
    unsigned flags;
    Stream* stream = nullptr;  // of the last record, null before the first
    uint64_t seq = 0;
    std::shared_ptr<std::chrono::steady_clock::time_point> when;  // set when the record runs
    bool captured = false;
};

struct Graph {
    Context* ctx;
    std::vector<WorkPtr> nodes;
};

struct GraphExec {
    Context* ctx;
    std::vector<WorkPtr> nodes;
};

extern Context* g_ctx[kMaxDevices];
extern std::set<Stream*>& g_streams;
extern std::set<Module*>& g_modules;
extern std::set<Function*>& g_functions;
extern std::set<Event*>& g_events;
extern std::set<Graph*>& g_graphs;
extern std::set<GraphExec*>& g_execs;

// The calling thread's current context and capture mode are thread_locals of the files that
// use them (api_device.cpp, api_graph.cpp), not shared here.

using Lock = std::unique_lock<std::mutex>;

// ---- streams (streams.cpp) ----------------------------------------------------------------------

// Records the first fault of ctx: from then on it is sticky-failed.
void fault(Context* ctx, CUresult r);
// A new stream of ctx with its own thread; the legacy one is not in ctx->streams.
Stream* new_stream(Context* ctx, unsigned flags, bool legacy);
inline bool blocking(const Stream* s) { return !s->legacy && (s->flags & CU_STREAM_NON_BLOCKING) == 0; }
// Queues work on s with the legacy stream's implicit ordering. Caller holds g_mu.
void enqueue(Stream* s, WorkPtr w);
// Waits until s has run everything queued so far. Caller holds g_mu (through lock).
void wait_stream(Lock& lock, Stream* s);
// Waits until every stream of ctx, the legacy one included, has run everything queued so far.
void wait_context(Lock& lock, Context* ctx);
// The stream of a handle (0: the legacy stream of ctx), or an error.
CUresult stream_of(CUstream h, Context* ctx, Stream** out);

// ---- contexts (api_device.cpp) ------------------------------------------------------------------

#define CHECK_INIT()                                                    \
    do {                                                                \
        if (!cudaemu::g_initialized) return CUDA_ERROR_NOT_INITIALIZED; \
    } while (0)

// The current context, or an error: none set, or sticky-failed.
CUresult current(Context** out);

#define CURRENT(ctx)                                \
    cudaemu::Context* ctx = nullptr;                \
    do {                                            \
        CUresult r_ = cudaemu::current(&ctx);       \
        if (r_ != CUDA_SUCCESS) return r_;          \
    } while (0)

// Declares `Stream* s` for the handle h in the current context ctx (see CURRENT), or returns the
// error (stream_of's).
#define STREAM_OF(s, h)                                        \
    cudaemu::Stream* s = nullptr;                              \
    do {                                                       \
        CUresult r_ = cudaemu::stream_of((h), ctx, &s);         \
        if (r_ != CUDA_SUCCESS) return r_;                     \
    } while (0)

// The context of a handle, or null.
Context* context_of(CUcontext c);

// ---- capture rules (api_graph.cpp) --------------------------------------------------------------

// Whether the calling thread may make a "potentially unsafe" call; when not, the captures that
// forbid it are invalidated. Caller holds g_mu.
bool unsafe_call_allowed(Context* ctx);
// Whether ctx's legacy stream may be used now (no blocking stream of ctx captures); when not,
// those captures are invalidated. Caller holds g_mu.
bool legacy_use_allowed(Context* ctx);
// Queues w on s, or records it when s captures. Caller holds g_mu.
CUresult submit(Stream* s, WorkPtr w);

// ---- device memory (memory.cpp) -----------------------------------------------------------------

// The device whose address range holds p, or null.
Context* device_of_address(uintptr_t p);
// Whether [p, p + n) lies in one live allocation (of any device; unified addressing).
bool device_range(CUdeviceptr p, size_t n);
// Whether [p, p + n) is a host range: not null, not overlapping any device's address range.
bool host_range(const void* p, size_t n);
// Maps bytes (rounded up to pages) + an unmapped guard page in c's range. Caller holds g_mu.
CUresult device_alloc(Context* c, size_t bytes, uintptr_t* out);
// Makes a's pages (already out of c->allocs) inaccessible and returns them to c's free ranges.
void device_release(Context* c, const Allocation& a);
// The primary context of device: its address range reserved (aborts if it cannot be), its
// legacy stream started.
Context* new_context(int device);

}  // namespace cudaemu
