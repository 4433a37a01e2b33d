// fiber.h — minimal user-space context switch for the emulator's fibers.
//
// x86-64: a few instructions of assembly (fiber.cpp) that save the callee-saved registers on the
// current stack and switch stack pointers; no system call per switch (swapcontext would save the signal mask with one).
// Elsewhere (or with -DJK_EMU_UCONTEXT): ucontext's makecontext/swapcontext.
#pragma once

#include <stddef.h>

#if defined(__x86_64__) && !defined(JK_EMU_UCONTEXT)
namespace jk_emu {
struct FiberContext {
    void* sp = nullptr;
};
}  // namespace jk_emu
#else
#include <ucontext.h>
namespace jk_emu {
struct FiberContext {
    ucontext_t uc;
};
}  // namespace jk_emu
#endif

namespace jk_emu {

// Prepares `ctx` so that switching to it runs fn(arg) on the stack [lo, lo + size). fn must never
// return (it switches away instead).
void fiber_make(FiberContext* ctx, char* lo, size_t size, void (*fn)(void*), void* arg);

// Saves the running context into `from` and resumes `to`.
void fiber_switch(FiberContext* from, FiberContext* to);

}  // namespace jk_emu
