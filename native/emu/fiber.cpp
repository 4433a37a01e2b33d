// fiber.cpp — see fiber.h.
#include "fiber.h"

#include <stdint.h>

#if defined(__x86_64__) && !defined(JK_EMU_UCONTEXT)

// jk_fiber_switch(void** save_sp, void* new_sp): push rbp, rbx, r12-r15, store rsp in *save_sp,
// load new_sp, pop the same in reverse and return into the other context. The MXCSR and x87
// control words are not switched (ldmxcsr/fldcw cost more than the rest): kernels never change
// rounding modes, so every fiber of a worker shares the worker's. jk_fiber_start is the first "return address" of a new fiber: it calls r13(r12).
asm(R"(
    .text
    .globl jk_fiber_switch
    .hidden jk_fiber_switch
    .type jk_fiber_switch, @function
    .p2align 4
jk_fiber_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size jk_fiber_switch, .-jk_fiber_switch

    .globl jk_fiber_start
    .hidden jk_fiber_start
    .type jk_fiber_start, @function
    .p2align 4
jk_fiber_start:
    movq %r12, %rdi
    callq *%r13
    ud2
    .size jk_fiber_start, .-jk_fiber_start
)");

extern "C" void jk_fiber_switch(void** save_sp, void* new_sp);
extern "C" void jk_fiber_start();

namespace jk_emu {

void fiber_make(FiberContext* ctx, char* lo, size_t size, void (*fn)(void*), void* arg) {
    // Frame popped by jk_fiber_switch, from the new sp upwards: r15, r14, r13 (fn), r12 (arg), rbx,
    // rbp (0: ends frame-pointer backtraces), return address (jk_fiber_start). After the ret,
    // rsp = top - 16, 16-byte aligned before jk_fiber_start's call, as the ABI wants.
    uintptr_t top = (reinterpret_cast<uintptr_t>(lo) + size) & ~uintptr_t(15);
    uint64_t* sp = reinterpret_cast<uint64_t*>(top - 72);
    sp[0] = 0;
    sp[1] = 0;
    sp[2] = reinterpret_cast<uint64_t>(fn);
    sp[3] = reinterpret_cast<uint64_t>(arg);
    sp[4] = 0;
    sp[5] = 0;
    sp[6] = reinterpret_cast<uint64_t>(&jk_fiber_start);
    ctx->sp = sp;
}

void fiber_switch(FiberContext* from, FiberContext* to) {
    jk_fiber_switch(&from->sp, to->sp);
}

}  // namespace jk_emu

#else

namespace jk_emu {

namespace {
void fiber_entry(unsigned hi_fn, unsigned lo_fn, unsigned hi_arg, unsigned lo_arg) {
    auto fn = reinterpret_cast<void (*)(void*)>((uintptr_t(hi_fn) << 32) | lo_fn);
    fn(reinterpret_cast<void*>((uintptr_t(hi_arg) << 32) | lo_arg));
}
}  // namespace

void fiber_make(FiberContext* ctx, char* lo, size_t size, void (*fn)(void*), void* arg) {
    getcontext(&ctx->uc);
    ctx->uc.uc_stack.ss_sp = lo;
    ctx->uc.uc_stack.ss_size = size;
    ctx->uc.uc_link = nullptr;
    uintptr_t f = reinterpret_cast<uintptr_t>(fn), a = reinterpret_cast<uintptr_t>(arg);
    makecontext(&ctx->uc, reinterpret_cast<void (*)()>(fiber_entry), 4, unsigned(f >> 32), unsigned(f),
                unsigned(a >> 32), unsigned(a));
}

void fiber_switch(FiberContext* from, FiberContext* to) {
    swapcontext(&from->uc, &to->uc);
}

}  // namespace jk_emu

#endif
