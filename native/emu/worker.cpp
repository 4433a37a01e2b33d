// worker.cpp — the block scheduler: one worker of the pool (an OS thread) runs the blocks of a
// launch one at a time, each block's CUDA threads as fibers on carriers (worker.h), switching at
// __syncthreads and warp operations only; barriers, warp shuffles/votes/reductions, faults.
//
// A worker takes chunks of the grid from the launch's atomic counter (launch(), runtime.cpp) until
// none is left or a block has failed, then reports to the pool (Worker::finished, runtime.cpp).
#include "worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <thread>

#include "futex.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define JK_EMU_ASAN 1
#else
#define JK_EMU_ASAN 0
#endif

namespace jk_emu {

__thread Worker* tls_worker;

// ---- sanitizer fiber annotations ---------------------------------------------------------------
// NOTE [ASan and fibers]: ASan must be told before every stack switch (start) and after it
// (finish), else it takes the fiber stack for a corrupt thread stack and reports false errors.
// A fiber that will never be resumed passes a null fake-stack slot to start.

static inline void asan_start(void** fake, const void* bottom, size_t size) {
#if JK_EMU_ASAN
    __sanitizer_start_switch_fiber(fake, bottom, size);
#else
    (void)fake, (void)bottom, (void)size;
#endif
}

static inline void asan_finish(void* fake, const void** bottom_old, size_t* size_old) {
#if JK_EMU_ASAN
    __sanitizer_finish_switch_fiber(fake, bottom_old, size_old);
#else
    (void)fake, (void)bottom_old, (void)size_old;
#endif
}

#if JK_EMU_ASAN
constexpr size_t kStackBytes = 256 * 1024;  // ASan frames are larger, and reports run on the fiber
#else
constexpr size_t kStackBytes = 64 * 1024;
#endif

static void carrier_main(void* arg);

void Worker::start() { std::thread([this] { loop(); }).detach(); }

// ---- called on a fiber (the running CUDA thread) --------------------------------------------------

void Worker::fault(const char* what) {
    fail_here(what);
    to_scheduler(current_->carrier, ST_TRAP, /*dying=*/true);
    __builtin_unreachable();
}

void Worker::trap() { fault("__trap()"); }

void Worker::barrier() { to_scheduler(current_->carrier, ST_BARRIER, false); }

int Worker::barrier_count(int pred) {
    const unsigned gen = barrier_gen_;
    count_[gen & 1] += pred != 0;
    to_scheduler(current_->carrier, ST_BARRIER, false);
    return count_[gen & 1];
}

uint64_t Worker::warp_op(int op, unsigned mask, uint64_t value, int arg, int width) {
    Thread* t = current_;
    Warp& w = warps_[t->warp];
    const int l = t->lane;
    w.val[l] = value;
    w.mask[l] = mask;
    w.op[l] = op;
    w.arg[l] = arg;
    w.width[l] = width;
    w.arrived |= 1u << l;
    if (!try_complete(w, t->warp, l, t)) to_scheduler(current_->carrier, ST_WARP, false);
    return t->warp_result;
}

unsigned Worker::active_mask() const { return warps_[current_->warp].live; }

void Worker::to_scheduler(Carrier* c, int status, bool dying) {
    status_ = status;
    asan_start(dying ? nullptr : &c->fake, sched_bottom_, sched_size_);
    fiber_switch(&c->ctx, &sched_);
    asan_finish(c->fake, nullptr, nullptr);
}

void Worker::fail_here(const char* what) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s in block (%u, %u, %u), thread (%u, %u, %u)", what, blockIdx.x, blockIdx.y,
             blockIdx.z, threadIdx.x, threadIdx.y, threadIdx.z);
    launch->fail(buf);
}

void Worker::carrier_started() { asan_finish(nullptr, &sched_bottom_, &sched_size_); }

// ---- the worker's loop and its launches -----------------------------------------------------------

