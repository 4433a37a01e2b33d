// jni.cpp — the JNI entry points of io.jkernels.backend.emu.EmuNative (its private native
// methods, named <method>0): device memory as 256-byte aligned host memory, copies, fills, the
// kernel registry, launches and the device properties.
#include <jni.h>
#include <stdlib.h>
#include <string.h>

#include <string>

#include "runtime.h"

namespace {

void throw_java(JNIEnv* env, const char* cls, const std::string& message) {
    jclass c = env->FindClass(cls);
    if (c != nullptr) env->ThrowNew(c, message.c_str());
}

void* as_ptr(jlong p) { return reinterpret_cast<void*>(static_cast<intptr_t>(p)); }

// The direct buffer's address + offset if [offset, offset + bytes) lies in it, else throws.
char* buffer_range(JNIEnv* env, jobject buf, jlong offset, jlong bytes, const char* what) {
    char* base = buf == nullptr ? nullptr : static_cast<char*>(env->GetDirectBufferAddress(buf));
    if (base == nullptr) {
        throw_java(env, "java/lang/IllegalArgumentException", std::string(what) + " is not a direct buffer");
        return nullptr;
    }
    const jlong cap = env->GetDirectBufferCapacity(buf);
    if (offset < 0 || bytes < 0 || offset > cap || bytes > cap - offset) {
        throw_java(env, "java/lang/IllegalArgumentException",
                   std::string(what) + ": range [" + std::to_string(offset) + ", " + std::to_string(offset) +
                       " + " + std::to_string(bytes) + ") outside its capacity " + std::to_string(cap));
        return nullptr;
    }
    return base + offset;
}

bool check_pointer(JNIEnv* env, jlong p, jlong bytes, const char* what) {
    if (bytes < 0) {
        throw_java(env, "java/lang/IllegalArgumentException", std::string("negative byte count ") + std::to_string(bytes));
        return false;
    }
    if (p == 0 && bytes > 0) {
        throw_java(env, "java/lang/IllegalArgumentException", std::string(what) + " is a null pointer");
        return false;
    }
    return true;
}

}  // namespace

#define JK_JNI(ret, name) extern "C" JNIEXPORT ret JNICALL Java_io_jkernels_backend_emu_EmuNative_##name

JK_JNI(jlong, malloc0)(JNIEnv* env, jclass, jlong bytes) {
    if (bytes < 0) {
        throw_java(env, "java/lang/IllegalArgumentException", "negative allocation size " + std::to_string(bytes));
        return 0;
    }
    // The exact size, so that ASan's redzone starts right after the last byte.
    void* p = nullptr;
    if (posix_memalign(&p, 256, size_t(bytes)) != 0) p = nullptr;
    if (p == nullptr && bytes == 0 && posix_memalign(&p, 256, 1) != 0) p = nullptr;
    if (p == nullptr) {
        throw_java(env, "java/lang/OutOfMemoryError", "emulator device memory: cannot allocate " + std::to_string(bytes) + " bytes");
        return 0;
    }
    return static_cast<jlong>(reinterpret_cast<intptr_t>(p));
}

JK_JNI(void, free0)(JNIEnv*, jclass, jlong ptr) {
    free(as_ptr(ptr));
}

JK_JNI(void, copyFromBuffer0)(JNIEnv* env, jclass, jlong dst, jobject src, jlong src_offset, jlong bytes) {
    char* s = buffer_range(env, src, src_offset, bytes, "source buffer");
    if (s == nullptr || !check_pointer(env, dst, bytes, "destination")) return;
    if (bytes > 0) memcpy(as_ptr(dst), s, size_t(bytes));
}

JK_JNI(void, copyToBuffer0)(JNIEnv* env, jclass, jobject dst, jlong dst_offset, jlong src, jlong bytes) {
    char* d = buffer_range(env, dst, dst_offset, bytes, "destination buffer");
    if (d == nullptr || !check_pointer(env, src, bytes, "source")) return;
    if (bytes > 0) memcpy(d, as_ptr(src), size_t(bytes));
}

JK_JNI(void, copy0)(JNIEnv* env, jclass, jlong dst, jlong src, jlong bytes) {
    if (!check_pointer(env, dst, bytes, "destination") || !check_pointer(env, src, bytes, "source")) return;
    if (bytes > 0) memmove(as_ptr(dst), as_ptr(src), size_t(bytes));
}

template <typename T>
static void fill_n(char* d, jlong count, T v) {
    for (jlong i = 0; i < count; i++) memcpy(d + i * sizeof(T), &v, sizeof(T));  // any alignment
}

JK_JNI(void, fill0)(JNIEnv* env, jclass, jlong dst, jlong count, jint elem_bytes, jlong pattern) {
    if (elem_bytes != 1 && elem_bytes != 2 && elem_bytes != 4 && elem_bytes != 8) {
        throw_java(env, "java/lang/IllegalArgumentException", "element size must be 1, 2, 4 or 8, got " + std::to_string(elem_bytes));
        return;
    }
    if (count < 0 || !check_pointer(env, dst, count, "destination")) {
        if (count < 0) throw_java(env, "java/lang/IllegalArgumentException", "negative count " + std::to_string(count));
        return;
    }
    char* d = static_cast<char*>(as_ptr(dst));
    switch (elem_bytes) {
        case 1: memset(d, int(pattern & 0xff), size_t(count)); break;
        case 2: fill_n(d, count, uint16_t(pattern)); break;
        case 4: fill_n(d, count, uint32_t(pattern)); break;
        default: fill_n(d, count, uint64_t(pattern)); break;
    }
}

