package io.jkernels.backend.cuda;

import io.jkernels.backend.KernelArgs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Per-thread native scratch memory of the {@code ffm} binding.
 *
 * <p>Output parameters, the device-name buffer and the kernel's {@code void**} live in a small
 * native scratch area per thread (automatic arena, freed with the thread's scratch object), so a
 * launch allocates nothing: the {@code void**} entries are the argument buffer's native address
 * (taken once per buffer) plus each argument's offset.
 */
final class FfmScratch {

    /** The size of {@link #name}, the terminating NUL included. */
    static final int NAME_BYTES = 256;

    private static final ThreadLocal<FfmScratch> SCRATCH = ThreadLocal.withInitial(FfmScratch::new);

    /** 16 bytes for a call's output parameter. */
    final MemorySegment out;
    /** {@link #NAME_BYTES} bytes for the device name. */
    final MemorySegment name;
    /** The kernel's {@code void**}, room for {@link KernelArgs#MAX_ARGS} pointers. */
    final MemorySegment params;
    private ByteBuffer argsBuffer;
    private long argsBase;

    private FfmScratch() {
        Arena arena = Arena.ofAuto();
        out = arena.allocate(16, 16);
        name = arena.allocate(NAME_BYTES, 16);
        params = arena.allocate(8L * KernelArgs.MAX_ARGS, 16);
    }

    /** The calling thread's scratch. */
    static FfmScratch get() {
        return SCRATCH.get();
    }

    /** Native address of element 0 of the argument buffer (cached for the last buffer seen). */
    long argsBase(ByteBuffer b) {
        if (b != argsBuffer) {
            if (!b.isDirect()) {
                throw new IllegalArgumentException("cuLaunchKernel: kernel arguments must be in a direct buffer");
            }
            argsBase = MemorySegment.ofBuffer(b).address() - b.position();
            argsBuffer = b;
        }
        return argsBase;
    }
}