void Worker::loop() {
    tls_worker = this;
    sigset_t set;  // process-directed signals go to the JVM's threads, never to a fiber stack
    sigfillset(&set);
    for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    smem_ = static_cast<unsigned char*>(aligned_alloc(256, kSharedMemBuffer));
    uint32_t seen = 0;
    for (;;) {
        seen = wait_change(&generation, seen);
        run_launch(launch);
        finished();
    }
}

void Worker::run_launch(Launch* L) {
    if (L->block.x != dims_.x || L->block.y != dims_.y || L->block.z != dims_.z) set_block_dims(L->block);
    blockDim = uint3{L->block.x, L->block.y, L->block.z};
    gridDim = uint3{L->grid.x, L->grid.y, L->grid.z};
    dynamic_shared = smem_;
#if JK_EMU_ASAN  // reading past the launch's dynamic shared memory is an ASan error
    ASAN_UNPOISON_MEMORY_REGION(smem_, L->shared_bytes);
    ASAN_POISON_MEMORY_REGION(smem_ + L->shared_bytes, kSharedMemBuffer - L->shared_bytes);
#endif
    const int64_t gxy = int64_t(L->grid.x) * L->grid.y;
    while (!L->failed.load(std::memory_order_relaxed)) {
        const int64_t first = L->next_block.fetch_add(L->chunk, std::memory_order_relaxed);
        if (first >= L->total_blocks) break;
        const int64_t last = std::min(first + L->chunk, L->total_blocks);
        for (int64_t b = first; b < last && !L->failed.load(std::memory_order_relaxed); b++) {
            blockIdx = uint3{unsigned(b % L->grid.x), unsigned((b / L->grid.x) % L->grid.y), unsigned(b / gxy)};
            run_block();
        }
    }
}

void Worker::set_block_dims(dim3 d) {
    dims_ = d;
    nthreads_ = int(d.x * d.y * d.z);
    for (int i = 0; i < nthreads_; i++) {
        threads_[i].idx = uint3{unsigned(i % d.x), unsigned((i / d.x) % d.y), unsigned(i / (d.x * d.y))};
        threads_[i].lane = i & 31;
        threads_[i].warp = i >> 5;
        threads_[i].carrier = nullptr;
    }
    nwarps_ = (nthreads_ + 31) >> 5;
    for (int w = 0; w < nwarps_; w++) {
        const int lanes = std::min(32, nthreads_ - 32 * w);
        warps_[w].exists = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1;
    }
}

void Worker::push_ready(Thread* t) { ready_[rtail_++ & 1023] = t; }

// ---- the scheduler of one block -------------------------------------------------------------------

// Runs threads until all have exited, releasing barriers when every live thread waits at one. A
// carrier whose thread exits goes on with the next unstarted thread itself when nothing else is
// ready (next_on_carrier), so a kernel without barriers or warp operations runs a whole block with
// two context switches.
void Worker::run_block() {
    for (int w = 0; w < nwarps_; w++) {
        warps_[w].live = warps_[w].exists;
        warps_[w].arrived = 0;
    }
    rhead_ = rtail_ = 0;
    at_barrier_ = 0;
    barrier_gen_ = 0;
    count_[0] = count_[1] = 0;
    done_ = 0;
    next_ = 0;
    for (;;) {
        Thread* t;
        if (rhead_ != rtail_) {
            t = ready_[rhead_++ & 1023];
        } else if (next_ < nthreads_) {
            t = &threads_[next_++];
            t->carrier = idle_carrier();
            if (t->carrier == nullptr) {
                launch->fail("cannot map a fiber stack (out of memory)");
                abandon_block();
                return;
            }
        } else {
            break;
        }
        if (launch->failed.load(std::memory_order_relaxed)) {  // another block failed: stop early
            abandon_block();  // resets every carrier still held, t's included
            return;
        }
        Carrier* c = t->carrier;
        current_ = t;
        threadIdx = t->idx;
        asan_start(&sched_fake_, c->lo, kStackBytes);
        fiber_switch(&sched_, &c->ctx);
        asan_finish(sched_fake_, nullptr, nullptr);
        Thread* stopped = current_;  // the carrier may have run several threads
        switch (status_) {
            case ST_DONE:  // next_on_carrier did the bookkeeping
                idle_.push_back(c);
                break;
            case ST_BARRIER:
                barrier_[at_barrier_++] = stopped;
                release_barrier_if_complete();
                break;
            case ST_WARP:
                break;
            default:  // ST_TRAP: the carrier was abandoned mid-kernel; ST_FAULT: it finished
                if (status_ == ST_TRAP) reset_carrier(c);
                idle_.push_back(c);
                stopped->carrier = nullptr;
                abandon_block();
                return;
        }
    }
    if (done_ != nthreads_) {
        int in_warp = 0;
        for (int w = 0; w < nwarps_; w++) in_warp += __builtin_popcount(warps_[w].arrived);
        char buf[256];
        snprintf(buf, sizeof buf,
                 "deadlock in block (%u, %u, %u): %d threads wait at __syncthreads, %d in warp operations, "
                 "%d exited",
                 blockIdx.x, blockIdx.y, blockIdx.z, at_barrier_, in_warp, done_);
        launch->fail(buf);
        abandon_block();
    }
}

