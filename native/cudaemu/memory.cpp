// memory.cpp — the emulated device memory: each device's address range of its own (reserved
// when its context is made, so device memory never aliases the host heap), the allocator in it
// (pages mapped read/write per allocation, an unmapped guard page after each, made inaccessible
// again when freed, free ranges coalesced), and the range checks every copy and memset makes.
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <iterator>

#include "cudaemu.h"

namespace cudaemu {

// ---- address ranges and range checks ------------------------------------------------------------

Context* device_of_address(uintptr_t p) {
    for (int d = 0; d < g_device_count; d++) {
        Context* c = g_ctx[d];
        if (p >= c->range_base && p < c->range_base + kDeviceRange) return c;
    }
    return nullptr;
}

// Whether [p, p + n) lies in one live allocation (of any device; unified addressing).
bool device_range(CUdeviceptr p, size_t n) {
    const uintptr_t a = uintptr_t(p);
    Context* c = device_of_address(a);
    if (c == nullptr) return false;
    auto it = c->allocs.upper_bound(a);
    if (it == c->allocs.begin()) return false;
    --it;
    const Allocation& al = it->second;
    return a >= al.base && n <= al.bytes && a - al.base <= al.bytes - n;
}

bool host_range(const void* p, size_t n) {
    if (p == nullptr) return false;
    const uintptr_t a = uintptr_t(p);
    for (int d = 0; d < g_device_count; d++) {
        const uintptr_t lo = g_ctx[d]->range_base, hi = lo + kDeviceRange;
        if (a < hi && a + n > lo) return false;  // a device address passed as a host pointer
    }
    return true;
}

// ---- the allocator ------------------------------------------------------------------------------

namespace {

size_t page_size() {
    static const size_t p = size_t(sysconf(_SC_PAGESIZE));
    return p;
}

}  // namespace

CUresult device_alloc(Context* c, size_t bytes, uintptr_t* out) {
    const size_t pg = page_size();
    const size_t mapped = (bytes + pg - 1) / pg * pg;
    const size_t need = mapped + pg;  // + a guard page
    if (bytes > kDeviceTotalMem - c->used) return CUDA_ERROR_OUT_OF_MEMORY;
    for (auto it = c->free_ranges.begin(); it != c->free_ranges.end(); ++it) {
        if (it->second < need) continue;
        const uintptr_t off = it->first;
        const size_t len = it->second;
        c->free_ranges.erase(it);
        if (len > need) c->free_ranges[off + need] = len - need;
        const uintptr_t base = c->range_base + off;
        if (mprotect(reinterpret_cast<void*>(base), mapped, PROT_READ | PROT_WRITE) != 0) {
            c->free_ranges[off] = need;  // (not re-coalesced: the next free merges it)
            return CUDA_ERROR_OUT_OF_MEMORY;
        }
        c->allocs[base] = Allocation{base, bytes, mapped};
        c->used += bytes;
        *out = base;
        return CUDA_SUCCESS;
    }
    return CUDA_ERROR_OUT_OF_MEMORY;
}

void device_release(Context* c, const Allocation& a) {
    void* p = reinterpret_cast<void*>(a.base);
    madvise(p, a.mapped, MADV_DONTNEED);
    mprotect(p, a.mapped, PROT_NONE);  // a later access by a kernel faults instead of reading stale data
    c->used -= a.bytes;
    uintptr_t off = a.base - c->range_base;
    size_t len = a.mapped + page_size();
    auto next = c->free_ranges.lower_bound(off);
    if (next != c->free_ranges.end() && off + len == next->first) {
        len += next->second;
        next = c->free_ranges.erase(next);
    }
    if (next != c->free_ranges.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second == off) {
            prev->second += len;
            return;
        }
    }
    c->free_ranges[off] = len;
}

Context* new_context(int device) {
    Context* c = new Context;
    c->device = device;
    void* range = mmap(nullptr, kDeviceRange, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (range == MAP_FAILED) {
        note("cannot reserve %zu bytes of address space for device %d", kDeviceRange, device);
        abort();
    }
    c->range_base = uintptr_t(range);
    c->free_ranges[0] = kDeviceRange;
    c->legacy = new_stream(c, 0, true);
    return c;
}

}  // namespace cudaemu
