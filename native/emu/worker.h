// worker.h — the block scheduler's types: a launch as the workers see it, a worker (one OS thread
// of the pool) and what it runs a block with (carriers, CUDA threads, warps). Shared by
// runtime.cpp (the pool, launch() and the device functions of jk_cuda.h) and worker.cpp (the
// scheduler: fibers, barriers, warp operations). Internal to the emulator library: hidden, like
// everything but the symbols of exports.map.
//
// A block's CUDA threads run as fibers on "carriers": a carrier is a small stack with a loop that
// runs one CUDA thread after another. A thread that finishes hands its carrier to the next
// thread, so a kernel without barriers uses one carrier and two context switches per CUDA thread;
// a thread that waits (barrier, warp op) keeps its carrier until it is resumed. Carriers belong
// to a worker and are reused across launches.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "fiber.h"
#include "runtime.h"

namespace jk_emu {

enum Status { ST_DONE, ST_BARRIER, ST_WARP, ST_TRAP, ST_FAULT };

struct Launch {
    const Kernel* kernel;
    void** args;
    dim3 grid, block;
    int shared_bytes;
    int64_t total_blocks;
    int64_t chunk;
    std::atomic<int64_t> next_block{0};
    std::atomic<bool> failed{false};
    std::mutex error_mu;
    std::string error;

    void fail(const std::string& message) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (error.empty()) error = message;
        failed.store(true, std::memory_order_relaxed);
    }
};

struct Carrier {
    FiberContext ctx;
    char* lo;      // usable stack [lo, lo + kStackBytes (worker.cpp)), a guard page below
    void* fake = nullptr;
};

struct Thread {  // one CUDA thread of the current block
    uint3 idx;
    int lane, warp;
    Carrier* carrier;
    uint64_t warp_result;
};

struct Warp {
    uint32_t exists;   // lanes present in the block
    uint32_t live;     // lanes not yet exited
    uint32_t arrived;  // lanes waiting in a warp operation
    uint32_t mask[32];
    int op[32], arg[32], width[32];
    uint64_t val[32];
};

// Member functions: worker.cpp, except finished() (runtime.cpp, the pool's side).
class Worker {
public:
    explicit Worker(int index) : index_(index) {}

    std::atomic<uint32_t> generation{0};  // bumped by the launching thread to start work
    Launch* launch = nullptr;

    void start();

    // ---- called on a fiber (the running CUDA thread) ----
    // Ends the block with an error (`what`, then where it happened), as a fault on a GPU does.
    [[noreturn]] void fault(const char* what);
    [[noreturn]] void trap();
    void barrier();
    int barrier_count(int pred);
    uint64_t warp_op(int op, unsigned mask, uint64_t value, int arg, int width);
    unsigned active_mask() const;

    // Fiber side of a switch back to the scheduler.
    void to_scheduler(Carrier* c, int status, bool dying);
    void fail_here(const char* what);
    void carrier_started();

    // On the carrier of a thread that has just exited: the block's bookkeeping, then, when no
    // suspended thread is ready to resume, start the next unstarted thread on the same carrier
    // (true) instead of switching back to the scheduler (false).
    bool next_on_carrier(Carrier* c);

private:
    void loop();
    void finished();
    void run_launch(Launch* L);
    void set_block_dims(dim3 d);
    void push_ready(Thread* t);
    void run_block();
    void release_barrier_if_complete();
    void abandon_block();
    void thread_exited(Thread* t);
    static int source_lane(int op, int lane, int arg, int width);
    bool try_complete(Warp& w, int warp, int lane, Thread* self);
    Carrier* idle_carrier();
    static void reset_carrier(Carrier* c);

    const int index_;
    unsigned char* smem_ = nullptr;
    FiberContext sched_;
    void* sched_fake_ = nullptr;
    const void* sched_bottom_ = nullptr;
    size_t sched_size_ = 0;
    int status_ = ST_DONE;
    Thread* current_ = nullptr;
    std::vector<Carrier*> idle_;

    dim3 dims_{0, 0, 0};
    int nthreads_ = 0, nwarps_ = 0, next_ = 0, done_ = 0;
    Thread threads_[kMaxThreadsPerBlock];
    Warp warps_[kMaxThreadsPerBlock / 32];
    Thread* ready_[1024];
    unsigned rhead_ = 0, rtail_ = 0;
    Thread* barrier_[kMaxThreadsPerBlock];
    int at_barrier_ = 0;
    unsigned barrier_gen_ = 0;
    int count_[2] = {0, 0};
};

// The worker of the calling OS thread (set when its loop starts), null on any other thread.
// __thread, like threadIdx: no TLS wrapper or init function, as thread_local would add.
extern __thread Worker* tls_worker JK_EMU_HIDDEN;

}  // namespace jk_emu
