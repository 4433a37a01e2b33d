package io.jkernels.backend.cuda;

import static io.jkernels.backend.cuda.FfmErrors.check;
import static io.jkernels.backend.cuda.FfmErrors.error;
import static io.jkernels.backend.cuda.FfmErrors.rethrow;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jkernels.backend.KernelArgs;
import io.jkernels.backend.LaunchConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;

/**
 * The {@code ffm} binding's calls for kernels: loading a module ({@code cuModuleLoadData}), finding
 * a function in it ({@code cuModuleGetFunction}) and launching it ({@code cuLaunchKernel}, its
 * {@code void**} built in {@link FfmScratch}); {@link FfmCudaDriver} implements {@link
 * io.jkernels.backend.CudaDriver CudaDriver}'s methods of the same names with them.
 */
final class FfmKernels {

    private FfmKernels() {
    }

    static long moduleLoadData(byte[] image) {
        MemorySegment out = FfmScratch.get().out;
        // NUL-terminated (a PTX image must be; harmless for cubin and fatbin), 16-byte aligned. The
        // copy is kept for the life of the process when the load succeeds: modules are never
        // unloaded here, and the driver's lazy loading (CUDA_MODULE_LOADING=LAZY, the default since
        // 12.2) must never find the image gone.
        Arena arena = Arena.ofShared();
        MemorySegment data = arena.allocate(image.length + 1L, 16);
        MemorySegment.copy(image, 0, data, JAVA_BYTE, 0, image.length);
        data.set(JAVA_BYTE, image.length, (byte) 0);
        int r;
        try {
            r = (int) FfmDowncalls.cuModuleLoadData.invokeExact(out, data);
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
        if (r != 0) {
            arena.close();
            throw error(r, "cuModuleLoadData");
        }
        return out.get(JAVA_LONG, 0);
    }

    static long moduleGetFunction(long module, String name) {
        MemorySegment out = FfmScratch.get().out;
        int r;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name);
            r = (int) FfmDowncalls.cuModuleGetFunction.invokeExact(out, module, cName);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r != 0) {
            throw error(r, "cuModuleGetFunction(" + name + ")");
        }
        return out.get(JAVA_LONG, 0);
    }

    static void launchKernel(long function, LaunchConfig config, long stream, KernelArgs args) {
        FfmScratch s = FfmScratch.get();
        ByteBuffer b = args.buffer();
        long base = s.argsBase(b);
        MemorySegment params = s.params;
        int n = args.count();
        for (int i = 0; i < n; i++) {
            params.setAtIndex(JAVA_LONG, i, base + args.offset(i));
        }
        int r;
        try {
            r = (int) FfmDowncalls.cuLaunchKernel.invokeExact(function, config.gridX(), config.gridY(), config.gridZ(),
                    config.blockX(), config.blockY(), config.blockZ(), config.sharedBytes(), stream, params,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Reference.reachabilityFence(b);
        }
        check(r, "cuLaunchKernel");
    }
}
