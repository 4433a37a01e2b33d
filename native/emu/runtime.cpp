// runtime.cpp — the host emulator: kernel registry, worker pool, launch(), and the device
// functions jk_cuda.h declares (__syncthreads, warp operations, __trap), which hand over to the
// worker running the calling CUDA thread. The block scheduler itself: worker.h, worker.cpp.
//
// A launch wakes up to min(workers, blocks) workers; each takes chunks of the grid from an atomic
// counter and runs one block at a time, its CUDA threads as fibers (worker.h says how).
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "futex.h"
#include "worker.h"

__thread uint3 threadIdx;
__thread uint3 blockIdx;
__thread uint3 blockDim;
__thread uint3 gridDim;

namespace jk_emu {

__thread unsigned char* dynamic_shared;

// ---- registry -------------------------------------------------------------------------------

static std::vector<Kernel>& registry() {
    static std::vector<Kernel> r;
    return r;
}

Registrar::Registrar(const char* name, Trampoline t, int nparams, const unsigned* param_sizes) {
    registry().push_back(Kernel{name, t, nparams, std::vector<unsigned>(param_sizes, param_sizes + nparams)});
}

const std::vector<Kernel>& kernels() {
    return registry();
}

int worker_count() {
    static const int n = [] {
        const char* env = getenv("JK_EMU_WORKERS");
        if (env != nullptr && atoi(env) >= 1) return std::min(atoi(env), 256);
        return std::max(2, int(std::thread::hardware_concurrency()));
    }();
    return n;
}

// ---- pool -------------------------------------------------------------------------------------

struct Pool {
    std::vector<Worker*> workers;
    std::mutex launch_mu;                // one launch at a time
    std::atomic<uint32_t> pending{0};    // workers still busy with the current launch

    Pool() {
        for (int i = 0; i < worker_count(); i++) {
            workers.push_back(new Worker(i));
            workers.back()->start();
        }
    }
};

static Pool& pool() {
    static Pool* p = new Pool();  // never destroyed: workers sleep until the process exits
    return *p;
}

void Worker::finished() {
    Pool& p = pool();
    if (p.pending.fetch_sub(1, std::memory_order_acq_rel) == 1) futex_wake(&p.pending, 1);
}

std::string launch(const Kernel& k, void** args, dim3 grid, dim3 block, int shared_bytes) {
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.launch_mu);
    Launch L;
    L.kernel = &k;
    L.args = args;
    L.grid = grid;
    L.block = block;
    L.shared_bytes = shared_bytes;
    L.total_blocks = int64_t(grid.x) * grid.y * grid.z;
    const int nw = int(std::min<int64_t>(int64_t(p.workers.size()), L.total_blocks));
    L.chunk = std::max<int64_t>(1, L.total_blocks / (int64_t(nw) * 8));
    p.pending.store(uint32_t(nw), std::memory_order_relaxed);
    for (int i = 0; i < nw; i++) {
        Worker* w = p.workers[i];
        w->launch = &L;
        w->generation.fetch_add(1, std::memory_order_release);
        futex_wake(&w->generation, 1);
    }
    uint32_t left = uint32_t(nw);
    while (left != 0) left = wait_change(&p.pending, left);
    if (L.failed.load()) return "kernel " + k.name + ": " + L.error;
    return std::string();
}

// ---- device functions of jk_cuda.h ------------------------------------------------------------

static Worker* in_kernel(const char* what) {
    Worker* w = tls_worker;
    if (w == nullptr) {
        fprintf(stderr, "jkernels emu: %s called outside a kernel\n", what);
        abort();
    }
    return w;
}

void syncthreads() { in_kernel("__syncthreads")->barrier(); }
int syncthreads_count(int pred) { return in_kernel("__syncthreads_count")->barrier_count(pred); }
uint64_t warp_op(int op, unsigned mask, uint64_t value, int arg, int width) {
    return in_kernel("a warp operation")->warp_op(op, mask, value, arg, width);
}
unsigned active_mask() { return in_kernel("__activemask")->active_mask(); }
void trap() { in_kernel("__trap")->trap(); }
void misaligned(const void* p, int bytes, const char* access) {
    Worker* w = tls_worker;
    if (w == nullptr) return;  // host code (a test's own use of the helpers): nothing to emulate
    char what[160];
    snprintf(what, sizeof what, "misaligned address: %d-byte vector %s at %p (not %d-byte aligned; a GPU faults with "
             "CUDA_ERROR_MISALIGNED_ADDRESS)", bytes, access, p, bytes);
    w->fault(what);
}

}  // namespace jk_emu
