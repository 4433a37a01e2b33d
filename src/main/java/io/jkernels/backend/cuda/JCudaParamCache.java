package io.jkernels.backend.cuda;

import io.jkernels.backend.KernelArgs;
import java.nio.ByteBuffer;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/**
 * The {@code jcuda} binding's per-thread launch cache: JCuda pointer objects for the last argument
 * buffer seen, and the JCuda objects of the last function and stream launched.
 *
 * <p>Kernel arguments: JCuda builds the {@code void**} from a {@code Pointer.to(Pointer...)} whose
 * i-th element is {@code Pointer.to(buffer).withByteOffset(offset(i))} ({@code Pointer.to} of a
 * direct buffer ignores its position; it uses the buffer's base address plus the byte offset).
 * Those pointer objects are cached per thread for the last argument buffer seen, so a launch from
 * the same {@link KernelArgs} allocates nothing on the Java side: one pointer per 8-byte aligned
 * offset into it (created on first use), and for each argument count n an array of n pointers
 * wrapped once in a {@code Pointer.to(array)} whose entries are overwritten per launch (JCuda reads
 * the array when the call is made).
 *
 * <p>The function and stream: a JCuda handle object carries nothing but the native value, so the
 * object of the last function and stream this thread launched with is as good as the table's, and
 * a launch with the same handles skips the table lookups.
 */
final class JCudaParamCache {

    private static final ThreadLocal<JCudaParamCache> PARAMS = ThreadLocal.withInitial(JCudaParamCache::new);

    private ByteBuffer buffer;
    private Pointer[] byOffset = new Pointer[0];
    private final Pointer[][] arrays = new Pointer[KernelArgs.MAX_ARGS + 1][];
    private final Pointer[] params = new Pointer[KernelArgs.MAX_ARGS + 1];
    private long function;
    private CUfunction functionObject;
    private long stream;
    private CUstream streamObject;

    private JCudaParamCache() {
    }

    /** The calling thread's cache. */
    static JCudaParamCache get() {
        return PARAMS.get();
    }

    /** The JCuda object of {@code function}, from {@code functions} unless it is the last one launched. */
    CUfunction function(long function, JCudaHandles<CUfunction> functions) {
        if (function == this.function && function != 0) {
            return functionObject;
        }
        CUfunction f = functions.lookupNonNull(function, "cuLaunchKernel");
        this.function = function;
        functionObject = f;
        return f;
    }

    /** The JCuda object of {@code stream}, from {@code streams} unless it is the last one launched on. */
    CUstream stream(long stream, JCudaHandles<CUstream> streams) {
        if (stream == this.stream && streamObject != null) {
            return streamObject;
        }
        CUstream s = streams.lookup(stream, "cuLaunchKernel");
        this.stream = stream;
        streamObject = s;
        return s;
    }

    /** The {@code void**} of {@code args}, whose buffer is direct. */
    Pointer params(KernelArgs args) {
        ByteBuffer b = args.buffer();
        if (b != buffer) {
            buffer = b;
            int slots = (b.capacity() >> 3) + 1;
            if (byOffset.length < slots) {
                byOffset = new Pointer[slots];
            } else {
                Arrays.fill(byOffset, null);
            }
        }
        int n = args.count();
        Pointer[] array = arrays[n];
        if (array == null) {
            array = new Pointer[n];
            arrays[n] = array;
            params[n] = Pointer.to(array);
        }
        for (int i = 0; i < n; i++) {
            int off = args.offset(i);
            Pointer p;
            if ((off & 7) == 0) {
                int slot = off >> 3;
                p = byOffset[slot];
                if (p == null) {
                    p = Pointer.to(b).withByteOffset(off);
                    byOffset[slot] = p;
                }
            } else {
                p = Pointer.to(b).withByteOffset(off);
            }
            array[i] = p;
        }
        return params[n];
    }
}