JK_JNI(jobjectArray, kernelNames0)(JNIEnv* env, jclass) {
    const auto& ks = jk_emu::kernels();
    jobjectArray a = env->NewObjectArray(jsize(ks.size()), env->FindClass("java/lang/String"), nullptr);
    if (a == nullptr) return nullptr;
    for (size_t i = 0; i < ks.size(); i++) {
        jstring s = env->NewStringUTF(ks[i].name.c_str());
        if (s == nullptr) return nullptr;
        env->SetObjectArrayElement(a, jsize(i), s);
        env->DeleteLocalRef(s);
    }
    return a;
}

JK_JNI(jlong, function0)(JNIEnv* env, jclass, jstring name) {
    if (name == nullptr) return 0;
    const char* n = env->GetStringUTFChars(name, nullptr);
    if (n == nullptr) return 0;
    jlong handle = 0;
    const auto& ks = jk_emu::kernels();
    for (size_t i = 0; i < ks.size() && handle == 0; i++) {
        if (ks[i].name == n) handle = jlong(i + 1);
    }
    env->ReleaseStringUTFChars(name, n);
    return handle;
}

JK_JNI(void, launch0)(JNIEnv* env, jclass, jlong function, jint gx, jint gy, jint gz, jint bx, jint by, jint bz,
                      jint shared_bytes, jobject args, jintArray offsets, jintArray sizes, jint nargs) {
    const auto& ks = jk_emu::kernels();
    if (function < 1 || function > jlong(ks.size())) {
        throw_java(env, "java/lang/IllegalArgumentException", "unknown emulator kernel handle " + std::to_string(function));
        return;
    }
    const jk_emu::Kernel& k = ks[size_t(function - 1)];
    const std::string where = "kernel " + k.name + ": ";
    const long long threads = (long long)bx * by * bz;
    if (gx < 1 || gy < 1 || gz < 1 || gy > 65535 || gz > 65535) {
        throw_java(env, "java/lang/IllegalArgumentException",
                   where + "invalid grid (" + std::to_string(gx) + ", " + std::to_string(gy) + ", " + std::to_string(gz) + ")");
        return;
    }
    if (bx < 1 || by < 1 || bz < 1 || bx > 1024 || by > 1024 || bz > 64 || threads > jk_emu::kMaxThreadsPerBlock) {
        throw_java(env, "java/lang/IllegalArgumentException",
                   where + "invalid block (" + std::to_string(bx) + ", " + std::to_string(by) + ", " + std::to_string(bz) +
                       "): at most 1024 threads, each dimension >= 1");
        return;
    }
    if (shared_bytes < 0 || shared_bytes > jk_emu::kSharedMemPerBlock) {
        throw_java(env, "java/lang/IllegalArgumentException",
                   where + "dynamic shared memory " + std::to_string(shared_bytes) + " bytes, at most " +
                       std::to_string(jk_emu::kSharedMemPerBlock));
        return;
    }
    if (nargs != k.nparams || nargs > 64) {
        throw_java(env, "java/lang/IllegalArgumentException",
                   where + "takes " + std::to_string(k.nparams) + " arguments, got " + std::to_string(nargs));
        return;
    }
    void* argv[64];
    if (nargs > 0) {
        char* base = buffer_range(env, args, 0, 0, "argument buffer");
        if (base == nullptr) return;
        if (offsets == nullptr || env->GetArrayLength(offsets) < nargs) {
            throw_java(env, "java/lang/IllegalArgumentException", where + "fewer offsets than arguments");
            return;
        }
        jint offs[64];
        env->GetIntArrayRegion(offsets, 0, nargs, offs);
        if (sizes != nullptr) {  // each argument's size must be its parameter's (i32 vs i64, pointer vs struct)
            if (env->GetArrayLength(sizes) < nargs) {
                throw_java(env, "java/lang/IllegalArgumentException", where + "fewer sizes than arguments");
                return;
            }
            jint sz[64];
            env->GetIntArrayRegion(sizes, 0, nargs, sz);
            for (int i = 0; i < nargs; i++) {
                if (unsigned(sz[i]) != k.param_sizes[size_t(i)]) {
                    throw_java(env, "java/lang/IllegalArgumentException",
                               where + "argument " + std::to_string(i) + " is " + std::to_string(sz[i]) +
                                   " bytes, the kernel's parameter " + std::to_string(i) + " is " +
                                   std::to_string(k.param_sizes[size_t(i)]) + " bytes");
                    return;
                }
            }
        }
        const jlong cap = env->GetDirectBufferCapacity(args);
        for (int i = 0; i < nargs; i++) {
            if (offs[i] < 0 || jlong(offs[i]) + k.param_sizes[size_t(i)] > cap) {
                throw_java(env, "java/lang/IllegalArgumentException",
                           where + "argument " + std::to_string(i) + " at offset " + std::to_string(offs[i]) +
                               " outside the argument buffer");
                return;
            }
            argv[i] = base + offs[i];
        }
    }
    const std::string error = jk_emu::launch(k, argv, dim3(unsigned(gx), unsigned(gy), unsigned(gz)),
                                             dim3(unsigned(bx), unsigned(by), unsigned(bz)), shared_bytes);
    if (!error.empty()) throw_java(env, "java/lang/IllegalStateException", error);
}

JK_JNI(jintArray, properties0)(JNIEnv* env, jclass) {
    const jint p[5] = {jk_emu::worker_count(), jk_emu::kMaxThreadsPerBlock, jk_emu::kMaxThreadsPerSm,
                       jk_emu::kSharedMemPerBlock, jk_emu::kWarpSize};
    jintArray a = env->NewIntArray(5);
    if (a != nullptr) env->SetIntArrayRegion(a, 0, 5, p);
    return a;
}