void Worker::release_barrier_if_complete() {
    if (at_barrier_ > 0 && at_barrier_ == nthreads_ - done_) {
        for (int i = 0; i < at_barrier_; i++) push_ready(barrier_[i]);
        at_barrier_ = 0;
        barrier_gen_++;
        count_[barrier_gen_ & 1] = 0;
    }
}

bool Worker::next_on_carrier(Carrier* c) {
    Thread* t = current_;
    t->carrier = nullptr;
    done_++;
    thread_exited(t);
    release_barrier_if_complete();
    if (rhead_ != rtail_ || next_ >= nthreads_ || launch->failed.load(std::memory_order_relaxed)) return false;
    t = &threads_[next_++];
    t->carrier = c;
    current_ = t;
    threadIdx = t->idx;
    return true;
}

// The block failed: threads still suspended never resume; their carriers start over.
void Worker::abandon_block() {
    for (int i = 0; i < next_; i++) {
        if (threads_[i].carrier != nullptr) {
            reset_carrier(threads_[i].carrier);
            idle_.push_back(threads_[i].carrier);
            threads_[i].carrier = nullptr;
        }
    }
}

// ---- warp operations ------------------------------------------------------------------------------

void Worker::thread_exited(Thread* t) {
    Warp& w = warps_[t->warp];
    w.live &= ~(1u << t->lane);
    bool progress = true;
    while (progress && w.arrived != 0) {  // the lanes waiting for it may now be complete
        progress = false;
        for (uint32_t a = w.arrived; a != 0 && !progress; a &= a - 1) {
            progress = try_complete(w, t->warp, __builtin_ctz(a), nullptr);
        }
    }
}

int Worker::source_lane(int op, int lane, int arg, int width) {
    if (width < 1 || width > 32 || (width & (width - 1)) != 0) width = 32;
    const int seg = lane & ~(width - 1), pos = lane & (width - 1);
    switch (op) {
        case WARP_SHFL_IDX: return seg + (arg & (width - 1));
        case WARP_SHFL_UP: return pos >= arg ? lane - arg : lane;
        case WARP_SHFL_DOWN: return pos + arg < width ? lane + arg : lane;
        default: {  // WARP_SHFL_XOR: lanes of later segments give back the caller's own value
            const int s = lane ^ arg;
            return (s < 0 || s >= seg + width) ? lane : s;
        }
    }
}

