// futex.h — how the emulator's threads wait for each other: futex wait/wake on a 32-bit atomic,
// and wait_change, which spins briefly before it sleeps. Used by the worker pool (runtime.cpp:
// waking workers, waiting for a launch to finish) and by each worker (worker.cpp: waiting for the
// next launch). Internal to the emulator library.
#pragma once

#include <linux/futex.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

namespace jk_emu {

inline void futex_wait(std::atomic<uint32_t>* a, uint32_t expected) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(a), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}

inline void futex_wake(std::atomic<uint32_t>* a, int n) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(a), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}

// Waits until *a != value: first spins for a few microseconds yielding the core (launches come
// back to back in tests; a futex sleep and wake-up costs tens of microseconds), then sleeps.
inline uint32_t wait_change(std::atomic<uint32_t>* a, uint32_t value) {
    uint32_t v = a->load(std::memory_order_acquire);
    if (v != value) return v;
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(50);
    while (std::chrono::steady_clock::now() < until) {
        for (int i = 0; i < 64; i++) {
            v = a->load(std::memory_order_acquire);
            if (v != value) return v;
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
        sched_yield();
    }
    while ((v = a->load(std::memory_order_acquire)) == value) futex_wait(a, value);
    return v;
}

}  // namespace jk_emu
