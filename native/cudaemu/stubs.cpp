// stubs.cpp — every driver API function the JCuda native library (libJCudaDriver, JCuda 12.6) links
// against, as a weak definition that says on stderr it is not emulated and returns
// CUDA_ERROR_NOT_SUPPORTED (801). The strong definitions in api_*.cpp replace the ones jkernels uses.
// The list (stubs.txt) is `nm -D --undefined-only libJCudaDriver-12.6.0-linux-x86_64.so`'s cu* names.
// No cuda.h here: its macros would rename the legacy names this list spells out.
#include <stdio.h>

namespace {
int not_emulated(const char* name) {
    fprintf(stderr, "cudaemu: %s is not emulated (CUDA_ERROR_NOT_SUPPORTED)\n", name);
    return 801;
}
}  // namespace

#define JK_STUB(name) \
    extern "C" __attribute__((weak, visibility("default"))) int name(...) { return not_emulated(#name); }
#include "stubs.inc"