// The warp operation `lane` waits in completes when every live lane of its mask has arrived.
// Computes every participant's result, wakes them (except `self`, which is running).
bool Worker::try_complete(Warp& w, int warp, int lane, Thread* self) {
    const uint32_t group = (w.mask[lane] | (1u << lane)) & w.live;
    if ((w.arrived & group) != group) return false;
    Thread* base = &threads_[warp * 32];
    const int op = w.op[lane];
    uint64_t common = 0;
    if (op == WARP_BALLOT || op == WARP_ALL || op == WARP_ANY) {
        uint32_t votes = 0;
        for (uint32_t g = group; g != 0; g &= g - 1) {
            const int l = __builtin_ctz(g);
            if (w.val[l] != 0) votes |= 1u << l;
        }
        common = op == WARP_BALLOT ? votes : op == WARP_ALL ? votes == group : votes != 0;
    } else if (op >= WARP_REDUCE_ADD) {
        uint32_t acc = uint32_t(w.val[__builtin_ctz(group)]);
        for (uint32_t g = group & (group - 1); g != 0; g &= g - 1) {
            const uint32_t v = uint32_t(w.val[__builtin_ctz(g)]);
            switch (op) {
                case WARP_REDUCE_ADD: acc += v; break;
                case WARP_REDUCE_MIN_I: acc = int32_t(v) < int32_t(acc) ? v : acc; break;
                case WARP_REDUCE_MAX_I: acc = int32_t(v) > int32_t(acc) ? v : acc; break;
                case WARP_REDUCE_MIN_U: acc = std::min(acc, v); break;
                case WARP_REDUCE_MAX_U: acc = std::max(acc, v); break;
                case WARP_REDUCE_AND: acc &= v; break;
                case WARP_REDUCE_OR: acc |= v; break;
                default: acc ^= v; break;
            }
        }
        common = acc;
    }
    const bool shuffle = op >= WARP_SHFL_IDX && op <= WARP_SHFL_XOR;
    for (uint32_t g = group; g != 0; g &= g - 1) {
        const int l = __builtin_ctz(g);
        uint64_t r = common;
        if (shuffle) {
            // A source lane outside the group (absent, exited, not in the mask) is undefined on
            // the GPU; the emulator returns the caller's own value.
            const int s = source_lane(w.op[l], l, w.arg[l], w.width[l]);
            r = (s >= 0 && s < 32 && ((group >> s) & 1)) ? w.val[s] : w.val[l];
        }
        base[l].warp_result = r;
    }
    w.arrived &= ~group;
    for (uint32_t g = group; g != 0; g &= g - 1) {
        Thread* t = &base[__builtin_ctz(g)];
        if (t != self) push_ready(t);
    }
    return true;
}

// ---- carriers -------------------------------------------------------------------------------------

Carrier* Worker::idle_carrier() {
    if (!idle_.empty()) {
        Carrier* c = idle_.back();
        idle_.pop_back();
        return c;
    }
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    void* m = mmap(nullptr, kStackBytes + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (m == MAP_FAILED) return nullptr;
    mprotect(m, page, PROT_NONE);  // overflow faults instead of corrupting the next stack
    Carrier* c = new Carrier;
    c->lo = static_cast<char*>(m) + page;
    reset_carrier(c);
    return c;
}

void Worker::reset_carrier(Carrier* c) {
#if JK_EMU_ASAN  // frames left by an abandoned fiber keep their redzones poisoned
    ASAN_UNPOISON_MEMORY_REGION(c->lo, kStackBytes);
#endif
    c->fake = nullptr;
    fiber_make(&c->ctx, c->lo, kStackBytes, carrier_main, c);
}

// A carrier runs CUDA threads one after another: the scheduler assigns one (current_) and
// switches in; the carrier runs the kernel for it and switches back with the outcome.
static void carrier_main(void* arg) {
    Carrier* c = static_cast<Carrier*>(arg);
    Worker* w = tls_worker;
    w->carrier_started();
    for (;;) {
        int status = ST_DONE;
        try {
            w->launch->kernel->trampoline(w->launch->args);
        } catch (const std::exception& e) {
            w->fail_here((std::string("exception: ") + e.what()).c_str());
            status = ST_FAULT;
        } catch (...) {
            w->fail_here("unknown exception");
            status = ST_FAULT;
        }
        if (status == ST_DONE && w->next_on_carrier(c)) continue;
        w->to_scheduler(c, status, false);
    }
}

}  // namespace jk_emu
