// runtime.h — the host emulator's runtime, as seen by the JNI layer (jni.cpp).
//
// A launch runs every block of the grid on a pool of worker threads (one block per worker at a
// time); inside a block the CUDA threads are fibers that switch only at __syncthreads and warp
// operations, so a kernel without them runs each CUDA thread to completion in turn.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "common/jk_cuda.h"

namespace jk_emu {

struct Kernel {
    std::string name;
    Trampoline trampoline;
    int nparams;
    std::vector<unsigned> param_sizes;
};

// Limits reported to Java and enforced by launch().
constexpr int kMaxThreadsPerBlock = 1024;
constexpr int kMaxThreadsPerSm = 2048;
constexpr int kSharedMemPerBlock = 49152;
// The shared memory buffer each worker has: the opt-in maximum of an sm_90 block (227 KB), which the
// emulated driver (native/cudaemu) allows after cuFuncSetAttribute; the JNI layer allows 48 KB.
constexpr int kSharedMemBuffer = 232448;
constexpr int kWarpSize = 32;

// All registered kernels, in registration order; a kernel's handle is its index + 1.
const std::vector<Kernel>& kernels();

// Number of worker threads: JK_EMU_WORKERS if set (>= 1), else max(2, hardware threads).
int worker_count();

// Runs the whole grid and returns when every block has finished. Returns "" on success, else
// the error (a __trap(), an exception thrown by the kernel, a deadlock at a barrier).
// grid, block and shared_bytes (at most kSharedMemBuffer) must already be valid (see jni.cpp).
std::string launch(const Kernel& k, void** args, dim3 grid, dim3 block, int shared_bytes);

}  // namespace jk_emu
